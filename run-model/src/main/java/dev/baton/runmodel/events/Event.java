package dev.baton.runmodel.events;

import dev.baton.events.JobDefinition;
import dev.baton.events.UpstreamRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run's events: what happened to a run, as immutable Java records. The coordinator decides and writes them; it and
 * the gateway fold them with {@link dev.baton.runmodel.state.RunStateApplier}. They are converted to and from the
 * public Avro {@code RunEvent} only at the serde boundary ({@link RunEventMapper}).
 * Each type carries an explicit, never reused {@link Intent} code.
 */
public sealed interface Event {
    Intent intent();

    /** Events about the run as a whole. */
    sealed interface RunLevel extends Event {}

    /** Events about one step; their envelope names the step. */
    sealed interface StepLevel extends Event {}

    enum Origin { API, SCHEDULE, SENSOR, ASSET, RETRY, WEBHOOK, UNKNOWN, SUBJOB }

    enum ErrorClass { USER_ERROR, TIMEOUT, INFRASTRUCTURE, CANCELED, LOST, UNKNOWN, SECRET_MISSING }

    enum Rejection {
        DUPLICATE_RUN, UNKNOWN_JOB, INVALID_REQUEST, UNKNOWN_RUN, UNKNOWN_STEP, STALE_ATTEMPT, DUPLICATE_REPORT,
        RUN_FINISHED, RUN_CANCELED, INVALID_STATE, OUTPUTS_TOO_LARGE, NOT_RETRYABLE, UNKNOWN
    }

    record Reused(String fromRunId, int attempt, Map<String, String> outputs) {}

    /** One asset materialization written to the lineage stream for a successful attempt. */
    record Materialized(String assetKey, String partition, String id, String dataVersion) {}

    record RunRequested(String job, JobDefinition definition, String runKey, Map<String, String> params,
                        Map<String, String> tags, Origin origin, String parentRunId, String requestedBy, int priority,
                        Map<String, Reused> reuse, String partition, String traceparent, List<String> callChain,
                        boolean noCache) implements RunLevel {
        public RunRequested {
            callChain = callChain == null ? List.of() : List.copyOf(callChain);
        }

        /** A request without a requester's trace context, not made by a sub-job step, with the step cache in use. */
        public RunRequested(String job, JobDefinition definition, String runKey, Map<String, String> params,
                            Map<String, String> tags, Origin origin, String parentRunId, String requestedBy, int priority,
                            Map<String, Reused> reuse, String partition) {
            this(job, definition, runKey, params, tags, origin, parentRunId, requestedBy, priority, reuse, partition, null,
                    List.of(), false);
        }

        public Intent intent() { return Intent.RUN_REQUESTED; }
    }
    record RunQueued(int priority) implements RunLevel { public Intent intent() { return Intent.RUN_QUEUED; } }
    record RunStarted() implements RunLevel { public Intent intent() { return Intent.RUN_STARTED; } }
    record RunSucceeded(long durationMs) implements RunLevel { public Intent intent() { return Intent.RUN_SUCCEEDED; } }
    record RunFailed(String reason, List<String> failedSteps, long durationMs, boolean timedOut) implements RunLevel {
        public Intent intent() { return Intent.RUN_FAILED; }
    }
    record RunCancelRequested(String reason, String actor, Instant deadline) implements RunLevel {
        public Intent intent() { return Intent.RUN_CANCEL_REQUESTED; }
    }
    record RunCanceled(String reason, long durationMs) implements RunLevel { public Intent intent() { return Intent.RUN_CANCELED; } }
    record RunRequestRejected(Rejection rejection, String reason, String existingRunId, String runKey, String requestEventId)
            implements RunLevel {
        public Intent intent() { return Intent.RUN_REQUEST_REJECTED; }
    }
    record RunRetried(String newRunId, List<String> reusedSteps) implements RunLevel { public Intent intent() { return Intent.RUN_RETRIED; } }
    record RunExpired() implements RunLevel { public Intent intent() { return Intent.RUN_EXPIRED; } }
    record CommandRejected(String commandType, Rejection rejection, String reason, String commandEventId) implements RunLevel {
        public Intent intent() { return Intent.COMMAND_REJECTED; }
    }

    record StepQueued(String pool) implements StepLevel { public Intent intent() { return Intent.STEP_QUEUED; } }
    record StepDispatched(int attempt, String attemptId, String pool, List<UpstreamRef> upstream) implements StepLevel {
        public Intent intent() { return Intent.STEP_DISPATCHED; }
    }
    record StepStarted(int attempt, String attemptId, String agentId, String host, String region) implements StepLevel {
        public Intent intent() { return Intent.STEP_STARTED; }
    }
    record StepHeartbeat(int attempt, String attemptId, String agentId) implements StepLevel {
        public Intent intent() { return Intent.STEP_HEARTBEAT; }
    }
    record StepSucceeded(int attempt, String attemptId, Map<String, String> outputs, Map<String, String> outputRefs,
                         long durationMs, List<Materialized> materializations) implements StepLevel {
        public Intent intent() { return Intent.STEP_SUCCEEDED; }
    }
    record StepFailed(int attempt, String attemptId, ErrorClass errorClass, String message, Integer exitCode,
                      boolean retryable, boolean last, long durationMs) implements StepLevel {
        public Intent intent() { return Intent.STEP_FAILED; }
    }
    /** @param infrastructure the retry is charged to the infrastructure-retry budget (the attempt was lost to its agent) */
    record StepRetryScheduled(int nextAttempt, Instant dueAt, long backoffMs, boolean infrastructure) implements StepLevel {
        public StepRetryScheduled(int nextAttempt, Instant dueAt, long backoffMs) {
            this(nextAttempt, dueAt, backoffMs, false);
        }
        public Intent intent() { return Intent.STEP_RETRY_SCHEDULED; }
    }
    record StepLost(int attempt, String attemptId, Instant lastHeartbeat) implements StepLevel {
        public Intent intent() { return Intent.STEP_LOST; }
    }
    record StepTimedOut(int attempt, String attemptId, long timeoutMs) implements StepLevel {
        public Intent intent() { return Intent.STEP_TIMED_OUT; }
    }
    record StepCancelRequested(int attempt, String attemptId, String reason) implements StepLevel {
        public Intent intent() { return Intent.STEP_CANCEL_REQUESTED; }
    }
    record StepCanceled(int attempt, String attemptId, String reason) implements StepLevel {
        public Intent intent() { return Intent.STEP_CANCELED; }
    }
    record StepSkipped(String reason) implements StepLevel { public Intent intent() { return Intent.STEP_SKIPPED; } }
    record StepReused(String fromRunId, int attempt, Map<String, String> outputs) implements StepLevel {
        public Intent intent() { return Intent.STEP_REUSED; }
    }
    /** A sub-job step started its child run; the step is RUNNING until the child ends. */
    record StepSubJobStarted(int attempt, String attemptId, String childRunId, String job, Map<String, String> params)
            implements StepLevel {
        public Intent intent() { return Intent.STEP_SUBJOB_STARTED; }
    }
    /** A cached step is ready and waits (QUEUED) for the step cache's answer. */
    record StepCacheLookup(String cacheKey, String indexKey) implements StepLevel {
        public Intent intent() { return Intent.STEP_CACHE_LOOKUP; }
    }
    /** The step is taken from the cache: the outputs and materializations of {@code fromRunId}'s attempt. */
    record StepCacheHit(String cacheKey, String fromRunId, int fromAttempt, Instant cachedAt, Map<String, String> outputs,
                        Map<String, String> outputRefs, List<Materialized> materializations) implements StepLevel {
        public Intent intent() { return Intent.STEP_CACHE_HIT; }
    }
    /** No usable cache entry: the step runs. */
    record StepCacheMiss(String cacheKey, String reason) implements StepLevel {
        public Intent intent() { return Intent.STEP_CACHE_MISS; }
    }
    /** A forEach step's list resolved to {@code count} elements; its instances ({@code key[i]}) follow. */
    record StepMapped(int count, int maxParallel) implements StepLevel {
        public Intent intent() { return Intent.STEP_MAPPED; }
    }
    record ReportRejected(String stepKey, int attempt, String attemptId, String agentId, String reportType,
                          Rejection rejection, String reason, String reportEventId) implements RunLevel {
        public Intent intent() { return Intent.REPORT_REJECTED; }
    }
}
