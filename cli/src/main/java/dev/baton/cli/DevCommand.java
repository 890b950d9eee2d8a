package dev.baton.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run all of Baton on this machine: a KRaft broker, the schema registry, coordinator, scheduler, "
                + "an agent for every pool the job files use and the API, in one process. Ctrl-C stops it; data stays in --data-dir.")
final class DevCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Where everything is kept (default ${DEFAULT-VALUE}).")
    Path dataDir = Path.of(".baton");

    @Option(names = "--port", description = "API port (default ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--kafka-port", description = "Kafka port (default ${DEFAULT-VALUE}).")
    int kafkaPort = 9092;

    @Option(names = "--registry-port", description = "Schema registry port (default ${DEFAULT-VALUE}).")
    int registryPort = 8081;

    @Option(names = "--slots", description = "Concurrent steps of the built-in agent (default ${DEFAULT-VALUE}).")
    int slots = 8;

    @Option(names = "--jobs", description = "Job files to register at start (default: examples/ when present).")
    Path jobs;

    @Option(names = "--pools", split = ",", description = "Pools the built-in agent serves (default: 'default' and every "
            + "pool the job files of --jobs use).")
    List<String> pools;

    @Option(names = {"-s", "--set"}, description = "Extra setting key=value for every component (repeatable); broker.<key>=value goes to "
            + "the embedded Kafka broker.")
    Map<String, String> extra = new java.util.LinkedHashMap<>();

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting Baton (data in " + dataDir.toAbsolutePath() + ") ...");
        out.flush();
        Lifecycle lifecycle = new Lifecycle();
        // One process: any component DOWN, or an OutOfMemoryError anywhere, ends all of it (see docs/operations.md).
        lifecycle.failFast(dev.baton.platform.FailFast.PROCESS);
        // A second `baton dev` on the same --data-dir is refused at once (its broker and stores would clash).
        lifecycle.add(dev.baton.platform.StateDirLock.acquire("baton dev", dataDir));
        Path jobDir = jobs != null ? jobs : (Files.isDirectory(Path.of("examples")) ? Path.of("examples") : null);
        List<Path> jobFiles = jobDir == null ? List.of() : ClientCommands.Apply.expand(List.of(jobDir));
        List<String> agentPools = pools != null && !pools.isEmpty() ? pools : poolsOf(jobFiles);
        DevStack stack = DevStack.start(new DevStack.Settings(dataDir, port, kafkaPort, registryPort, slots, extra, agentPools), lifecycle);
        awaitReady(stack, Duration.ofSeconds(120));
        int registered = 0;
        if (jobDir != null) {
            ApiClient api = new ApiClient(stack.gatewayUrl(), stack.adminToken());
            for (Path f : jobFiles) {
                try {
                    String type = f.toString().endsWith(".json") ? "application/json" : "application/yaml";
                    api.post("/api/v1/jobs", type, Files.readString(f));
                    registered++;
                } catch (ApiClient.ApiException | IOException e) {
                    out.printf("  could not register %s: %s%n", f, e.getMessage());
                }
            }
        }
        out.printf("""
                
                Baton is running.
                  Web UI       %s/?token=%s   (sign-in link: keep it private)
                  API          %s/api/v1   (OpenAPI: %s/api/v1/openapi.yaml)
                  Health       %s/health
                  Metrics      %s/metrics   (Prometheus text: every component, JVM and Kafka client; docs/operations.md#metrics)
                  Kafka        %s
                  Registry     %s
                  Admin token  %s (the CLI reads it from there)
                  Jobs         %d registered from %s
                  Agent pools  %s
                
                Next:
                  ./baton apply -f examples/orders_daily.yaml
                  ./baton run orders_daily -p day=2026-11-21 --wait
                  ./baton runs
                  ./baton logs -f <run id>
                
                Ctrl-C stops everything; starting again with the same --data-dir keeps every job, run and asset.
                %n""", stack.gatewayUrl(), stack.adminToken(), stack.gatewayUrl(), stack.gatewayUrl(), stack.gatewayUrl(), stack.gatewayUrl(), stack.bootstrapServers(),
                stack.registryUrl(), stack.tokenFile(), registered, jobDir == null ? "(none)" : jobDir,
                extra.getOrDefault(dev.baton.agent.AgentConfig.POOLS, String.join(", ", agentPools)));
        out.println(dev.baton.platform.tracing.Tracing.get().enabled()
                ? "Tracing: on (OpenTelemetry, configured by the OTEL_* variables; see docs/operations.md, Tracing)"
                : "Tracing: off; to trace every run start with OTEL_TRACES_EXPORTER=otlp (and OTEL_EXPORTER_OTLP_ENDPOINT) or =logging-otlp");
        out.flush();
        stack.awaitStop();
        return 0;
    }

    /**
     * {@code default} and every pool the steps (and failure hooks) of these job files use; a file that does not parse
     * is left to the registration below, which says what is wrong with it.
     */
    static List<String> poolsOf(List<Path> files) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>(List.of(DevStack.DEFAULT_POOL));
        for (Path f : files) {
            try {
                dev.baton.events.JobDefinition d = dev.baton.jobs.JobParser.parse(Files.readAllBytes(f),
                        dev.baton.jobs.Format.ofFileName(f.getFileName().toString()), Instant.now());
                d.getSteps().forEach(st -> addPool(out, st.getPool()));
                d.getOnFailure().forEach(st -> addPool(out, st.getPool()));
            } catch (IOException | RuntimeException e) {
                // registration reports it
            }
        }
        return List.copyOf(out);
    }

    private static void addPool(java.util.Set<String> pools, String pool) {
        if (pool != null && !pool.isBlank()) {
            pools.add(pool);
        }
    }

    static void awaitReady(DevStack stack, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!stack.ready()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Baton did not become ready within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}
