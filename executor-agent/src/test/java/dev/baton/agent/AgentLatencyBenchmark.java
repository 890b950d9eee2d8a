package dev.baton.agent;

import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepStartedReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's share of a step's latency, one command at a time: command produced → started report
 * consumed, and → final report consumed, for noop and trivial run steps. Prints percentiles; asserts
 * nothing (timings belong in benchmarks). Run: {@code ./mvnw -o -pl executor-agent verify -Pslow -Dtest=AgentLatencyBenchmark}.
 */
@WithKafka
@Tag("slow")
class AgentLatencyBenchmark {
    private static final Logger log = LoggerFactory.getLogger(AgentLatencyBenchmark.class);

    @Test
    void sequentialStepLatency(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "latency")) {
            Agent agent = h.startAgent(Map.of(AgentConfig.SLOTS, 4));
            Map<String, CompletableFuture<Long>> started = new ConcurrentHashMap<>();
            Map<String, CompletableFuture<Long>> done = new ConcurrentHashMap<>();
            h.onReport = r -> {
                long now = System.nanoTime();
                var map = r.getReport() instanceof StepStartedReport ? started : AgentHarness.isTerminal(r) ? done : null;
                if (map != null) {
                    map.computeIfAbsent(r.getAttemptId(), k -> new CompletableFuture<>()).complete(now);
                }
            };
            measure(h, started, done, "noop", () -> new NoopAction(), 100, 500);
            measure(h, started, done, "run", () -> new RunAction("true", "bash", Map.of(), null), 20, 200);
            var timer = agent.meterRegistry().get("baton.agent.dispatch.to.start").timer();
            log.info("dispatch_to_start (agent metric, all steps incl. warm-up): {}", timer.takeSnapshot());
        }
    }

    private static void measure(AgentHarness h, Map<String, CompletableFuture<Long>> started,
                                Map<String, CompletableFuture<Long>> done, String label,
                                java.util.function.Supplier<Object> action, int warmup, int n) throws Exception {
        List<Double> toStart = new ArrayList<>();
        List<Double> toDone = new ArrayList<>();
        for (int i = 0; i < warmup + n; i++) {
            long t0 = System.nanoTime();
            StepCommand cmd = h.execute("default", action.get());
            long s = started.computeIfAbsent(cmd.getAttemptId(), k -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
            long d = done.computeIfAbsent(cmd.getAttemptId(), k -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
            if (i >= warmup) {
                toStart.add((s - t0) / 1e6);
                toDone.add((d - t0) / 1e6);
            }
        }
        log.info("{} x{}: command→started p50={} p99={} ms; command→finished p50={} p99={} ms", label, n,
                pct(toStart, 50), pct(toStart, 99), pct(toDone, 50), pct(toDone, 99));
    }

    private static String pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return String.format("%.2f", s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1)));
    }

}
