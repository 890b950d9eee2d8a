package dev.baton.coordinator.internal.events;

import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.runmodel.events.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the coordinator folds: requests, agent reports, control commands and fired timers. */
public sealed interface Input {
    String eventId();
    String runId();
    /** Time of the input's origin (record timestamp, or the punctuation time for timers). */
    Instant timestamp();
    String traceId();

    record RequestRun(String eventId, String runId, Instant timestamp, String traceId, String job, String runKey,
                      Map<String, String> params, Map<String, String> tags, Event.Origin origin, String parentRunId,
                      String requestedBy, Integer priority, JobDefinition definition,
                      Map<String, Event.Reused> reuse, String partition, String traceparent, List<String> callChain,
                      boolean noCache) implements Input {
        public RequestRun {
            callChain = callChain == null ? List.of() : List.copyOf(callChain);
        }

        /** A request without a requester's trace context, not made by a sub-job step, with the step cache in use. */
        public RequestRun(String eventId, String runId, Instant timestamp, String traceId, String job, String runKey,
                          Map<String, String> params, Map<String, String> tags, Event.Origin origin, String parentRunId,
                          String requestedBy, Integer priority, JobDefinition definition,
                          Map<String, Event.Reused> reuse, String partition) {
            this(eventId, runId, timestamp, traceId, job, runKey, params, tags, origin, parentRunId, requestedBy, priority,
                    definition, reuse, partition, null, List.of(), false);
        }

        public RequestRun withDefinition(JobDefinition def) {
            return new RequestRun(eventId, runId, timestamp, traceId, job, runKey, params, tags, origin, parentRunId,
                    requestedBy, priority, def, reuse, partition, traceparent, callChain, noCache);
        }
    }

    record CancelRun(String eventId, String runId, Instant timestamp, String traceId, String actor, String reason,
                     long graceMs) implements Input {}

    record RetryRun(String eventId, String runId, Instant timestamp, String traceId, String actor, String newRunId)
            implements Input {}

    record AdmitRun(String eventId, String runId, Instant timestamp, String traceId, String job) implements Input {}

    record AdmitStep(String eventId, String runId, Instant timestamp, String traceId, String stepKey, String pool)
            implements Input {}

    /** An agent report about one attempt. */
    sealed interface Report extends Input {
        String stepKey();
        int attempt();
        String attemptId();
        String agentId();
    }

    record Started(String eventId, String runId, Instant timestamp, String traceId, String stepKey, int attempt,
                   String attemptId, String agentId, String host, String region) implements Report {}

    record Heartbeat(String eventId, String runId, Instant timestamp, String traceId, String stepKey, int attempt,
                     String attemptId, String agentId) implements Report {}

    record Succeeded(String eventId, String runId, Instant timestamp, String traceId, String stepKey, int attempt,
                     String attemptId, String agentId, Map<String, String> outputs, Map<String, String> outputRefs,
                     List<MaterializationReport> materializations, long durationMs) implements Report {}

    record Failed(String eventId, String runId, Instant timestamp, String traceId, String stepKey, int attempt,
                  String attemptId, String agentId, Event.ErrorClass errorClass, String message, Integer exitCode,
                  boolean retryable, long durationMs) implements Report {}

    /** A run started by one of this run's sub-job steps ended (sent by the child's partition). */
    record ChildRunEnded(String eventId, String runId, Instant timestamp, String traceId, String childRunId,
                         Outcome outcome, Map<String, String> outputs, String reason, long durationMs) implements Input {
        public enum Outcome { SUCCEEDED, FAILED, CANCELED }
    }

    /**
     * The step cache's answer to this run's lookup for one step; {@code entry} null: nothing stored under the key.
     * Whether an entry is still fresh is decided by the fold against this input's timestamp.
     */
    record CacheAnswer(String eventId, String runId, Instant timestamp, String traceId, String stepKey, String indexKey,
                       CacheEntry entry) implements Input {}

    /** One step cache entry: an earlier successful attempt's results. */
    record CacheEntry(String indexKey, String cacheKey, String runId, String stepKey, int attempt, Instant succeededAt,
                      Map<String, String> outputs, Map<String, String> outputRefs, List<Event.Materialized> materializations) {}

    /** A timer came due; {@code timestamp} is the wall-clock time of the punctuation that fired it. */
    record TimerFired(String eventId, String runId, Instant timestamp, String traceId, Timer timer) implements Input {}

    /** A scheduled wake-up for one run. */
    record Timer(Kind kind, String runId, String stepKey, int attempt, Instant dueAt) {
        public enum Kind { HEARTBEAT_DEADLINE, STEP_TIMEOUT, RETRY, RUN_TIMEOUT, CANCEL_GRACE, RETENTION }

        /** What identifies an armed timer: at most one per identity is armed; re-arming replaces it. */
        public record Id(Kind kind, String runId, String stepKey, int attempt) {}

        public Id id() {
            return new Id(kind, runId, stepKey, attempt);
        }
    }
}
