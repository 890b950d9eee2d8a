package dev.baton.bench;

import dev.baton.agent.Agent;
import dev.baton.agent.AgentConfig;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.TopicDefaults;
import dev.baton.platform.Topics;
import dev.baton.registry.EmbeddedSchemaRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** A fresh single-machine stack for one benchmark: broker, registry, coordinator and agents, in this JVM. */
final class BenchStack implements AutoCloseable {
    final Path dir;
    final EmbeddedKafkaBroker broker;
    final EmbeddedSchemaRegistry registry;
    final Topics topics = new Topics("bench.");
    final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final List<AutoCloseable> services = new ArrayList<>();
    Coordinator coordinator;
    /** The PHASE lines (name → value) of the last coordinator process started, see {@link CoordinatorProcess}. */
    volatile Map<String, Long> coordinatorPhases = Map.of();

    BenchStack(boolean startCoordinator, int agentSlots) throws IOException {
        dir = Files.createTempDirectory("baton-bench");
        // -Dbench.broker.config.<key>=v: a broker setting for A/B runs (e.g. num.io.threads).
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0, overrides("bench.broker.config.", "bench.broker.config."));
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), topics.schemas(), 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            TopicBootstrapper b = new TopicBootstrapper(admin);
            b.ensure(topics.standard(TopicDefaults.SINGLE_MACHINE));
            b.ensure(topics.pools(List.of("default"), TopicDefaults.SINGLE_MACHINE));
        }
        if (startCoordinator) {
            startCoordinator();
        }
        if (agentSlots > 0) {
            Map<String, Object> a = new HashMap<>(base());
            a.put(AgentConfig.SLOTS, String.valueOf(agentSlots));
            a.put(AgentConfig.WORK_DIR, dir.resolve("agent").toString());
            a.put(AgentConfig.SHUTDOWN_HOOK, "false");
            a.put(AgentConfig.SHUTDOWN_GRACE_MS, "2000");
            // The embedded broker allows short acquisition locks (see EmbeddedKafkaBroker).
            a.put(AgentConfig.COMMAND_LOCK_MS, "5000");
            // Take up to 16 commands per poll: each poll's commands are settled (started reports written) before the next.
            a.put(AgentConfig.POLL_MAX_RECORDS, String.valueOf(Math.min(16, agentSlots)));
            // Several command loops, so taking commands overlaps with waiting for started reports to be written.
            a.put(AgentConfig.POOL_CONSUMERS, String.valueOf(Math.max(1, Math.min(4, agentSlots / 16))));
            a.putAll(overrides("bench.agent.", "bench."));
            services.add(Agent.start(new AgentConfig(a), meters));
        }
    }

    dev.baton.scheduler.Scheduler startScheduler() {
        Map<String, Object> c = new HashMap<>(base());
        c.put(dev.baton.scheduler.SchedulerConfig.STATE_DIR, dir.resolve("scheduler").toString());
        // Experiments: -Dbench.scheduler.<key>=v (e.g. -Dbench.scheduler.sensor.filtered.commit.ms=0).
        c.putAll(overrides("bench.scheduler.", "bench."));
        var s = dev.baton.scheduler.Scheduler.start(new dev.baton.scheduler.SchedulerConfig(c), meters);
        services.add(s);
        return s;
    }

    /** Starts a coordinator in a separate JVM (same class path) and waits until it is running. */
    Process coordinatorProcess(String instanceId, String... jvmOptions) throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(List.of(jvmOptions));
        // Experiments: -Dbench.coordinatorJvmOptions="-XX:StartFlightRecording=filename=/tmp/c-%p.jfr ..." (space separated).
        String extraJvm = System.getProperty("bench.coordinatorJvmOptions", "").trim();
        if (!extraJvm.isEmpty()) {
            jvm.addAll(List.of(extraJvm.split("\\s+")));
        }
        List<String> args = new ArrayList<>(List.of(broker.bootstrapServers(), registry.url(), topics.prefix(),
                dir.resolve("coordinator-proc").toString(), instanceId));
        for (String prefix : List.of("bench.coordinator.", "bench.kafka.")) {
            overrides(prefix, "bench.").forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
        }
        Component c = componentProcess(CoordinatorProcess.class, "coordinator", jvm, args);
        coordinatorPhases = c.phases();
        return c.process();
    }

    /** Starts a gateway in a separate JVM that accepts the token stored as {@code tokenValue}; waits until it serves. */
    Component gatewayProcess(String tokenValue) throws IOException, InterruptedException {
        return componentProcess(GatewayProcess.class, "gateway", List.of(), List.of(broker.bootstrapServers(), registry.url(),
                topics.prefix(), dir.resolve("gateway-proc").toString(), tokenValue));
    }

    /** A component's JVM and the PHASE lines it printed before READY. */
    record Component(Process process, Map<String, Long> phases) {
        /** Resident memory now, and at most so far (the kernel's high-water mark), in KiB; -1 where /proc is not there. */
        long[] rssKb() {
            return new long[] {Bench.rssKb(String.valueOf(process.pid())), Bench.procStatusKb(String.valueOf(process.pid()), "VmHWM:")};
        }
    }

    /** Starts {@code main} in a separate JVM (same class path, 512 MiB heap) and waits until it prints READY. */
    private Component componentProcess(Class<?> main, String label, List<String> jvmOptions, List<String> args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events");
        pb.command().addAll(jvmOptions);
        pb.command().addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        pb.command().addAll(args);
        pb.redirectErrorStream(true);
        long launched = System.currentTimeMillis();
        Process p = pb.start();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        boolean log = Boolean.getBoolean("bench.log." + label);
        Map<String, Long> phases = new java.util.LinkedHashMap<>();
        while ((line = reader.readLine()) != null) {
            if (log || line.startsWith("CPU at running")) {
                System.out.println("[" + label + " +" + (System.currentTimeMillis() - launched) + " ms] " + line);
            }
            if (line.startsWith("PHASE ")) {
                String[] f = line.split(" ");
                phases.put(f[1], Long.parseLong(f[2]));
            }
            // The line itself: with -Dbench.log.<label> and a DEBUG log, Kafka's "... to READY" lines came first, and
            // the harness took the process for ready before its PHASE lines (restart phases then came out empty).
            if (line.strip().equals("READY")) {
                Thread.ofVirtual().start(() -> {
                    try {
                        String rest;
                        while ((rest = reader.readLine()) != null) {
                            if (log) {
                                System.out.println("[" + label + " +" + (System.currentTimeMillis() - launched) + " ms] " + rest);
                            }
                        }
                    } catch (IOException ignored) {
                        // process ended
                    }
                });
                return new Component(p, Map.copyOf(phases));
            }
        }
        throw new IllegalStateException(label + " process exited before it was ready (exit " + p.waitFor() + ")");
    }

    void startCoordinator() {
        Map<String, Object> c = new HashMap<>(base());
        c.put(CoordinatorConfig.STATE_DIR, dir.resolve("coordinator").toString());
        // Experiments: -Dbench.coordinator.<key>=value overrides a coordinator setting.
        c.putAll(overrides("bench.coordinator.", "bench."));
        coordinator = Coordinator.start(new CoordinatorConfig(c), meters);
        services.add(coordinator);
    }

    /**
     * {@code -Dbench.coordinator.<key>} takes the setting's key without its {@code coordinator.} prefix: the doubled
     * spelling became {@code coordinator.coordinator.<key>}, which the coordinator ignores, and A/B runs were lost to it.
     */
    /**
     * The {@code -D} properties starting with {@code prefix}, keyed by their names without {@code strip} (a prefix of
     * {@code prefix}): the experiments' overrides of a component's settings. Refuses a doubled coordinator spelling.
     */
    static Map<String, String> overrides(String prefix, String strip) {
        Map<String, String> m = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            checkOverride(k.toString());
            if (k.toString().startsWith(prefix)) {
                m.put(k.toString().substring(strip.length()), v.toString());
            }
        });
        return m;
    }

    static void checkOverride(String property) {
        if (property.startsWith("bench.coordinator.coordinator.")) {
            throw new IllegalArgumentException("-D" + property + " sets nothing: write -Dbench.coordinator."
                    + property.substring("bench.coordinator.coordinator.".length()) + " (the key without its 'coordinator.' prefix)");
        }
    }

    Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", broker.bootstrapServers());
        m.put("schema.registry.url", registry.url());
        m.put("topic.prefix", topics.prefix());
        return m;
    }

    Map<String, Object> serde() {
        return Map.of("schema.registry.url", registry.url());
    }

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception ignored) {
                // best effort at the end of a benchmark
            }
        }
        registry.close();
        broker.close();
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files
        }
    }
}
