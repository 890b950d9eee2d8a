package dev.baton.cli;

import dev.baton.bench.Bench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark on a fresh single-machine stack; prints results and one JSON line. "
                + "Scenarios: chain (40 sequential steps), fanout (100 parallel + join), throughput (two-step runs at stepped rates).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "chain | fanout | throughput")
    String scenario;

    @Option(names = "--quick", description = "A short smoke version (what CI runs).")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        var result = new Bench(System.out, quick).run(scenario);
        System.out.println(Bench.json(result));
        return 0;
    }
}
