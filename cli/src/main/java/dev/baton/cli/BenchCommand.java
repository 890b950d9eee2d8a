package dev.baton.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs a benchmark scenario in its own JVM from the benchmark jar ({@code benchmarks/target/baton-bench.jar}), so the
 * production CLI never compiles against the harness or ships JMH. The scenario's output and exit code pass through.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark on a fresh single-machine stack; prints results and one JSON line. "
                + "Scenarios: chain (40 sequential steps), fanout (100 parallel + join), throughput (two-step runs at "
                + "stepped rates), sensor, recovery, backfill (50,000 partitions), jmh, ui (web UI render times in headless Chromium), foreach (1,000 and 10,000 mapped elements). Needs the benchmark jar (built by ./baton bench; override "
                + "with " + BenchCommand.JAR_ENV + " or -D" + BenchCommand.JAR_PROPERTY + ").")
final class BenchCommand implements Callable<Integer> {
    static final String JAR_PROPERTY = "baton.bench.jar";
    static final String JAR_ENV = "BATON_BENCH_JAR";
    static final String JAR_NAME = "baton-bench.jar";
    static final String MAIN_CLASS = "dev.baton.bench.Bench";

    @Parameters(index = "0", description = "chain | fanout | throughput | sensor | recovery | backfill | jmh | ui | foreach")
    String scenario;

    @Option(names = "--quick", description = "A short smoke version (what CI runs).")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        Path jar = locateJar(System.getProperty(JAR_PROPERTY), System.getenv(JAR_ENV), cliJarDir())
                .orElseThrow(() -> new IllegalStateException("the benchmark jar " + JAR_NAME + " was not found (looked at -D"
                        + JAR_PROPERTY + ", $" + JAR_ENV + " and benchmarks/target/ next to the CLI jar); build it with "
                        + "./mvnw -pl benchmarks -am package -DskipTests, or run ./baton bench, which builds it"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(command(java, jar, forwardedJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments()),
                scenario, quick)).inheritIO().start();
        return p.waitFor();
    }

    /** The benchmark JVM's command line: this JVM's heap and -D settings (bench.* experiments), then the scenario. */
    static List<String> command(String java, Path jar, List<String> jvmArgs, String scenario, boolean quick) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", jar.toString(), MAIN_CLASS, scenario));
        if (quick) {
            cmd.add("--quick");
        }
        return cmd;
    }

    /**
     * Which of this JVM's arguments the benchmark JVM gets: system properties ({@code -Dbench.*} experiments, Avro's
     * trusted packages), heap sizes, the G1 pause target (the launcher's default; the whole stack shares the benchmark's
     * JVM, so its pauses are every component's, docs/benchmarks.md) and native access. Class-data-sharing and logging
     * flags name this jar's archive and stay behind.
     */
    static List<String> forwardedJvmArgs(List<String> inputArguments) {
        return inputArguments.stream()
                .filter(a -> a.startsWith("-D") || a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("--enable-native-access")
                        || a.startsWith("-XX:MaxGCPauseMillis="))
                .filter(a -> !a.startsWith("-D" + JAR_PROPERTY + "="))
                .toList();
    }

    /**
     * The benchmark jar: the property, else the environment variable, else {@code benchmarks/target/baton-bench.jar}
     * of the checkout the CLI jar was built in ({@code cli/target/baton.jar}), else beside the CLI jar.
     */
    static Optional<Path> locateJar(String property, String env, Path cliJarDir) {
        for (String explicit : new String[] {property, env}) {
            if (explicit != null && !explicit.isBlank()) {
                Path p = Path.of(explicit);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalStateException("the benchmark jar " + p + " does not exist");
                }
                return Optional.of(p);
            }
        }
        if (cliJarDir == null) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        if (cliJarDir.getParent() != null && cliJarDir.getParent().getParent() != null) {
            candidates.add(cliJarDir.getParent().getParent().resolve("benchmarks").resolve("target").resolve(JAR_NAME));
        }
        candidates.add(cliJarDir.resolve(JAR_NAME));
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    private static Path cliJarDir() {
        try {
            Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self.toAbsolutePath().getParent();
        } catch (Exception e) {
            return null;
        }
    }
}
