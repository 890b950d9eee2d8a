package dev.baton.bench;

import dev.baton.events.RunEvent;
import dev.baton.events.StepStarted;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton bench idle}: what {@code baton dev} costs at rest. Starts {@code baton dev} from the CLI jar as its own
 * process (a temporary data directory, free ports, the example jobs, the JVM options of the {@code ./baton} launcher),
 * waits until it is healthy and has settled, then measures that process's CPU seconds and resident memory over a
 * window; then triggers a run of a one-step no-op job (registered before the window) and prints how long until its
 * first step started. The floor: a raw consumer's record round trip on the same broker, after the same idle time.
 * The window's CPU is also split by kind of thread ({@link ThreadCpu}: the broker's, each component's stream threads,
 * the JVM's), {@code -Dbench.idle.thread.rows=25} rows.
 *
 * <p>{@code -Dbench.idle.seconds=60} (the window), {@code -Dbench.idle.settle.seconds=180} (after ready, before the
 * window: start-up work and the JIT), {@code -Dbench.idle.jvm="-Xmx2g ..."} (the dev process's JVM options),
 * {@code -Dbench.cli.jar=path} (default: {@code cli/target/baton.jar} next to the benchmark jar's module),
 * {@code -Dbench.idle.runs.before=N} (runs of the job, each until it finished, before the settle time; default 0),
 * {@code -Dbench.idle.dev.args="-s key=value ..."} (more arguments of {@code baton dev}, for A/B runs of a setting),
 * {@code -Dbench.idle.probe.pause.seconds=10} (between reading the topics' offsets and the window's start),
 * {@code -Dbench.idle.jobs=dir} (the job files; default {@link #exampleJobs}). The issue's "run after ten idle minutes":
 * {@code -Dbench.idle.settle.seconds=540} (settle, probe pause and window: ten minutes before the run).
 */
final class IdleBench {
    private IdleBench() {}

    /**
     * The job files {@code baton dev} loads: {@code -Dbench.idle.jobs}, else {@code examples/} of the checkout the CLI jar
     * was built in ({@code cli/target/baton.jar}), else {@code examples/} of the working directory (a jar copied elsewhere
     * for an A/B run: without this fallback that run measured a stack without the example jobs); null when none exists.
     */
    static Path exampleJobs(Path cliJar) {
        String given = System.getProperty("bench.idle.jobs");
        if (given != null && !given.isBlank()) {
            return Path.of(given.trim()).toAbsolutePath();
        }
        Path up = cliJar.toAbsolutePath().getParent();
        for (int i = 0; i < 2 && up != null; i++) {
            up = up.getParent();
        }
        for (Path candidate : new Path[] {up == null ? null : up.resolve("examples"), Path.of("examples").toAbsolutePath()}) {
            if (candidate != null && Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static Map<String, Object> run(PrintStream out, boolean quick) throws Exception {
        // 180 s, not 60: a minute after start the JIT and code still run cold were about a third of the idle figure
        // (docs/benchmarks.md, idle); "at rest" means the stack a developer leaves running, minutes after its start.
        long settle = Long.getLong("bench.idle.settle.seconds", quick ? 5 : 180);
        long window = Long.getLong("bench.idle.seconds", quick ? 10 : 60);
        Path jar = cliJar();
        Path dir = Files.createTempDirectory("baton-bench-idle");
        int port = freePort();
        int kafkaPort = freePort();
        int registryPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        // The ./baton launcher's options (its BATON_JAVA_OPTS default and fixed flags).
        cmd.addAll(List.of(System.getProperty("bench.idle.jvm", LAUNCHER_DEFAULT_OPTS).trim().split("\\s+")));
        cmd.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events", "-jar", jar.toString(), "dev",
                "--data-dir", dir.resolve("data").toString(), "--port", String.valueOf(port), "--kafka-port", String.valueOf(kafkaPort),
                "--registry-port", String.valueOf(registryPort)));
        Path examples = exampleJobs(jar);
        if (examples != null) {
            cmd.addAll(List.of("--jobs", examples.toString()));
        } else {
            out.println("  no example jobs found (-Dbench.idle.jobs=dir): baton dev starts without them");
        }
        String devArgs = System.getProperty("bench.idle.dev.args", "").trim(); // e.g. "-s coordinator.threads=3"
        if (!devArgs.isEmpty()) {
            cmd.addAll(List.of(devArgs.split("\\s+")));
        }
        out.println("  starting: " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("dev.log").toFile());
        Process dev = pb.start();
        Map<String, Object> r = new LinkedHashMap<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            long t0 = System.nanoTime();
            awaitHealthy(http, base, dev, Duration.ofMinutes(5));
            Path tokenFile = dir.resolve("data").resolve("admin.token");
            while (!Files.exists(tokenFile) && dev.isAlive()) {
                Thread.sleep(200);
            }
            String token = Files.readString(tokenFile).trim();
            out.printf(Locale.ROOT, "  baton dev healthy after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            String job = """
                    name: bench_idle
                    steps:
                      - { key: first, noop: {} }
                    """;
            HttpResponse<String> reg;
            long deadline = System.currentTimeMillis() + 120_000;
            do { // the gateway's registry comes up after its port
                reg = send(http, "POST", base + "/api/v1/jobs", token, "application/yaml", job);
                if (reg.statusCode() != 201 && reg.statusCode() != 200) {
                    Thread.sleep(500);
                }
            } while (reg.statusCode() != 201 && reg.statusCode() != 200 && System.currentTimeMillis() < deadline);
            if (reg.statusCode() != 201 && reg.statusCode() != 200) {
                throw new IllegalStateException("cannot register the job: " + reg.statusCode() + " " + reg.body());
            }
            // Optionally runs before the settle time: a stack that has run something since it started is the usual
            // case, and a Streams task that has consumed a record commits a transaction after every punctuation.
            int runsBefore = Integer.getInteger("bench.idle.runs.before", 0);
            if (runsBefore > 0) {
                try (RunWatcher watcher = new RunWatcher("127.0.0.1:" + kafkaPort,
                        Map.of("schema.registry.url", "http://127.0.0.1:" + registryPort), "baton.run-events")) {
                    for (int i = 0; i < runsBefore; i++) {
                        HttpResponse<String> run = send(http, "POST", base + "/api/v1/jobs/bench_idle/runs", token, "application/json", "{}");
                        if (run.statusCode() != 202) {
                            throw new IllegalStateException("run refused: " + run.statusCode() + " " + run.body());
                        }
                        String runId = run.body().replaceAll(".*\"runId\"\\s*:\\s*\"([^\"]+)\".*", "$1").trim();
                        watcher.finished(runId).get(2, TimeUnit.MINUTES);
                    }
                }
                out.printf(Locale.ROOT, "  %d run(s) of bench_idle finished before the settle time%n", runsBefore);
            }
            r.put("runs_before", runsBefore);
            Thread.sleep(TimeUnit.SECONDS.toMillis(settle));
            ProcessHandle h = dev.toHandle();
            String bootstrap = "127.0.0.1:" + kafkaPort;
            // What the stack writes at rest (transactions of idle commits show as __transaction_state, __consumer_offsets
            // and marker offsets): read before and after the window, outside it.
            RawKafkaFloor.TopicUsage topics0 = RawKafkaFloor.TopicUsage.of(bootstrap);
            // That read (an admin client's metadata of every partition and their offsets) makes the broker's code for
            // it hot, and the JIT compiles it in the seconds after: a burst of compilations at the window's start that
            // is the bench's own doing (JIT log, docs/benchmarks.md, idle, a fifth look). Let it pass first.
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.getLong("bench.idle.probe.pause.seconds", quick ? 0 : 10)));
            ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot(dev.pid());
            long windowFromMs = System.currentTimeMillis();
            double cpu0 = RawKafkaFloor.Cpu.of(h);
            long w0 = System.nanoTime();
            long peakRss = 0;
            long windowEnd = w0 + TimeUnit.SECONDS.toNanos(window);
            while (System.nanoTime() < windowEnd) {
                Thread.sleep(Math.min(1000, Math.max(1, (windowEnd - System.nanoTime()) / 1_000_000)));
                peakRss = Math.max(peakRss, Bench.rssKb(String.valueOf(dev.pid())));
            }
            double cpu = RawKafkaFloor.Cpu.of(h) - cpu0;
            double seconds = (System.nanoTime() - w0) / 1e9;
            ThreadCpu.Snapshot threads1 = ThreadCpu.snapshot(dev.pid());
            Map<String, Object> perSecond = RawKafkaFloor.TopicUsage.of(bootstrap).perRun(topics0, Math.round(seconds));
            long rss = Bench.rssKb(String.valueOf(dev.pid()));
            if (!dev.isAlive()) {
                throw new IllegalStateException("baton dev ended during the idle window (exit " + dev.exitValue() + "); see " + dir);
            }
            out.printf(Locale.ROOT, "idle: baton dev at rest (example jobs loaded, nothing running) used %.2f CPU s in %.1f s = %.1f%% of "
                    + "one core; resident %d MiB (at most %d MiB in the window)%n", cpu, seconds, 100 * cpu / seconds, rss / 1024,
                    peakRss / 1024);
            r.put("scenario", "idle");
            r.put("settle_s", settle);
            r.put("window_s", seconds);
            r.put("cpu_s", cpu);
            r.put("core_percent", 100 * cpu / seconds);
            r.put("rss_mib", rss / 1024);
            r.put("peak_rss_mib", peakRss / 1024);
            // Where the window's CPU went, by kind of thread (named after the window, so the dump costs it nothing).
            List<ThreadCpu.Row> rows = ThreadCpu.breakdown(threads0, threads1, ThreadCpu.javaNames(dev.pid()));
            double threadTotal = rows.stream().mapToDouble(ThreadCpu.Row::cpuSeconds).sum();
            out.printf(Locale.ROOT, "  by thread kind (%.2f CPU s in the window's threads; %% of one core):%n", threadTotal);
            Map<String, Double> byKind = new LinkedHashMap<>();
            for (ThreadCpu.Row row : rows.subList(0, Math.min(rows.size(), Integer.getInteger("bench.idle.thread.rows", 25)))) {
                out.printf(Locale.ROOT, "    %6.2f s %5.1f%%  %3d x %s%n", row.cpuSeconds(), 100 * row.cpuSeconds() / seconds,
                        row.threads(), row.kind());
                byKind.put(row.kind(), row.cpuSeconds());
            }
            r.put("cpu_s_by_thread_kind", byKind);
            // The JIT compiles in bursts long after start (code that runs a few times a second at rest reaches the C2
            // thresholds only after minutes): the rest is the figure to compare in A/B runs of a setting.
            // (C1/C2 CompilerThreadN folded to "CN CompilerThreadN"; the kernel's short name if jcmd gave none)
            double jit = rows.stream().filter(row -> ThreadCpu.isJitCompiler(row.kind()))
                    .mapToDouble(ThreadCpu.Row::cpuSeconds).sum();
            out.printf(Locale.ROOT, "  without the JIT's compiler threads: %.2f CPU s = %.1f%% of one core%n", cpu - jit,
                    100 * (cpu - jit) / seconds);
            r.put("core_percent_without_jit", 100 * (cpu - jit) / seconds);
            out.println("  offsets written per second at rest, by topic (records and transaction markers; bytes): "
                    + (perSecond.isEmpty() ? "none" : RawKafkaFloor.TopicUsage.describe(perSecond)));
            r.put("offsets_per_s_by_topic", perSecond);
            // Which producer commits at rest: __transaction_state records of the window by transactional id.
            Map<String, Long> txn = TransactionWrites.count(bootstrap, windowFromMs, windowFromMs + Math.round(seconds * 1000));
            out.println("  __transaction_state records in the window, by transactional id: " + (txn.isEmpty() ? "none" : txn));
            r.put("transaction_state_records_by_id", txn);

            // Then: a run after the idle time, until its first step started (first one counts; two more for comparison).
            Stats firstStep = new Stats();
            List<Long> each = new ArrayList<>();
            try (RunWatcher watcher = new RunWatcher(bootstrap, Map.of("schema.registry.url", "http://127.0.0.1:" + registryPort),
                    "baton.run-events")) {
                for (int i = 0; i < 3; i++) {
                    long requested = System.currentTimeMillis();
                    HttpResponse<String> run = send(http, "POST", base + "/api/v1/jobs/bench_idle/runs", token, "application/json", "{}");
                    if (run.statusCode() != 202) {
                        throw new IllegalStateException("run refused: " + run.statusCode() + " " + run.body());
                    }
                    String runId = run.body().replaceAll(".*\"runId\"\\s*:\\s*\"([^\"]+)\".*", "$1").trim();
                    RunWatcher.Finished f = watcher.finished(runId).get(2, TimeUnit.MINUTES);
                    long started = f.events().stream().filter(e -> e.getPayload() instanceof StepStarted)
                            .mapToLong(e -> e.getTimestamp().toEpochMilli()).min().orElseThrow();
                    firstStep.add(started - requested);
                    each.add(started - requested);
                    Thread.sleep(2000); // idle again between the runs
                }
            }
            out.printf(Locale.ROOT, "  a run triggered after the idle window: first step started %d ms after the request "
                    + "(API request -> step started; then %s ms for two more, 2 s apart)%n", each.get(0), each.subList(1, each.size()));
            // Where those milliseconds went, from the dev process's own timers (coordinator input -> command, command ->
            // started at the agent): the first run after idling is in their max.
            for (String line : send(http, "GET", base + "/metrics", token, null, null).body().split("\n")) {
                if (!line.startsWith("#") && (line.contains("dispatch_to_start") || line.contains("coordinator_dispatch_latency"))
                        && (line.contains("_max") || line.contains("_sum") || line.contains("_count"))) {
                    out.println("    " + line);
                }
            }
            r.put("first_step_ms", each.get(0));
            r.put("first_step_ms_later", each.subList(1, each.size()));
            double devCpuBefore = RawKafkaFloor.Cpu.of(h);
            RawKafkaFloor.Serial floor = RawKafkaFloor.serial(bootstrap, 20, RawKafkaFloor.DEFAULT_VALUE_BYTES);
            // The floor's CPU above is this process's (the clients); the broker's is in the dev process.
            out.println("  " + floor.describe() + String.format(Locale.ROOT, "; the dev process (broker) used %.3f CPU s meanwhile",
                    RawKafkaFloor.Cpu.of(h) - devCpuBefore));
            out.printf(Locale.ROOT, "  first step started vs one produce -> consume round trip p50: %d ms vs %s ms, ratio %.1fx%n",
                    each.get(0), Stats.f(floor.roundTripMs().p(50)), each.get(0) / floor.roundTripMs().p(50));
            r.put("ratio_first_step", each.get(0) / floor.roundTripMs().p(50));
            r.put("floor", floor.json());
            r.put("load_average", loadAverage());
        } finally {
            dev.destroy();
            if (!dev.waitFor(60, TimeUnit.SECONDS)) {
                dev.destroyForcibly().waitFor();
            }
            try (var s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary files
            }
        }
        return r;
    }

    /** Keep in step with the {@code ./baton} launcher's default {@code BATON_JAVA_OPTS}. */
    static final String LAUNCHER_DEFAULT_OPTS = "-Xmx2g -XX:G1PeriodicGCInterval=30000 -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10";

    private static Path cliJar() {
        String p = System.getProperty("bench.cli.jar");
        if (p != null) {
            return Path.of(p).toAbsolutePath();
        }
        try {
            Path benchJar = Path.of(IdleBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path jar = benchJar.toAbsolutePath().getParent().getParent().getParent().resolve("cli/target/baton.jar");
            if (Files.exists(jar)) {
                return jar;
            }
        } catch (Exception ignored) {
            // fall through to the working directory
        }
        Path jar = Path.of("cli/target/baton.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("the CLI jar is not at " + jar + ": build it (./mvnw -pl cli -am package -DskipTests) "
                    + "or pass -Dbench.cli.jar=path");
        }
        return jar;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitHealthy(HttpClient http, String base, Process dev, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!dev.isAlive()) {
                throw new IllegalStateException("baton dev exited while starting (exit " + dev.exitValue() + ")");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("baton dev not healthy within " + timeout);
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token, String type, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
