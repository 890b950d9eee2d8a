package dev.baton.coordinator.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The coordinator's Prometheus metrics (names prefixed {@code baton_coordinator_}). */
public final class CoordinatorMetrics {
    private final MeterRegistry registry;
    private final Timer dispatchLatency;
    private final Timer punctuationLag;
    private final Counter deadLetters;
    private final Map<String, AtomicLong> queues = new ConcurrentHashMap<>();

    public CoordinatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.dispatchLatency = Timer.builder("baton_coordinator_dispatch_latency")
                .description("Input record appended (report, request, timer) to step command emitted")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.punctuationLag = Timer.builder("baton_coordinator_punctuation_lag")
                .description("Timer due time to the punctuation that fired it")
                .publishPercentileHistogram().register(registry);
        this.deadLetters = Counter.builder("baton_coordinator_dead_letters_total")
                .description("Input records set aside to the dead-letter topic").register(registry);
    }

    public MeterRegistry registry() { return registry; }

    public void runStarted(String job) {
        registry.counter("baton_coordinator_runs_started_total", "job", job).increment();
    }

    public void runFinished(String job, String status) {
        registry.counter("baton_coordinator_runs_finished_total", "job", job, "status", status).increment();
    }

    public void stepFinished(String job, String outcome, long durationMs) {
        registry.timer("baton_coordinator_step_duration", "job", job, "outcome", outcome).record(Duration.ofMillis(durationMs));
    }

    public void rejected(String type, String reason) {
        registry.counter("baton_coordinator_rejections_total", "type", type, "reason", reason).increment();
    }

    public void dispatched(long latencyMs) {
        dispatchLatency.record(Duration.ofMillis(Math.max(0, latencyMs)));
    }

    public void punctuationLag(long lagMs) {
        punctuationLag.record(Duration.ofMillis(Math.max(0, lagMs)));
    }

    public void deadLetter() {
        deadLetters.increment();
    }

    /** A run the coordinator failed itself (a record over the size limit, or an error handling its input or timer). */
    public void runAborted() {
        registry.counter("baton_coordinator_runs_aborted_total").increment();
    }

    private final Map<String, AtomicLong> freshnessLag = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> fresh = new ConcurrentHashMap<>();

    /** Per asset with a freshness policy: 1 when fresh, and the age of its latest materialization. */
    public void freshness(String asset, boolean isFresh, long lagMs) {
        fresh.computeIfAbsent(asset, k -> registry.gauge("baton_asset_fresh", io.micrometer.core.instrument.Tags.of("asset", k),
                new AtomicLong())).set(isFresh ? 1 : 0);
        freshnessLag.computeIfAbsent(asset, k -> registry.gauge("baton_asset_freshness_lag_seconds",
                io.micrometer.core.instrument.Tags.of("asset", k), new AtomicLong())).set(Math.max(0, lagMs / 1000));
    }

    public void admissionQueue(String key, int length) {
        queues.computeIfAbsent(key, k -> {
            AtomicLong v = new AtomicLong();
            String[] p = k.split(":", 2);
            registry.gauge("baton_coordinator_queue_length", io.micrometer.core.instrument.Tags.of("scope", p[0], "name", p[1]), v);
            return v;
        }).set(length);
    }
}
