package dev.baton.bench;

import dev.baton.events.JobDefinition;
import dev.baton.events.RunEvent;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end benchmarks on a fresh single-machine stack. Prints readable results and ends with one JSON
 * line. Timings are never asserted anywhere: this prints numbers.
 *
 * <pre>baton bench chain|fanout|throughput|sensor|recovery|backfill|jmh|ui|foreach|idle [--quick]</pre>
 *
 * <p>{@code baton bench} runs {@link #main} from {@code benchmarks/target/baton-bench.jar} in its own JVM; the CLI
 * does not compile against this module.
 */
public final class Bench {
    private final PrintStream out;
    private final boolean quick;
    /** How long the scenario's warm-up took (NaN until it ran): it waits for the JIT to settle. */
    private double warmUpSeconds = Double.NaN;

    public Bench(PrintStream out, boolean quick) {
        this.out = out;
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !SCENARIOS.contains(args[0])) {
            System.err.println("usage: bench " + String.join("|", SCENARIOS) + " [--quick]");
            System.exit(2);
        }
        boolean quick = List.of(args).contains("--quick");
        Map<String, Object> result;
        try {
            MachineState machine = MachineState.begin();
            result = new LinkedHashMap<>(new Bench(System.out, quick).run(args[0]));
            Map<String, Object> state = machine.end();
            System.out.println(MachineState.describe(state));
            result.put("machine", state);
        } catch (Throwable e) {
            // The stack's non-daemon threads (the broker's) would keep a failed scenario's JVM alive: fail, never hang.
            System.err.println("bench " + args[0] + " failed:");
            e.printStackTrace();
            System.exit(1);
            return;
        }
        System.out.println(json(result));
        System.exit(0);
    }

    /** The scenarios {@link #run} knows, in the order the docs list them. */
    public static final List<String> SCENARIOS = List.of("chain", "fanout", "throughput", "sensor", "recovery", "backfill", "jmh",
            "ui", "foreach", "idle");

    public Map<String, Object> run(String scenario) throws Exception {
        return switch (scenario) {
            case "chain" -> chain();
            case "fanout" -> fanout();
            case "throughput" -> throughput();
            case "jmh" -> jmh();
            case "sensor" -> sensor();
            case "recovery" -> recovery();
            case "ui" -> new UiRenderBench(out, quick).run();
            case "backfill" -> BackfillBench.run(out, quick);
            case "foreach" -> forEach();
            case "idle" -> IdleBench.run(out, quick);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (" + String.join(", ", SCENARIOS) + ")");
        };
    }

    /** 40 sequential noop steps, one run in flight, 20 repetitions (after 30 s of warm-up runs). */
    Map<String, Object> chain() throws Exception {
        int steps = 40;
        int reps = quick ? 2 : 20;
        int warmup = quick ? 1 : 2;
        JobDefinition def = Requests.noopJob("chain", steps, true);
        Stats perStep = new Stats();
        Stats hop = new Stats();
        // The hop split where the command became readable (a read_committed watcher saw it): result -> readable is the
        // coordinator's part (fetch, decide, exactly-once commit), readable -> started the agent's (share fetch, start).
        Stats hopToReadable = new Stats();
        Stats hopReadableToStarted = new Stats();
        // The agent's part of a step: its started report to its result (both report times); a noop's result waits for
        // the started report's acknowledgement and the agent's own steps.
        Stats startedToResult = new Stats();
        Map<String, Object> r = new LinkedHashMap<>();
        Usage usage;
        RawKafkaFloor.Serial floor;
        try (BenchStack stack = new BenchStack(true, 4); RunWatcher watcher = new RunWatcher(stack); Requests req = new Requests(stack);
             CommandClock commands = new CommandClock(stack)) {
            warmUp("runs", stack, warmup, () -> watcher.finished(req.submit(def)).get(5, TimeUnit.MINUTES));
            Mark mark = Mark.now(stack);
            Map<String, Double> commits0 = commitTimes(stack);
            for (int i = 1; i <= reps; i++) {
                long t0 = System.nanoTime();
                String runId = req.submit(def);
                RunWatcher.Finished f = watcher.finished(runId).get(5, TimeUnit.MINUTES);
                double wallMs = (f.seenAtNanos() - t0) / 1e6;
                perStep.add(wallMs / steps);
                hops(f.events(), hop);
                hopSplit(runId, f.events(), commands, hopToReadable, hopReadableToStarted);
                startedToResult(f.events(), startedToResult);
                out.printf(Locale.ROOT, "  run %2d: %s in %.1f ms (%.2f ms/step)%n", i, f.status(), wallMs, wallMs / steps);
            }
            usage = mark.until(stack, reps, 0);
            whereTimeGoes(stack);
            commitBreakdown(commits0, commitTimes(stack), r);
            // The floor of a hop: one record at a time, as many as the steps measured, of the size Baton's records had.
            floor = RawKafkaFloor.serial(stack.broker.bootstrapServers(), reps * steps, usage.valueBytes());
            out.println("  " + floor.describe());
        }
        out.printf(Locale.ROOT, "chain: %d runs of %d steps; per-step overhead p50 %s ms, p95 %s ms, p99 %s ms; "
                        + "dispatch hop (result -> next started) p50 %s ms, p99 %s ms%n", reps, steps,
                Stats.f(perStep.p(50)), Stats.f(perStep.p(95)), Stats.f(perStep.p(99)), Stats.f(hop.p(50)), Stats.f(hop.p(99)));
        out.printf(Locale.ROOT, "  hop split: result -> command readable p50 %s ms, p99 %s ms, max %s ms; readable -> started p50 %s ms, "
                        + "p99 %s ms, max %s ms (watcher polls every 20 ms at most)%n", Stats.f(hopToReadable.p(50)), Stats.f(hopToReadable.p(99)),
                Stats.f(hopToReadable.p(100)), Stats.f(hopReadableToStarted.p(50)), Stats.f(hopReadableToStarted.p(99)),
                Stats.f(hopReadableToStarted.p(100)));
        out.printf(Locale.ROOT, "  step: started -> result (report times) p50 %s ms, p99 %s ms, max %s ms%n", Stats.f(startedToResult.p(50)),
                Stats.f(startedToResult.p(99)), Stats.f(startedToResult.p(100)));
        r.put("scenario", "chain");
        r.put("runs", reps);
        r.put("steps", steps);
        r.put("p50_ms", perStep.p(50));
        r.put("p95_ms", perStep.p(95));
        r.put("p99_ms", perStep.p(99));
        r.put("hop_p50_ms", hop.p(50));
        r.put("hop_p99_ms", hop.p(99));
        r.put("hop_to_readable_p99_ms", hopToReadable.p(99));
        r.put("hop_readable_to_started_p99_ms", hopReadableToStarted.p(99));
        r.put("started_to_result_p50_ms", startedToResult.p(50));
        r.put("started_to_result_p99_ms", startedToResult.p(99));
        compare("per-step p50 vs one produce -> consume round trip p50", perStep.p(50), floor.roundTripMs().p(50), "ms", r, "ratio_p50");
        compare("per-step p99 vs round trip p99", perStep.p(99), floor.roundTripMs().p(99), "ms", r, "ratio_p99");
        report(usage, r);
        r.put("floor", floor.json());
        return r;
    }

    /**
     * Repeats {@code oneRun} (at least {@code minRuns} times in each part) until the warm-up has passed (see
     * {@link #warmUpUntilSettled}; the minimum 30 s, none with --quick, -Dbench.warmup.seconds).
     */
    private void warmUp(String what, BenchStack stack, int minRuns, java.util.concurrent.Callable<?> oneRun) throws Exception {
        warmUpUntilSettled(what, 30, 0, stack, slice -> {
            long end = System.nanoTime() + slice.toNanos();
            int n = 0;
            while (n < minRuns || System.nanoTime() < end) {
                oneRun.call();
                n++;
            }
            return n;
        });
    }

    /** A part of a warm-up: runs the scenario's warm-up load for about the given time, returns how many it ran. */
    interface WarmUpSlice {
        int run(Duration slice) throws Exception;
    }

    /**
     * The warm-up: {@code slice} for the minimum time (-Dbench.warmup.seconds, {@code defaultSeconds} by default,
     * {@code quickSeconds} with --quick), then again in slices of -Dbench.warmup.slice.seconds (15) until the JIT has settled: its compiler
     * threads used less than -Dbench.warmup.jit.share (0.05) of this process's CPU over the last slice, or the warm-up
     * reached -Dbench.warmup.max.seconds (300). On two cores the broker, Kafka Streams, the clients and Baton are
     * minutes of compiling: at a fixed 30 or 60 s warm-up the compiler threads still took a fifth to a third of the CPU
     * of the measured phase, so the figures measured the JIT's warm-up, not the stack (docs/benchmarks.md, "the JIT
     * in the measured phase"). -Dbench.warmup.jit.share=1 gives the fixed warm-up of the minimum time alone.
     */
    private void warmUpUntilSettled(String what, long defaultSeconds, long quickSeconds, BenchStack stack, WarmUpSlice slice)
            throws Exception {
        Duration minimum = Duration.ofSeconds(Long.getLong("bench.warmup.seconds", quick ? quickSeconds : defaultSeconds));
        double settled = quick ? 1 : Double.parseDouble(System.getProperty("bench.warmup.jit.share", "0.05"));
        Duration sliceLength = Duration.ofSeconds(Long.getLong("bench.warmup.slice.seconds", 15));
        Duration maximum = Duration.ofSeconds(Long.getLong("bench.warmup.max.seconds", 300));
        long begin = System.nanoTime();
        // Each part of the warm-up starts as a measured phase does (Mark.now: an admin client lists the topics, their
        // end offsets and log sizes). Those requests reach broker code the scenario's load does not: taken first at
        // the measured phase's start, they made the broker's compiled request dispatch (KafkaApis.handle, request
        // parsing) hit branches it had never seen, fall back to the interpreter and be compiled again during the
        // measurement (a JFR recording of chain's compilations). Here they are part of the warm-up's steady state.
        Mark.now(stack);
        int n = slice.run(minimum);
        double share = Double.NaN;
        boolean more = settled < 1;
        while (more) {
            Mark part = Mark.now(stack);
            n += slice.run(sliceLength);
            share = part.jitShareSince();
            more = share >= settled && System.nanoTime() - begin < maximum.toNanos();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        out.printf(Locale.ROOT, "  warm-up: %d %s in %.0f s (not counted)%s%n", n, what, seconds, Double.isNaN(share) ? ""
                : String.format(Locale.ROOT, "; the JIT's compiler threads %.1f%% of the last %d s's CPU (%s)", 100 * share,
                        sliceLength.toSeconds(), share < settled ? "settled, under " + Math.round(100 * settled) + "%"
                                : "not settled by the maximum, -Dbench.warmup.max.seconds"));
        warmUpSeconds = seconds;
    }

    /** Prints the components' own latency timers, to show where the time of a hop goes. */
    /**
     * With -Dbench.broker.times: the broker's own request timings (Yammer histograms over the whole run) and the
     * clients' latency gauges (recent window), to see whether a stall sat in the broker or in a client.
     */
    private void brokerRequestTimes(BenchStack stack) {
        if (!Boolean.getBoolean("bench.broker.times")) {
            return;
        }
        for (var m : stack.meters.getMeters()) {
            String n = m.getId().getName();
            if ((n.contains("request.latency.max") || n.contains("fetch.latency.max") || n.contains("commit.latency.max"))
                    && m instanceof io.micrometer.core.instrument.Gauge g && g.value() > 0) {
                out.printf(Locale.ROOT, "  client %s %s = %.0f%n", n, m.getId().getTag("client.id"), g.value());
            }
        }
        var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        for (String request : List.of("Produce", "Fetch", "ShareFetch", "ShareAcknowledge", "EndTxn", "AddOffsetsToTxn",
                "TxnOffsetCommit", "AddPartitionsToTxn", "WriteTxnMarkers")) {
            StringBuilder line = new StringBuilder("  broker " + request + ":");
            for (String part : List.of("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs")) {
                try {
                    var name = new javax.management.ObjectName("kafka.network:type=RequestMetrics,name=" + part + ",request=" + request);
                    line.append(String.format(Locale.ROOT, " %s mean %.2f p50 %.0f p99 %.0f max %.0f n %d;", part.replace("TimeMs", ""),
                            (Double) server.getAttribute(name, "Mean"), (Double) server.getAttribute(name, "50thPercentile"),
                            (Double) server.getAttribute(name, "99thPercentile"), (Double) server.getAttribute(name, "Max"),
                            (Long) server.getAttribute(name, "Count")));
                } catch (Exception e) {
                    line.append(" ").append(part).append(" n/a;");
                }
            }
            out.println(line);
        }
    }

    /**
     * The coordinator's stream threads' commits so far (count, time in commit) and, inside them, its producers' time in
     * flush, sending offsets to the transaction and ending it (Kafka's own client metrics, summed over the threads).
     */
    private static Map<String, Double> commitTimes(BenchStack stack) {
        Map<String, Double> m = new HashMap<>();
        if (stack.coordinator == null) {
            return m;
        }
        for (var e : stack.coordinator.streams().metrics().entrySet()) {
            var name = e.getKey();
            String key = switch (name.group() + "/" + name.name()) {
                case "stream-thread-metrics/commit-total" -> "commits";
                case "stream-thread-metrics/commit-latency-avg" -> null;
                case "producer-metrics/flush-time-ns-total" -> "flush_ns";
                case "producer-metrics/txn-send-offsets-time-ns-total" -> "send_offsets_ns";
                case "producer-metrics/txn-commit-time-ns-total" -> "end_txn_ns";
                case "producer-metrics/txn-begin-time-ns-total" -> "begin_ns";
                default -> null;
            };
            if (key != null && e.getValue().metricValue() instanceof Number n) {
                m.merge(key, n.doubleValue(), Double::sum);
            }
        }
        return m;
    }

    /** Per coordinator commit in the measured phase: how long the producer spent flushing, sending offsets, ending the transaction. */
    private void commitBreakdown(Map<String, Double> before, Map<String, Double> after, Map<String, Object> r) {
        double commits = after.getOrDefault("commits", 0.0) - before.getOrDefault("commits", 0.0);
        if (commits <= 0) {
            return;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  coordinator commits: %.0f; per commit,", commits));
        Map<String, Object> per = new LinkedHashMap<>();
        for (String k : List.of("flush_ns", "send_offsets_ns", "end_txn_ns", "begin_ns")) {
            double ms = (after.getOrDefault(k, 0.0) - before.getOrDefault(k, 0.0)) / 1e6 / commits;
            line.append(String.format(Locale.ROOT, " %s %.2f ms", k.replace("_ns", ""), ms));
            per.put(k.replace("_ns", "_ms"), ms);
        }
        out.println(line);
        per.put("commits", commits);
        r.put("commit_breakdown", per);
    }

    private void whereTimeGoes(BenchStack stack) {
        brokerRequestTimes(stack);
        for (var c : stack.meters.find("baton.agent.commands.redelivered").counters()) {
            out.printf(Locale.ROOT, "  commands delivered again (earlier acquisition released or its lock expired): %.0f%n", c.count());
        }
        for (var c : stack.meters.find("baton_coordinator_urgent_commits_total").counters()) {
            out.printf(Locale.ROOT, "  coordinator commits for dispatches and run ends, %s: %.0f%n", c.getId().getTag("when"), c.count());
        }
        for (var t : stack.meters.getMeters()) {
            String name = t.getId().getName();
            if (t instanceof io.micrometer.core.instrument.Timer timer
                    && (name.contains("dispatch") || name.contains("punctuation") || name.contains("to_start")
                    || name.contains("commit_deferral")
                    || name.contains("sensor.request"))) {
                out.printf(Locale.ROOT, "  %s %s: count %d, mean %.2f ms, max %.2f ms%n", name, t.getId().getTags(), timer.count(),
                        timer.mean(TimeUnit.MILLISECONDS), timer.max(TimeUnit.MILLISECONDS));
            }
        }
    }

    /**
     * The agent's command loops so far: per phase of a round ({@code baton.agent.command.loop}: slots, poll, settle) its
     * count and total seconds, and the commands the polls returned ({@code baton.agent.commands.per.poll}).
     */
    private static Map<String, double[]> commandLoops(BenchStack stack) {
        Map<String, double[]> m = new HashMap<>();
        for (var meter : stack.meters.getMeters()) {
            String name = meter.getId().getName();
            if (name.equals("baton.agent.command.loop") && meter instanceof io.micrometer.core.instrument.Timer t) {
                m.merge(meter.getId().getTag("phase"), new double[] {t.count(), t.totalTime(TimeUnit.SECONDS)}, Bench::add);
            } else if (name.equals("baton.agent.commands.per.poll") && meter instanceof io.micrometer.core.instrument.DistributionSummary d) {
                m.merge("commands", new double[] {d.count(), d.totalAmount()}, Bench::add);
            }
        }
        return m;
    }

    private static double[] add(double[] a, double[] b) {
        return new double[] {a[0] + b[0], a[1] + b[1]};
    }

    /**
     * Prints where the agent's command loops spent a phase: rounds, commands per poll, and per round the wait for slots,
     * the poll and the settle. Full polls with the time in poll and settle: the loops' intake is what commands wait for.
     */
    private Map<String, Object> commandLoopsSince(Map<String, double[]> before, Map<String, double[]> after) {
        Map<String, Object> r = new LinkedHashMap<>();
        double[] zero = {0, 0};
        double rounds = after.getOrDefault("poll", zero)[0] - before.getOrDefault("poll", zero)[0];
        if (rounds <= 0) {
            return r;
        }
        double[] c = after.getOrDefault("commands", zero);
        double[] c0 = before.getOrDefault("commands", zero);
        double commands = c[1] - c0[1];
        double withCommands = after.getOrDefault("settle", zero)[0] - before.getOrDefault("settle", zero)[0];
        r.put("rounds", rounds);
        r.put("commands_per_poll", commands / rounds);
        r.put("commands_per_nonempty_poll", withCommands <= 0 ? 0 : commands / withCommands);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    agent command loops: %.0f rounds, %.1f commands per poll "
                + "(%.1f per poll that returned any); per round,", rounds, commands / rounds, withCommands <= 0 ? 0 : commands / withCommands));
        for (String phase : List.of("slots", "poll", "settle")) {
            double[] a = after.getOrDefault(phase, zero);
            double[] b = before.getOrDefault(phase, zero);
            double n = a[0] - b[0];
            double ms = n <= 0 ? 0 : (a[1] - b[1]) * 1000 / n;
            line.append(String.format(Locale.ROOT, " %s %.1f ms", phase, ms));
            r.put(phase + "_ms_mean", ms);
        }
        out.println(line);
        return r;
    }

    /** What a measured phase cost: process CPU (plus other processes' where given) and records written, per run. */
    record Usage(long runs, double cpuSeconds, double jitSeconds, Map<String, Object> byTopic, double recordsPerRun,
            int valueBytes, Map<String, Double> brokerRequests) {
        double cpuMsPerRun() {
            return runs == 0 ? Double.NaN : cpuSeconds * 1000 / runs;
        }

        /** The JIT's compiler threads' share of the phase's CPU. */
        double jitShare() {
            return cpuSeconds <= 0 ? 0 : jitSeconds / cpuSeconds;
        }
    }

    /** Starts measuring a phase: the process's CPU so far and every topic's end offsets and log bytes. */
    record Mark(double cpuSeconds, ThreadCpu.Snapshot threads, RawKafkaFloor.TopicUsage topics, Map<String, Long> requests) {
        static Mark now(BenchStack stack) throws Exception {
            // The topics' offsets first: reading them starts an admin client, whose CPU and requests are not the phase's.
            RawKafkaFloor.TopicUsage topics = RawKafkaFloor.TopicUsage.of(stack.broker.bootstrapServers());
            return new Mark(RawKafkaFloor.Cpu.processSeconds(), ThreadCpu.snapshot(ProcessHandle.current().pid()), topics,
                    BrokerRequests.counts());
        }

        /** CPU seconds this process's JIT compiler threads used since the mark. */
        double jitSecondsSince() {
            return ThreadCpu.jitSeconds(threads, ThreadCpu.snapshot(ProcessHandle.current().pid()));
        }

        /** The JIT compiler threads' share of this process's CPU since the mark (the warm-up's settle check). */
        double jitShareSince() {
            double cpu = RawKafkaFloor.Cpu.processSeconds() - cpuSeconds;
            return cpu <= 0 ? 0 : jitSecondsSince() / cpu;
        }

        /** {@code otherCpuSeconds}: CPU of other processes of the stack in this phase (the recovery scenario's coordinator). */
        Usage until(BenchStack stack, long runs, double otherCpuSeconds) throws Exception {
            double cpu = RawKafkaFloor.Cpu.processSeconds() - cpuSeconds + otherCpuSeconds;
            double jit = jitSecondsSince();
            Map<String, Double> perRun = BrokerRequests.perRun(requests, BrokerRequests.counts(), runs);
            Map<String, Object> byTopic = RawKafkaFloor.TopicUsage.of(stack.broker.bootstrapServers()).perRun(topics, runs);
            double[] t = RawKafkaFloor.TopicUsage.totals(byTopic);
            int size = t[1] < 16 ? RawKafkaFloor.DEFAULT_VALUE_BYTES : (int) Math.min(t[1], 512 * 1024);
            return new Usage(runs, cpu, jit, byTopic, t[0], size, perRun);
        }
    }

    /**
     * Prints the broker's requests per run in a phase, by type, and puts them in {@code into}. Its cost is per request more than per byte (docs/benchmarks.md),
     * so this says which exchanges a run costs; the harness's own clients (watcher, command clock, request producer)
     * and the broker's internal senders (partition verification, markers, share-group state) are counted too.
     */
    private void requests(String indent, Usage u, Map<String, Object> into) {
        if (!u.brokerRequests().isEmpty()) {
            out.printf(Locale.ROOT, "%sbroker requests per run: %s%n", indent, BrokerRequests.describe(u.brokerRequests()));
        }
        into.put("broker_requests_per_run", BrokerRequests.total(u.brokerRequests()));
        into.put("broker_requests_per_run_by_type", u.brokerRequests());
    }

    /** Prints CPU per run, records and broker requests per run, and puts them in the result. */
    private void report(Usage u, Map<String, Object> r) {
        out.printf(Locale.ROOT, "  CPU: %.2f s for %d runs = %.2f ms per completed run (whole process: broker, registry, "
                + "coordinator, agent, harness)%n", u.cpuSeconds(), u.runs(), u.cpuMsPerRun());
        // A stack still warming up compiles while it is measured: that CPU is in the figure above, and it competes with
        // the stack for the two cores. Its share says whether the warm-up was long enough for a steady-state figure.
        out.printf(Locale.ROOT, "  of which the JIT's compiler threads: %.2f s (%.1f%% of the phase's CPU; this process's "
                + "own; at steady state near 0)%n", u.jitSeconds(), 100 * u.jitShare());
        r.put("jit_cpu_s", u.jitSeconds());
        r.put("jit_cpu_share", u.jitShare());
        out.printf(Locale.ROOT, "  records per run (offsets, transaction markers included; log bytes): %.1f in all, %s%n",
                u.recordsPerRun(), RawKafkaFloor.TopicUsage.describe(u.byTopic()));
        requests("  ", u, r);
        if (!Double.isNaN(warmUpSeconds)) {
            r.put("warmup_s", warmUpSeconds);
        }
        r.put("cpu_s", u.cpuSeconds());
        r.put("cpu_ms_per_run", u.cpuMsPerRun());
        r.put("records_per_run", u.recordsPerRun());
        r.put("record_bytes_avg", u.valueBytes());
        r.put("records_per_run_by_topic", u.byTopic());
    }

    /** Baton's figure next to the floor's, and their ratio. */
    private void compare(String what, double baton, double floor, String unit, Map<String, Object> r, String key) {
        out.printf(Locale.ROOT, "  %s: Baton %s %s, raw Kafka floor %s %s, ratio %.1fx%n", what, Stats.f(baton), unit, Stats.f(floor),
                unit, baton / floor);
        r.put(key, baton / floor);
    }

    /** One hop of a chain: step {@code stepKey} started at {@code startedMs}, its predecessor succeeded at {@code prevMs}. */
    private interface HopConsumer {
        void hop(String stepKey, long prevMs, long startedMs);
    }

    /** Every hop of a chain run {@code s0 → s1 → …}: the previous step's success (report appended) to the next step's start. */
    private static void eachHop(List<RunEvent> events, HopConsumer c) {
        Map<String, Long> succeededAt = new HashMap<>();
        for (RunEvent e : events) {
            if (e.getPayload() instanceof StepSucceeded) {
                succeededAt.put(e.getStepKey(), e.getTimestamp().toEpochMilli());
            }
        }
        for (RunEvent e : events) {
            if (e.getPayload() instanceof StepStarted && e.getStepKey().startsWith("s")) {
                int n = Integer.parseInt(e.getStepKey().substring(1));
                Long prev = succeededAt.get("s" + (n - 1));
                if (prev != null) {
                    c.hop(e.getStepKey(), prev, e.getTimestamp().toEpochMilli());
                }
            }
        }
    }

    /** Per hop: the previous step's success (report appended) to the next step's start (report appended). */
    private static void hops(List<RunEvent> events, Stats hop) {
        eachHop(events, (step, prev, started) -> hop.add(started - prev));
    }

    /** Per step: its started report to its succeeded report (the times the run events carry). */
    private static void startedToResult(List<RunEvent> events, Stats stats) {
        Map<String, Long> startedAt = new HashMap<>();
        for (RunEvent e : events) {
            if (e.getPayload() instanceof StepStarted) {
                startedAt.put(e.getStepKey(), e.getTimestamp().toEpochMilli());
            } else if (e.getPayload() instanceof StepSucceeded && startedAt.containsKey(e.getStepKey())) {
                stats.add(e.getTimestamp().toEpochMilli() - startedAt.get(e.getStepKey()));
            }
        }
    }

    /** {@link #hops} cut where the next step's command became readable (first seen by {@code commands}). */
    private static void hopSplit(String runId, List<RunEvent> events, CommandClock commands, Stats toReadable, Stats readableToStarted) {
        eachHop(events, (step, prev, started) -> {
            Long seen = commands.seenAt(runId, step);
            if (seen != null) {
                toReadable.add(seen - prev);
                readableToStarted.add(started - seen);
            }
        });
    }

    /** A record produced to a sensor topic until the first step of its run started. */
    Map<String, Object> sensor() throws Exception {
        int records = quick ? 5 : 100;
        // -Dbench.sensor.rate=R: records offered open-loop at R per second for -Dbench.sensor.seconds (20), of which the
        // fraction -Dbench.sensor.match (1) passes the trigger's filter and starts a run; 0 (default): one at a time.
        int rate = Integer.getInteger("bench.sensor.rate", 0);
        int seconds = Integer.getInteger("bench.sensor.seconds", quick ? 3 : 20);
        double match = Double.parseDouble(System.getProperty("bench.sensor.match", "1"));
        if (rate < 0 || seconds <= 0 || !(match > 0 && match <= 1)) {
            throw new IllegalArgumentException("bench.sensor.rate must be >= 0, bench.sensor.seconds > 0, bench.sensor.match in (0, 1]");
        }
        Stats latency = new Stats();
        int runs;
        Usage usage;
        RawKafkaFloor.Serial floor;
        // At a fixed rate the agent is sized as in throughput (64 slots, 4 share consumers): with 4 slots it, not the
        // trigger path, was what fell behind at 500 runs/s.
        // The stage split's two clocks poll with 5 ms fetch waits: their CPU and fetches would count in the scenario's
        // figures, so they run only when asked (-Dbench.sensor.stages=true).
        boolean stages = Boolean.getBoolean("bench.sensor.stages");
        SensorSplit split = new SensorSplit();
        try (BenchStack stack = new BenchStack(true, rate > 0 ? 64 : 4); RunWatcher watcher = new RunWatcher(stack);
             RequestClock requests = stages ? new RequestClock(stack) : null;
             CommandClock commands = stages ? new CommandClock(stack) : null) {
            String topic = "bench.orders";
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.broker.bootstrapServers()))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
            }
            JobDefinition def = dev.baton.jobs.JobParser.parse("""
                    name: on_order
                    triggers:
                      - kafka: { name: orders, topic: bench.orders, filter: "value.amount > 0" }
                    steps:
                      - { key: react, noop: {} }
                    """, dev.baton.jobs.Format.YAML, java.time.Instant.now());
            var jobs = dev.baton.schemas.serde.AvroSerde.forValues(JobDefinition.class, stack.serde());
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
                    "bootstrap.servers", stack.broker.bootstrapServers(), "linger.ms", 0),
                    new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(stack.topics.jobs(), "on_order",
                        jobs.serialize(stack.topics.jobs(), def))).get();
                stack.startScheduler();
                if (rate > 0) {
                    // Open loop at a fixed rate: a steady stream, as a busy topic delivers it (warm-up at the same rate).
                    int[] slices = {0};
                    warmUpUntilSettled("records at " + rate + "/s", 30, 0, stack, d -> pacedSensor(producer, topic, rate, d, match,
                            watcher, "w" + slices[0]++ + "-", new Stats(), null));
                    Mark mark = Mark.now(stack);
                    long pid = ProcessHandle.current().pid();
                    ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot(pid);
                    runs = pacedSensor(producer, topic, rate, Duration.ofSeconds(seconds), match, watcher, "k", latency,
                            stages ? reaction -> split.add(reaction, requests, commands) : null);
                    ThreadCpu.Snapshot threads1 = ThreadCpu.snapshot(pid);
                    usage = mark.until(stack, runs, 0);
                    // Where the measured phase's CPU went, by kind of thread (the whole stack shares this process).
                    // Kernel names only (15 characters): jcmd Thread.print on the harness's own process hung in a run.
                    List<ThreadCpu.Row> rows = ThreadCpu.breakdown(threads0, threads1, Map.of());
                    out.printf(Locale.ROOT, "  CPU by thread kind in the measured phase (top %d):%n", Math.min(rows.size(), 15));
                    for (ThreadCpu.Row row : rows.subList(0, Math.min(rows.size(), 15))) {
                        out.printf(Locale.ROOT, "    %6.2f s  %3d x %s%n", row.cpuSeconds(), row.threads(), row.kind());
                    }
                } else {
                    warmUp("records", stack, 3, () -> {
                        var meta = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "warm-up",
                                "{\"amount\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
                        return watcher.finished(sensorRunId(topic, meta)).get(2, TimeUnit.MINUTES);
                    });
                    Mark mark = Mark.now(stack);
                    for (int i = 0; i < records; i++) {
                        long t0 = System.currentTimeMillis();
                        var meta = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, null, t0, "k" + i,
                                ("{\"amount\": " + (i + 1) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
                        String runId = sensorRunId(topic, meta);
                        RunWatcher.Finished f = watcher.finished(runId).get(2, TimeUnit.MINUTES);
                        latency.add(firstStarted(f) - t0);
                        if (stages) {
                            split.add(new Reaction(t0, runId, f), requests, commands);
                        }
                    }
                    runs = records;
                    usage = mark.until(stack, records, 0);
                }
            }
            whereTimeGoes(stack);
            // The sensor's own counts over the whole scenario (warm-up included): records per poll and per transaction.
            for (String name : List.of("baton.sensor.filtered", "baton.sensor.requests", "baton.sensor.batches", "baton.sensor.transactions")) {
                for (var c : stack.meters.find(name).counters()) {
                    out.printf(Locale.ROOT, "  %s: %.0f%n", name, c.count());
                }
            }
            // The floor of record -> reaction: as many records as the sensor read, of Baton's record size, one at a time
            // (serial) or offered at the same rate (paced).
            floor = rate > 0 ? RawKafkaFloor.paced(stack.broker.bootstrapServers(), offered(rate, seconds), usage.valueBytes(), rate)
                    : RawKafkaFloor.serial(stack.broker.bootstrapServers(), records, usage.valueBytes());
            out.println("  " + floor.describe());
        }
        out.printf(Locale.ROOT, "sensor: %s; record -> first step started p50 %s ms, p99 %s ms%n",
                rate > 0 ? String.format(Locale.ROOT, "%d records at %d/s, %d of them started a run", offered(rate, seconds), rate, runs)
                        : records + " records",
                Stats.f(latency.p(50)), Stats.f(latency.p(99)));
        Map<String, Object> r = new LinkedHashMap<>();
        if (stages) {
            split.print(out, r);
        }
        r.put("scenario", "sensor");
        r.put("records", rate > 0 ? offered(rate, seconds) : records);
        r.put("rate", rate);
        r.put("runs", runs);
        r.put("p50_ms", latency.p(50));
        r.put("p95_ms", latency.p(95));
        r.put("p99_ms", latency.p(99));
        compare("record -> first step started p50 vs one produce -> consume round trip p50", latency.p(50),
                floor.roundTripMs().p(50), "ms", r, "ratio_p50");
        compare("p99 vs round trip p99", latency.p(99), floor.roundTripMs().p(99), "ms", r, "ratio_p99");
        report(usage, r);
        r.put("floor", floor.json());
        return r;
    }

    private static int offered(int rate, int seconds) {
        return rate * seconds;
    }

    /** The run of the {@code on_order} job a sensor record started (runs are keyed by the record's position). */
    private static String sensorRunId(String topic, org.apache.kafka.clients.producer.RecordMetadata meta) {
        return dev.baton.platform.RunIds.forRunKey("on_order",
                dev.baton.platform.RunIds.sensorKey(topic, meta.partition(), meta.offset()));
    }

    /** A sensor record produced at {@code t0} (epoch ms) and the run it started. */
    record Reaction(long t0, String runId, RunWatcher.Finished finished) {}

    /**
     * Record -> first step started of sensor runs, cut into stages: the sensor read the record and appended its run
     * request (the request's broker append time, which the run's RunRequested event carries); the sensor's transaction
     * made it readable ({@link RequestClock}); the coordinator read it, dispatched and committed the command (command
     * readable, {@link CommandClock}); an agent took the command and reported the step started (the report's append
     * time). The clocks are read_committed consumers (fetch wait 5 ms, poll 20 ms): a readable time is the moment a
     * consumer saw it, a few ms late at most.
     */
    static final class SensorSplit {
        private final Stats toAppended = new Stats();
        private final Stats toReadable = new Stats();
        private final Stats toCommand = new Stats();
        private final Stats toStarted = new Stats();
        private int missing;

        void add(Reaction x, RequestClock requests, CommandClock commands) {
            long appended = x.finished().events().stream().filter(e -> e.getPayload() instanceof dev.baton.events.RunRequested)
                    .mapToLong(e -> e.getTimestamp().toEpochMilli()).min().orElse(-1);
            long started = firstStarted(x.finished());
            Long readable = requests.seenAt(x.runId());
            Long command = commands.seenAt(x.runId(), "react");
            if (appended < 0 || readable == null || command == null) {
                missing++;
                return;
            }
            toAppended.add(appended - x.t0());
            toReadable.add(readable - appended);
            toCommand.add(command - readable);
            toStarted.add(started - command);
        }

        void print(java.io.PrintStream out, Map<String, Object> r) {
            out.printf(Locale.ROOT, "  stages (p50 / p99 / max ms, %d runs%s): record -> request appended %s; -> sensor transaction "
                            + "committed (request readable) %s; -> command committed (readable) %s; -> step started %s%n",
                    toAppended.count(), missing > 0 ? ", " + missing + " not split" : "", three(toAppended), three(toReadable),
                    three(toCommand), three(toStarted));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("record_to_request_appended", stageJson(toAppended));
            m.put("appended_to_request_readable", stageJson(toReadable));
            m.put("request_readable_to_command_readable", stageJson(toCommand));
            m.put("command_readable_to_started", stageJson(toStarted));
            r.put("stages_ms", m);
        }

        private static String three(Stats s) {
            return Stats.f(s.p(50)) + " / " + Stats.f(s.p(99)) + " / " + Stats.f(s.p(100));
        }

        private static Map<String, Object> stageJson(Stats s) {
            return Map.of("p50", s.p(50), "p99", s.p(99), "max", s.p(100));
        }
    }

    /** When the run's first step started (its agent's report), epoch ms. */
    private static long firstStarted(RunWatcher.Finished f) {
        return f.events().stream().filter(e -> e.getPayload() instanceof StepStarted)
                .mapToLong(e -> e.getTimestamp().toEpochMilli()).min().orElseThrow();
    }

    /**
     * Offers sensor records open-loop at {@code rate} per second for {@code duration}; every record whose index falls
     * in the {@code match} fraction passes the filter (amount > 0), the others are filtered out. Adds record → first
     * step started of each run to {@code latency} and returns the number of runs.
     */
    private int pacedSensor(org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer, String topic, int rate,
            Duration duration, double match, RunWatcher watcher, String keyPrefix, Stats latency,
            java.util.function.Consumer<Reaction> each) throws Exception {
        int n = (int) (rate * duration.toMillis() / 1000);
        List<CompletableFuture<Reaction>> started = java.util.Collections.synchronizedList(new ArrayList<>());
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            next += interval;
            boolean passes = Math.floor((i + 1) * match) > Math.floor(i * match);
            long t0 = System.currentTimeMillis();
            CompletableFuture<Reaction> reaction = new CompletableFuture<>();
            if (passes) {
                started.add(reaction);
            }
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, null, t0, keyPrefix + i,
                    ("{\"amount\": " + (passes ? i + 1 : 0) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)), (meta, e) -> {
                if (e != null) {
                    reaction.completeExceptionally(e);
                } else if (passes) {
                    String runId = sensorRunId(topic, meta);
                    watcher.finished(runId).thenAccept(f -> reaction.complete(new Reaction(t0, runId, f)));
                }
            });
        }
        producer.flush();
        List<CompletableFuture<Reaction>> all;
        synchronized (started) {
            all = new ArrayList<>(started);
        }
        for (CompletableFuture<Reaction> f : all) {
            Reaction done = f.get(2, TimeUnit.MINUTES);
            latency.add(firstStarted(done.finished()) - done.t0());
            if (each != null) {
                each.accept(done);
            }
        }
        return all.size();
    }

    /**
     * Kills the coordinator (a separate JVM) with SIGKILL under load, restarts it, and reports how long dispatching
     * stopped and whether any run was lost or any step result was accepted twice.
     */
    Map<String, Object> recovery() throws Exception {
        int rate = quick ? 10 : 40;
        Duration load = quick ? Duration.ofSeconds(6) : Duration.ofSeconds(20);
        Duration killAfter = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(8);
        JobDefinition def = Requests.noopJob("pair", 2, true);
        long resumeMs;
        Map<String, Long> restartPhases = new LinkedHashMap<>();
        long coordinatorRssKb = -1;
        int submitted = 0;
        int lost = 0;
        int duplicated = 0;
        Usage usage;
        RawKafkaFloor.Bulk floor;
        // --quick (CI's smoke run) keeps the class-data archive: assembling an AOT cache costs tens of CPU seconds.
        String archive = Boolean.getBoolean("bench.nocds") ? "none"
                : System.getProperty("bench.archive", quick ? "cds" : launcherArchive());
        // The launcher records its cache over a real start's life, runs included; a training start that processed none
        // left the run path's classes and profiles out, and the restarted JVM loaded them cold before its first
        // dispatch. -Dbench.recovery.training.runs=0: the earlier training (start and stop only).
        int trainingRuns = archive.equals("none") ? 0 : Integer.getInteger("bench.recovery.training.runs", 10);
        try (BenchStack stack = new BenchStack(false, 16); RunWatcher watcher = new RunWatcher(stack); Requests req = new Requests(stack)) {
            String[] jvm = {};
            out.println("  coordinator class archive: " + archive + " (-Dbench.archive=cds|aot|none; default as the ./baton launcher"
                    + (quick ? ", cds with --quick)" : ")"));
            if (!archive.equals("none")) {
                out.printf(Locale.ROOT, "  training start: %d runs before it stops (-Dbench.recovery.training.runs)%n", trainingRuns);
            }
            if (archive.equals("cds")) {
                // As a deployment would (see docs/operations.md): a class-data archive of the coordinator, made by a
                // training start that exits cleanly, so a restarted JVM maps its classes instead of loading them.
                Path jsa = stack.dir.resolve("coordinator.jsa");
                Process training = stack.coordinatorProcess("bench-training", "-XX:ArchiveClassesAtExit=" + jsa);
                trainingRuns(req, watcher, def, trainingRuns);
                training.destroy();
                training.waitFor(60, TimeUnit.SECONDS);
                jvm = new String[] {"-XX:SharedArchiveFile=" + jsa};
            } else if (archive.equals("aot")) {
                // JDK 25's ahead-of-time cache (JEP 483/514/515): classes loaded and linked, and method profiles. Two
                // explicit steps: with -XX:AOTCacheOutput the training JVM forks the cache's assembly as it exits, and
                // that child died of SIGPIPE on the stdout pipe Java closes once the parent has exited (no cache).
                Path conf = stack.dir.resolve("coordinator.aotconf");
                Path aot = stack.dir.resolve("coordinator.aot");
                Process training = stack.coordinatorProcess("bench-training", "-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf);
                trainingRuns(req, watcher, def, trainingRuns);
                training.destroy();
                training.waitFor(120, TimeUnit.SECONDS);
                Process create = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                        "-XX:AOTMode=create", "-XX:AOTConfiguration=" + conf, "-XX:AOTCache=" + aot,
                        "-cp", System.getProperty("java.class.path"))
                        .redirectErrorStream(true).redirectOutput(stack.dir.resolve("aot-create.log").toFile()).start();
                if (!create.waitFor(300, TimeUnit.SECONDS) || create.exitValue() != 0 || !java.nio.file.Files.exists(aot)) {
                    throw new IllegalStateException("AOT cache not created (see " + stack.dir.resolve("aot-create.log") + ")");
                }
                out.printf(Locale.ROOT, "  AOT cache: %d MiB%n", java.nio.file.Files.size(aot) >> 20);
                jvm = new String[] {"-XX:AOTCache=" + aot};
            }
            Process coordinator = stack.coordinatorProcess("bench-coordinator", jvm);
            Mark mark = Mark.now(stack);
            double coordinatorCpu = -RawKafkaFloor.Cpu.of(coordinator.toHandle());
            List<String> runs = new ArrayList<>();
            List<CompletableFuture<RunWatcher.Finished>> futures = new ArrayList<>();
            CommandClock commands = new CommandClock(stack);
            long begin = System.nanoTime();
            long killAt = begin + killAfter.toNanos();
            long killWall = 0;
            long next = begin;
            boolean killed = false;
            while (System.nanoTime() < begin + load.toNanos()) {
                if (!killed && System.nanoTime() >= killAt) {
                    coordinatorRssKb = rssKb(String.valueOf(coordinator.pid()));
                    long before = commands.lastOffset();
                    coordinatorCpu += RawKafkaFloor.Cpu.of(coordinator.toHandle());
                    coordinator.destroyForcibly().waitFor();
                    killWall = System.currentTimeMillis();
                    killed = true;
                    commands.markKill(before, killWall);
                    out.println("  killed the coordinator (SIGKILL); restarting it");
                    coordinator = stack.coordinatorProcess("bench-coordinator", jvm);
                    out.printf(Locale.ROOT, "  new coordinator process running %d ms after the kill%n", System.currentTimeMillis() - killWall);
                    restartPhases.putAll(phasesAfter(stack.coordinatorPhases, killWall));
                    out.println("  restart phases (ms after the kill): " + restartPhases);
                }
                if (System.nanoTime() >= next) {
                    String id = req.submit(def);
                    runs.add(id);
                    futures.add(watcher.finished(id));
                    submitted++;
                    next += 1_000_000_000L / rate;
                }
                TimeUnit.MILLISECONDS.sleep(2);
            }
            for (CompletableFuture<RunWatcher.Finished> f : futures) {
                try {
                    RunWatcher.Finished fin = f.get(60, TimeUnit.SECONDS);
                    Map<String, Integer> successes = new HashMap<>();
                    for (RunEvent e : fin.events()) {
                        if (e.getPayload() instanceof StepSucceeded) {
                            successes.merge(e.getStepKey(), 1, Integer::sum);
                        }
                    }
                    duplicated += (int) successes.values().stream().filter(n -> n > 1).count();
                    if (!fin.status().equals("SUCCEEDED")) {
                        lost++;
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    lost++;
                }
            }
            resumeMs = commands.resumedAfterKillMs();
            commands.close();
            // The restarted coordinator's CPU counts from its launch (its start-up is part of what the crash cost).
            coordinatorCpu += RawKafkaFloor.Cpu.of(coordinator.toHandle());
            usage = mark.until(stack, submitted, coordinatorCpu);
            floor = RawKafkaFloor.bulk(stack.broker.bootstrapServers(),
                    (int) Math.max(1, Math.min(500_000, Math.round(usage.recordsPerRun() * submitted))), usage.valueBytes());
            out.println("  " + floor.describe());
            coordinator.destroy();
            coordinator.waitFor(30, TimeUnit.SECONDS);
        }
        out.printf(Locale.ROOT, "recovery: %d runs; dispatching resumed %d ms after SIGKILL; lost %d, duplicated step results %d; "
                        + "the coordinator process had %d MiB resident (-Xmx512m) when it was killed%n",
                submitted, resumeMs, lost, duplicated, coordinatorRssKb / 1024);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", "recovery");
        r.put("runs", submitted);
        r.put("resume_ms", resumeMs);
        r.put("lost", lost);
        r.put("duplicated", duplicated);
        r.put("coordinator_rss_mib", coordinatorRssKb / 1024);
        r.put("archive", archive);
        r.put("training_runs", trainingRuns);
        r.putAll(restartPhases);
        compare("dispatching again after SIGKILL vs a new consumer's first record", resumeMs, floor.firstRecordMs(), "ms", r,
                "ratio_resume");
        compare("records/s offered (runs/s x records per run) vs the floor's", rate * usage.recordsPerRun(), floor.recordsPerSecond(),
                "records/s", r, "ratio_records_per_s");
        out.println("  (CPU below includes both coordinator processes, the restarted one from its launch; not the training start)");
        report(usage, r);
        r.put("floor", floor.json());
        return r;
    }

    /**
     * Runs {@code n} runs of {@code def} through the training coordinator (40 per second, each to its end) so that its
     * archive or cache holds the run path, as the launcher's, recorded over a start that served runs, does.
     */
    private static void trainingRuns(Requests req, RunWatcher watcher, JobDefinition def, int n) throws Exception {
        List<CompletableFuture<RunWatcher.Finished>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            done.add(watcher.finished(req.submit(def)));
            TimeUnit.MILLISECONDS.sleep(25);
        }
        for (CompletableFuture<RunWatcher.Finished> f : done) {
            RunWatcher.Finished fin = f.get(60, TimeUnit.SECONDS);
            if (!fin.status().equals("SUCCEEDED")) {
                throw new IllegalStateException("training run " + fin.runId() + " ended " + fin.status());
            }
        }
    }

    /**
     * The class archive the {@code ./baton} launcher gives a coordinator on this JDK, the recovery scenario's default:
     * none with {@code BATON_CDS=0}, JDK 25's AOT cache from JDK 25 on (unless {@code BATON_AOT=0}), else a class-data
     * archive.
     */
    static String launcherArchive() {
        if ("0".equals(System.getenv("BATON_CDS"))) {
            return "none";
        }
        return Runtime.version().feature() >= 25 && !"0".equals(System.getenv("BATON_AOT")) ? "aot" : "cds";
    }

    /**
     * The restarted coordinator's start-up phases as milliseconds after the kill (JVM started, main() entered, topics
     * checked, Kafka Streams constructed, start() called and returned (global stores restored), restore of the tasks'
     * stores began and ended, running), keyed {@code restart_<phase>_ms}; phases not reached are left
     * out. {@code restored_records} is a count; {@code restart_cpu_ms_at_running} the CPU time the restarted JVM had
     * used when it was running (comparable on a loaded machine, where the wall-clock phases stretch).
     */
    static Map<String, Long> phasesAfter(Map<String, Long> phases, long killWall) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String p : List.of("jvm", "main", "coordinator_start", "topics", "streams_created", "streams_start",
                "streams_start_returned", "restore_start", "restore_end", "running")) {
            Long at = phases.get(p);
            if (at != null && at > 0) {
                m.put("restart_" + p + "_ms", at - killWall);
            }
        }
        m.put("restored_records", phases.getOrDefault("restored_records", 0L));
        if (phases.containsKey("cpu_ms_at_running")) {
            m.put("restart_cpu_ms_at_running", phases.get("cpu_ms_at_running"));
        }
        return m;
    }

    /** JMH micro-benchmarks of the fold (decide + apply) and the serde, in a forked JVM. */
    Map<String, Object> jmh() throws Exception {
        var opts = new org.openjdk.jmh.runner.options.OptionsBuilder()
                .include(System.getProperty("bench.jmh.include", "dev\\.baton\\.bench\\.jmh\\..*"))
                .jvmArgsAppend("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events")
                .shouldFailOnError(true);
        if (quick) {
            opts.warmupIterations(1).measurementIterations(1).warmupTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(200))
                    .measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(300));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", "jmh");
        for (var res : new org.openjdk.jmh.runner.Runner(opts.build()).run()) {
            String name = res.getParams().getBenchmark().replaceAll(".*\\.", "");
            for (String k : res.getParams().getParamsKeys()) {
                name += "_" + res.getParams().getParam(k);
            }
            var score = res.getPrimaryResult();
            out.printf(Locale.ROOT, "  %-26s %10.3f %s%n", name, score.getScore(), score.getScoreUnit());
            r.put(name + "_" + score.getScoreUnit().replace("/op", "_per_op"), score.getScore());
        }
        return r;
    }

    /** One run of 100 parallel steps and a join step. */
    Map<String, Object> fanout() throws Exception {
        int width = quick ? 20 : 100;
        JobDefinition def = Requests.fanOut("fanout", width);
        Stats wall = new Stats();
        Stats spread = new Stats();
        int reps = quick ? 1 : 5;
        Usage usage;
        RawKafkaFloor.Bulk floor;
        try (BenchStack stack = new BenchStack(true, 32); RunWatcher watcher = new RunWatcher(stack); Requests req = new Requests(stack)) {
            warmUp("runs", stack, 0, () -> watcher.finished(req.submit(def)).get(5, TimeUnit.MINUTES));
            Mark mark = Mark.now(stack);
            for (int i = 0; i < reps + 1; i++) {
                long t0 = System.nanoTime();
                String runId = req.submit(def);
                RunWatcher.Finished f = watcher.finished(runId).get(5, TimeUnit.MINUTES);
                double ms = (f.seenAtNanos() - t0) / 1e6;
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (RunEvent e : f.events()) {
                    if (e.getPayload() instanceof StepStarted && !"join".equals(e.getStepKey())) {
                        first = Math.min(first, e.getTimestamp().toEpochMilli());
                        last = Math.max(last, e.getTimestamp().toEpochMilli());
                    }
                }
                if (i > 0) {
                    wall.add(ms);
                    spread.add(last - first);
                }
                out.printf(Locale.ROOT, "  run %d: %s in %.1f ms; first to last parallel start %d ms%n", i + 1, f.status(), ms, last - first);
            }
            usage = mark.until(stack, reps + 1, 0);
            // The floor of one run: as many records as one run wrote, of their size, produced at once and consumed back.
            floor = RawKafkaFloor.bulk(stack.broker.bootstrapServers(), (int) Math.max(1, Math.round(usage.recordsPerRun())),
                    usage.valueBytes());
            out.println("  " + floor.describe());
        }
        out.printf(Locale.ROOT, "fanout: %d parallel steps + join; wall p50 %s ms; start spread p50 %s ms%n", width,
                Stats.f(wall.p(50)), Stats.f(spread.p(50)));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", "fanout");
        r.put("width", width);
        r.put("p50_ms", wall.p(50));
        r.put("p95_ms", wall.p(95));
        r.put("p99_ms", wall.p(99));
        r.put("spread_p50_ms", spread.p(50));
        compare("run wall p50 vs producing and consuming one run's records", wall.p(50), floor.seconds() * 1000, "ms", r, "ratio_p50");
        report(usage, r);
        r.put("floor", floor.json());
        return r;
    }

    /**
     * forEach at scale: one run whose noop step maps over 1,000 and then 10,000 elements (at most 256 in flight) and a
     * join. Prints the wall time from request to run end, and the run's state per element: the largest size the run's
     * state reaches while it runs (replayed from its events with the coordinator's own fold, encoded as the
     * coordinator's state codec stores it: header and step records) divided by the elements, and the instance output
     * records it writes per element. Bounded state means the first stays near the in-flight window, not the list.
     */
    Map<String, Object> forEach() throws Exception {
        int[] sizes = quick ? new int[] {100, 1000} : new int[] {1000, 10_000};
        JobDefinition def = Requests.forEach("foreach", 256);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", "foreach");
        try (BenchStack stack = new BenchStack(true, 32); RunWatcher watcher = new RunWatcher(stack); Requests req = new Requests(stack)) {
            warmUp("runs", stack, 0, () -> watcher.finished(req.submit(def, Map.of("list", list(100)))).get(5, TimeUnit.MINUTES));
            for (int n : sizes) {
                Mark mark = Mark.now(stack);
                long t0 = System.nanoTime();
                String runId = req.submit(def, Map.of("list", list(n)));
                RunWatcher.Finished f = watcher.finished(runId).get(30, TimeUnit.MINUTES);
                double ms = (f.seenAtNanos() - t0) / 1e6;
                Usage usage = mark.until(stack, 1, 0);
                long peak = peakStateBytes(f.events());
                out.printf(Locale.ROOT, "foreach: %d elements (maxParallel 256): %s in %.1f ms (%.3f ms per element);"
                                + " run state peak %d bytes, %.1f bytes per element%n", n, f.status(), ms, ms / n, peak,
                        (double) peak / n);
                // The floor: the records this run wrote (all topics, changelogs and markers included), in bulk.
                RawKafkaFloor.Bulk floor = RawKafkaFloor.bulk(stack.broker.bootstrapServers(),
                        (int) Math.max(1, Math.min(2_000_000, Math.round(usage.recordsPerRun()))), usage.valueBytes());
                out.println("  " + floor.describe());
                Map<String, Object> level = new LinkedHashMap<>();
                compare(n + " elements, wall time vs producing and consuming the run's records", ms, floor.seconds() * 1000,
                        "ms", level, "ratio_wall");
                report(usage, level);
                level.put("floor", floor.json());
                r.put("wall_ms_" + n, ms);
                r.put("status_" + n, f.status());
                r.put("state_peak_bytes_" + n, peak);
                r.put("state_bytes_per_element_" + n, (double) peak / n);
                r.put("at_" + n, level);
            }
        }
        return r;
    }

    private static String list(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(i);
        }
        return b.append(']').toString();
    }

    /** The largest encoded size (header + step records, definition by reference) of the run's state during its events. */
    private static long peakStateBytes(List<RunEvent> events) {
        dev.baton.runmodel.state.RunState s = null;
        long peak = 0;
        int i = 0;
        for (RunEvent e : events) {
            var event = dev.baton.runmodel.events.RunEventMapper.event(e.getPayload());
            s = dev.baton.runmodel.state.RunStateApplier.apply(s, new dev.baton.runmodel.events.Envelope(e.getEventId(),
                    e.getRunId(), e.getTimestamp(), e.getTraceId(), e.getJob(), e.getSequence(), e.getStepKey(), event));
            if (s != null && (++i % 50 == 0 || i == events.size())) {
                long bytes = dev.baton.coordinator.internal.serde.RunRecords.encodeHeader(s, "0".repeat(64)).length;
                for (var st : s.steps().values()) {
                    bytes += dev.baton.coordinator.internal.serde.RunRecords.encodeStep(st).length;
                }
                peak = Math.max(peak, bytes);
            }
        }
        return peak;
    }

    /**
     * Independent two-step runs offered open-loop at stepped request rates, after a warm-up of a minute at
     * 200 runs/s: the JIT compiles the broker, Streams, the agent and the serdes for about that long on two
     * cores, keeping one of them busy. Experiments:
     * {@code -Dbench.rates=150,250 -Dbench.level.seconds=30 -Dbench.warmup.seconds=20}.
     */
    Map<String, Object> throughput() throws Exception {
        int[] rates = java.util.Arrays.stream(System.getProperty("bench.rates", quick ? "50" : "200,350,400,450,500")
                .split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
        Duration levelDuration = Duration.ofSeconds(Long.getLong("bench.level.seconds", quick ? 3 : 20));
        JobDefinition def = Requests.noopJob("pair", 2, true);
        List<Map<String, Object>> levels = new ArrayList<>();
        double best = 0;
        double bestP99 = 0;
        long rssKb;
        long[] state;
        Usage bestUsage = null;
        RawKafkaFloor.Bulk floor;
        try (BenchStack stack = new BenchStack(true, 64); RunWatcher watcher = new RunWatcher(stack); Requests req = new Requests(stack);
             CommandClock visible = new CommandClock(stack); GcPauses gc = new GcPauses()) {
            out.println("  JVM (shared by the whole stack): " + GcPauses.settings());
            // -Dbench.warmup.rate: a loaded machine cannot take 200/s, and the backlog of the warm-up spills into the levels.
            int warmupRate = quick ? rates[0] : Integer.getInteger("bench.warmup.rate", 200);
            Level[] w = {null};
            warmUpUntilSettled("runs at " + warmupRate + "/s", 60, 1, stack, d -> {
                w[0] = offer(warmupRate, d, def, watcher, req, visible);
                return w[0].runs();
            });
            out.printf(Locale.ROOT, "  the warm-up's last part: p50 %s ms%n", Stats.f(w[0].latency().p(50)));
            for (int rate : rates) {
                Mark mark = Mark.now(stack);
                Map<String, Double> commitsBefore = commitTimes(stack);
                Map<String, double[]> loopsBefore = commandLoops(stack);
                double harnessBefore = RawKafkaFloor.Cpu.harnessSeconds();
                int gcMark = gc.mark();
                long levelStart = System.nanoTime();
                Level l = offer(rate, levelDuration, def, watcher, req, visible);
                double[] pauses = gc.since(gcMark);
                double levelSeconds = (System.nanoTime() - levelStart) / 1e9;
                Usage u = mark.until(stack, l.runs(), 0);
                // The harness's own threads (watcher, command clock, request producer) are part of the process's CPU.
                double harnessMsPerRun = l.runs() == 0 ? Double.NaN : (RawKafkaFloor.Cpu.harnessSeconds() - harnessBefore) * 1000 / l.runs();
                // Coordinator transactions per completed run: CPU per run falls with runs per transaction.
                double commitsPerRun = l.runs() == 0 ? Double.NaN
                        : (commitTimes(stack).getOrDefault("commits", 0.0) - commitsBefore.getOrDefault("commits", 0.0)) / l.runs();
                out.printf(Locale.ROOT, "  offered %4d runs/s: completed %6.0f runs/min, p50 %s ms, p99 %s ms (%d runs, throttled %d); "
                                + "CPU %.2f ms per completed run (of which the harness's threads %.2f), %.1f records per run, "
                                + "%.2f coordinator commits per run; the JIT's compiler threads %.1f%% of the level's CPU%n",
                        rate, l.perMinute(), Stats.f(l.latency().p(50)), Stats.f(l.latency().p(99)), l.runs(), l.throttled(),
                        u.cpuMsPerRun(), harnessMsPerRun, u.recordsPerRun(), commitsPerRun, 100 * u.jitShare());
                // The whole stack shares one JVM: a pause stops broker, coordinator and agent together.
                out.printf(Locale.ROOT, "    %s%n", GcPauses.describe(pauses, levelSeconds));
                Map<String, Object> level = new LinkedHashMap<>();
                requests("    ", u, level);
                level.put("agent_command_loops", commandLoopsSince(loopsBefore, commandLoops(stack)));
                level.put("offered_per_s", rate);
                level.put("completed_per_min", Math.round(l.perMinute()));
                level.put("p50_ms", l.latency().p(50));
                level.put("p99_ms", l.latency().p(99));
                level.put("cpu_ms_per_run", u.cpuMsPerRun());
                level.put("harness_cpu_ms_per_run", harnessMsPerRun);
                level.put("jit_cpu_share", u.jitShare());
                level.put("records_per_run", u.recordsPerRun());
                level.put("commits_per_run", commitsPerRun);
                level.put("gc_pauses", (long) pauses[0]);
                level.put("gc_pause_ms", pauses[1]);
                level.put("gc_pause_max_ms", pauses[2]);
                levels.add(level);
                if (l.latency().p(99) < 1000 && l.perMinute() > best) {
                    best = l.perMinute();
                    bestP99 = l.latency().p(99);
                    bestUsage = u; // the records of the best level (or, while none held, of the last one) size the floor
                } else if (best == 0) {
                    bestUsage = u;
                }
            }
            whereTimeGoes(stack);
            // The floor: as many records as the best level wrote, of their size, produced as fast as possible and consumed.
            int floorRecords = (int) Math.max(1, Math.min(500_000, Math.round(bestUsage.recordsPerRun() * bestUsage.runs())));
            floor = RawKafkaFloor.bulk(stack.broker.bootstrapServers(), floorRecords, bestUsage.valueBytes());
            out.println("  " + floor.describe());
            rssKb = rssKb();
            state = stateBytes(stack);
        }
        // The knee: the first offered rate the stack no longer keeps up with (completes under 95% of it, or p99 >= 1 s).
        Object knee = levels.stream().filter(l -> ((Number) l.get("completed_per_min")).doubleValue()
                        < 0.95 * 60 * ((Number) l.get("offered_per_s")).doubleValue() || (double) l.get("p99_ms") >= 1000)
                .map(l -> l.get("offered_per_s")).findFirst().orElse("none");
        out.printf(Locale.ROOT, "throughput: best sustained with p99 < 1 s: %.0f runs/min (p99 %s ms); knee at %s runs/s offered%n",
                best, Stats.f(bestP99), knee);
        out.printf(Locale.ROOT, "  memory: resident %d MiB for the one process holding broker, registry, coordinator and agent; "
                + "run state %d bytes per run in the store (%d runs), %d changelog bytes per run on disk%n",
                rssKb / 1024, state[0], state[1], state[2]);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", "throughput");
        r.put("runs_per_min", Math.round(best));
        r.put("p99_ms", bestP99);
        r.put("knee_offered_per_s", knee);
        r.put("rss_mib", rssKb / 1024);
        r.put("state_bytes_per_run", state[0]);
        r.put("changelog_bytes_per_run", state[2]);
        r.put("levels", levels);
        double batonRecordsPerS = best / 60 * bestUsage.recordsPerRun();
        compare("records/s at the best level (runs/s x records per run) vs produced and consumed", batonRecordsPerS,
                floor.recordsPerSecond(), "records/s", r, "ratio_records_per_s");
        out.printf(Locale.ROOT, "  floor in runs: %.0f runs/s if a run cost only its %.1f records of raw Kafka; CPU per run %.2f ms vs "
                        + "the floor's %.3f ms for those records (ratio %.1fx)%n", floor.recordsPerSecond() / bestUsage.recordsPerRun(),
                bestUsage.recordsPerRun(), bestUsage.cpuMsPerRun(), floor.cpuSeconds() / floor.records() * bestUsage.recordsPerRun() * 1000,
                bestUsage.cpuMsPerRun() / (floor.cpuSeconds() / floor.records() * bestUsage.recordsPerRun() * 1000));
        r.put("floor_runs_per_s", floor.recordsPerSecond() / bestUsage.recordsPerRun());
        r.put("floor_cpu_ms_per_run", floor.cpuSeconds() / floor.records() * bestUsage.recordsPerRun() * 1000);
        report(bestUsage, r);
        r.put("floor", floor.json());
        return r;
    }

    /** Average stored state per run (key + value), runs stored, and changelog bytes on disk per run. */
    private static long[] stateBytes(BenchStack stack) throws Exception {
        var store = stack.coordinator.streams().store(org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                dev.baton.coordinator.fixture.CoordinatorStores.RUN_STORE,
                org.apache.kafka.streams.state.QueryableStoreTypes.<String, byte[]>keyValueStore()));
        long bytes = 0;
        long runs = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                bytes += kv.key.length() + kv.value.length;
                runs++;
            }
        }
        long changelog = 0;
        String topic = stack.topics.applicationId("coordinator") + "-" + dev.baton.coordinator.fixture.CoordinatorStores.RUN_STORE + "-changelog";
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.broker.bootstrapServers()))) {
            for (var dir : admin.describeLogDirs(List.of(1)).allDescriptions().get().values()) {
                for (var logDir : dir.values()) {
                    for (var e : logDir.replicaInfos().entrySet()) {
                        if (e.getKey().topic().equals(topic)) {
                            changelog += e.getValue().size();
                        }
                    }
                }
            }
        }
        return new long[] {runs == 0 ? 0 : bytes / runs, runs, runs == 0 ? 0 : changelog / runs};
    }

    private record Level(Stats latency, double perMinute, int runs, int throttled) {}

    /**
     * Offers runs open-loop at {@code rate} per second for {@code duration} (as schedules, sensors and users
     * would, whatever the latency) and waits for all of them. The in-flight cap only keeps an overloaded stack
     * from queueing without bound; hitting it is reported as throttled.
     */
    /** The slowest run of a level so far, its latency and start (guarded by itself). */
    private static final class Slowest {
        RunWatcher.Finished run;
        double ms;
        long start;
    }

    private Level offer(int rate, Duration duration, JobDefinition def, RunWatcher watcher, Requests req, CommandClock visible)
            throws Exception {
        int maxInFlight = 2_000;
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        Stats latency = new Stats();
        // Each run's latency is taken as it finishes and its events let go at once (the watcher forgets the run),
        // but those of the slowest run so far: the harness shares its JVM with the coordinator and broker, and
        // holding every run's events to the level's end (and the watcher's futures for ever) made the process's
        // live heap, and so its GC work counted in CPU per run, grow with the runs offered (docs/benchmarks.md).
        Slowest slowest = new Slowest();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        long begin = System.nanoTime();
        long end = begin + duration.toNanos();
        long intervalNs = 1_000_000_000L / rate;
        long next = begin;
        int throttled = 0;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now < next) {
                TimeUnit.NANOSECONDS.sleep(Math.min(next - now, 1_000_000));
                continue;
            }
            if (inFlight.get() >= maxInFlight) {
                throttled++;
                TimeUnit.MICROSECONDS.sleep(200);
                continue;
            }
            long start = System.nanoTime();
            inFlight.incrementAndGet();
            String runId = req.submit(def);
            futures.add(watcher.finished(runId).thenAccept(f -> {
                watcher.forget(runId);
                double ms = (f.seenAtNanos() - start) / 1e6;
                synchronized (slowest) {
                    latency.add(ms);
                    if (ms > slowest.ms) {
                        slowest.ms = ms;
                        slowest.run = f;
                        slowest.start = start;
                    }
                }
            }).whenComplete((v, e) -> inFlight.decrementAndGet()));
            next += intervalNs;
        }
        for (CompletableFuture<Void> f : futures) {
            f.get(2, TimeUnit.MINUTES);
        }
        RunWatcher.Finished slowestRun;
        double slowestRunMs;
        long slowestStartWall;
        synchronized (slowest) {
            slowestRun = slowest.run;
            slowestRunMs = slowest.ms;
            slowestStartWall = System.currentTimeMillis() - (System.nanoTime() - slowest.start) / 1_000_000;
        }
        // -Dbench.slowest.print.ms: from how long the slowest run's timeline is printed (2 s; lower to look at a p99 tail).
        if (slowestRun != null && slowestRunMs > Long.getLong("bench.slowest.print.ms", 2_000)) {
            // Where did the slowest run wait? Event times are broker append times of the inputs.
            StringBuilder tl = new StringBuilder();
            for (RunEvent e : slowestRun.events()) {
                tl.append(String.format(Locale.ROOT, " %s%s@+%d", e.getPayload().getClass().getSimpleName(),
                        e.getStepKey() == null ? "" : "(" + e.getStepKey() + ")", e.getTimestamp().toEpochMilli() - slowestStartWall));
            }
            for (String step : List.of("s1", "s2")) {
                Long v = visible.seenAt(slowestRun.runId(), step);
                tl.append(String.format(Locale.ROOT, " | command %s visible (read_committed) @+%s", step,
                        v == null ? "never" : String.valueOf(v - slowestStartWall)));
            }
            out.printf(Locale.ROOT, "    slowest run %.0f ms:%s%n", slowestRunMs, tl);
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        return new Level(latency, futures.size() / seconds * 60, futures.size(), throttled);
    }

    static long rssKb() {
        return rssKb("self");
    }

    /** Resident memory of a process ({@code self} or a pid) in KiB, -1 where /proc is not there. */
    static long rssKb(String pid) {
        return procStatusKb(pid, "VmRSS:");
    }

    /** A KiB field of /proc/{pid}/status ({@code VmRSS:}, {@code VmHWM:} the peak), -1 where /proc is not there. */
    static long procStatusKb(String pid, String field) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", pid, "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // not on Linux
        }
        return -1;
    }

    public static String json(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringJoiner j = new StringJoiner(",", "{", "}");
            m.forEach((k, v) -> j.add("\"" + k + "\":" + json(v)));
            return j.toString();
        }
        if (o instanceof List<?> l) {
            StringJoiner j = new StringJoiner(",", "[", "]");
            l.forEach(v -> j.add(json(v)));
            return j.toString();
        }
        if (o instanceof Double d) {
            return d.isNaN() ? "null" : String.format(Locale.ROOT, "%.3f", d);
        }
        if (o instanceof Number || o instanceof Boolean) {
            return o.toString();
        }
        return "\"" + String.valueOf(o).replace("\"", "\\\"") + "\"";
    }
}
