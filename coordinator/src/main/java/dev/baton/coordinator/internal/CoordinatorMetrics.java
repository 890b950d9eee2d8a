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
    private final Counter timersDeferred;
    private final Counter commitsAtOnce;
    private final Counter commitsDeferred;
    private final Timer commitDeferral;
    private final Map<String, AtomicLong> queues = new ConcurrentHashMap<>();
    /**
     * Per-job meters by job and tag values: looking a meter up through its builder on every run (tags sorted, id built,
     * for the duration histogram its buckets' configuration too) was a visible share of a run's decisions.
     */
    private final Map<String, Counter> runsStarted = new ConcurrentHashMap<>();
    private final Map<String, RunEnd> runEnds = new ConcurrentHashMap<>();
    private final Map<String, Timer> stepDurations = new ConcurrentHashMap<>();

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
        this.timersDeferred = Counter.builder("baton_coordinator_timers_deferred_total")
                .description("Punctuations that held back a due heartbeat deadline or timeout because the agent reports "
                        + "of before its due time may still be unread (the coordinator is behind)").register(registry);
        this.commitsAtOnce = Counter.builder("baton_coordinator_urgent_commits_total").tag("when", "at_once")
                .description("Commits asked for dispatches and run ends: at once, or deferred to share a commit (coalescing)")
                .register(registry);
        this.commitsDeferred = Counter.builder("baton_coordinator_urgent_commits_total").tag("when", "deferred")
                .description("Commits asked for dispatches and run ends: at once, or deferred to share a commit (coalescing)")
                .register(registry);
        this.commitDeferral = Timer.builder("baton_coordinator_commit_deferral")
                .description("First answer held back by commit coalescing to the commit request that paid it")
                .register(registry);
    }

    /** An urgent answer's commit was asked at once ({@code deferred} false) or held back to share a later one. */
    public void urgentCommit(boolean deferred) {
        (deferred ? commitsDeferred : commitsAtOnce).increment();
    }

    /** A held-back commit was paid {@code nanos} after the first answer that owed it. */
    public void commitDeferral(long nanos) {
        commitDeferral.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public MeterRegistry registry() { return registry; }

    public void runStarted(String job) {
        runsStarted.computeIfAbsent(job, j -> registry.counter("baton_coordinator_runs_started_total", "job", j)).increment();
    }

    /** Buckets of {@code baton_run_duration_seconds}: fine where interactive runs end, coarse up to six hours. */
    static final Duration[] RUN_DURATION_BUCKETS = java.util.stream.Stream.of(
                    100L, 250L, 500L, 1_000L, 2_500L, 5_000L, 10_000L, 30_000L, 60_000L, 120_000L, 300_000L, 600_000L,
                    1_800_000L, 3_600_000L, 7_200_000L, 21_600_000L)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    /** The meters of runs that ended with one status, by job: counted and timed. */
    private record RunEnd(Counter finished, Timer duration) {}

    /**
     * A run ended after {@code durationMs} (request accepted to last step ended): the histogram
     * {@code baton_run_duration_seconds{job,status}} with fixed Prometheus buckets, so that
     * {@code histogram_quantile(0.95, ...)} gives the p95 per job.
     */
    public void runFinished(String job, String status, long durationMs) {
        RunEnd end = runEnds.computeIfAbsent(job + '\0' + status, k -> new RunEnd(
                registry.counter("baton_coordinator_runs_finished_total", "job", job, "status", status),
                Timer.builder("baton.run.duration").description("Duration of finished runs (accepted to ended), by job and final status")
                        .tags("job", job, "status", status).serviceLevelObjectives(RUN_DURATION_BUCKETS).register(registry)));
        end.finished().increment();
        end.duration().record(Duration.ofMillis(Math.max(0, durationMs)));
    }

    /**
     * A failed attempt by its error class ({@code USER_ERROR}, {@code TIMEOUT}, {@code LOST}, {@code INFRASTRUCTURE},
     * {@code SECRET_MISSING}, ...), retried or not: {@code baton_step_failures_total{job,error_class}}.
     */
    public void stepFailed(String job, String errorClass) {
        registry.counter("baton.step.failures", "job", job, "error_class", errorClass).increment();
    }

    public void stepFinished(String job, String outcome, long durationMs) {
        stepDurations.computeIfAbsent(job + '\0' + outcome,
                k -> registry.timer("baton_coordinator_step_duration", "job", job, "outcome", outcome)).record(Duration.ofMillis(durationMs));
    }

    /**
     * A step with {@code cache:} looked up the step cache: {@code baton_step_cache_total{job,result}} with result
     * {@code hit} (not dispatched, outputs reused), {@code miss} (no entry, expired, or another definition) or
     * {@code bypass} (the run was requested with noCache).
     */
    public void stepCache(String job, String result) {
        registry.counter("baton.step.cache", "job", job, "result", result).increment();
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

    /** A due liveness timer held back because this task's agent reports are not read up to its due time. */
    public void timerDeferred() {
        timersDeferred.increment();
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

    /**
     * Per asset with a freshness policy: 1 when fresh, and when it was last materialized; the lag gauge (age of the
     * latest materialization) is computed when read, so it stays current between the freshness checks (which run only
     * when an asset is due to go stale).
     */
    public void freshness(String asset, boolean isFresh, long lastMaterializedAtMs) {
        fresh.computeIfAbsent(asset, k -> registry.gauge("baton_asset_fresh", io.micrometer.core.instrument.Tags.of("asset", k),
                new AtomicLong())).set(isFresh ? 1 : 0);
        freshnessLag.computeIfAbsent(asset, k -> registry.gauge("baton_asset_freshness_lag_seconds",
                io.micrometer.core.instrument.Tags.of("asset", k), new AtomicLong(),
                at -> Math.max(0, (System.currentTimeMillis() - at.get()) / 1000))).set(lastMaterializedAtMs);
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
