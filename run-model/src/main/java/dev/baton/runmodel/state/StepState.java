package dev.baton.runmodel.state;

import dev.baton.runmodel.events.Event.ErrorClass;
import dev.baton.runmodel.events.Event.Materialized;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One step of a run. Immutable; changed only by {@link RunStateApplier}. {@code infraRetries} counts the retries charged
 * to the infrastructure-retry budget (attempts lost to their agent); the step's own retry policy counts the others.
 */
public record StepState(
        String key,
        boolean hook,
        StepStatus status,
        int attempt,
        String attemptId,
        String agentId,
        Instant dispatchedAt,
        Instant startedAt,
        Instant lastHeartbeat,
        Instant endedAt,
        Map<String, String> outputs,
        Map<String, String> outputRefs,
        List<Materialized> materializations,
        ErrorClass lastError,
        String lastMessage,
        boolean cancelRequested,
        Instant retryDueAt,
        String reusedFrom,
        List<Materialized> upstream,
        int infraRetries,
        String childRunId,
        ForEachProgress forEach) {

    /** A step that is not a sub-job step (no child run) nor a forEach step. */
    public StepState(String key, boolean hook, StepStatus status, int attempt, String attemptId, String agentId,
                     Instant dispatchedAt, Instant startedAt, Instant lastHeartbeat, Instant endedAt,
                     Map<String, String> outputs, Map<String, String> outputRefs, List<Materialized> materializations,
                     ErrorClass lastError, String lastMessage, boolean cancelRequested, Instant retryDueAt,
                     String reusedFrom, List<Materialized> upstream, int infraRetries) {
        this(key, hook, status, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat, endedAt, outputs,
                outputRefs, materializations, lastError, lastMessage, cancelRequested, retryDueAt, reusedFrom, upstream,
                infraRetries, null, null);
    }

    /** A step that is not a forEach step. */
    public StepState(String key, boolean hook, StepStatus status, int attempt, String attemptId, String agentId,
                     Instant dispatchedAt, Instant startedAt, Instant lastHeartbeat, Instant endedAt,
                     Map<String, String> outputs, Map<String, String> outputRefs, List<Materialized> materializations,
                     ErrorClass lastError, String lastMessage, boolean cancelRequested, Instant retryDueAt,
                     String reusedFrom, List<Materialized> upstream, int infraRetries, String childRunId) {
        this(key, hook, status, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat, endedAt, outputs,
                outputRefs, materializations, lastError, lastMessage, cancelRequested, retryDueAt, reusedFrom, upstream,
                infraRetries, childRunId, null);
    }

    public static StepState pending(String key, boolean hook) {
        return new StepState(key, hook, StepStatus.PENDING, 0, null, null, null, null, null, null,
                Map.of(), Map.of(), List.of(), null, null, false, null, null, List.of(), 0, null, null);
    }

    public StepState withStatus(StepStatus s) {
        return new StepState(key, hook, s, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat, endedAt,
                outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, retryDueAt, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    public StepState ended(StepStatus s, Instant at) {
        return new StepState(key, hook, s, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat, at,
                outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, null, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    public StepState dispatched(int attempt, String attemptId, Instant at, List<Materialized> upstream) {
        return new StepState(key, hook, StepStatus.DISPATCHED, attempt, attemptId, null, at, null, null, null,
                outputs, outputRefs, materializations, lastError, lastMessage, false, null, reusedFrom, List.copyOf(upstream), infraRetries, null, forEach);
    }

    public StepState started(String agentId, Instant at) {
        return new StepState(key, hook, StepStatus.RUNNING, attempt, attemptId, agentId, dispatchedAt, at, at, null,
                outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, null, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    public StepState heartbeat(Instant at) {
        return new StepState(key, hook, status, attempt, attemptId, agentId, dispatchedAt, startedAt, at, endedAt,
                outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, retryDueAt, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    public StepState succeeded(Map<String, String> outputs, Map<String, String> refs, List<Materialized> materializations,
                               Instant at, String reusedFrom) {
        return new StepState(key, hook, StepStatus.SUCCEEDED, attempt, attemptId, agentId, dispatchedAt, startedAt,
                lastHeartbeat, at, Map.copyOf(outputs), Map.copyOf(refs), List.copyOf(materializations), null, null,
                cancelRequested, null, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    /** Succeeded in an earlier run: its outputs and the attempt that made them there. */
    public StepState reused(String fromRunId, int attempt, Map<String, String> outputs, Instant at) {
        return new StepState(key, hook, StepStatus.SUCCEEDED, attempt, attemptId, agentId, dispatchedAt, startedAt,
                lastHeartbeat, at, Map.copyOf(outputs), Map.of(), List.of(), null, null, cancelRequested, null, fromRunId,
                upstream, infraRetries, childRunId, forEach);
    }

    public StepState failed(ErrorClass error, String message, boolean last, Instant at) {
        return new StepState(key, hook, last ? StepStatus.FAILED : status, attempt, attemptId, agentId, dispatchedAt,
                startedAt, lastHeartbeat, last ? at : endedAt, outputs, outputRefs, materializations, error, message,
                cancelRequested, retryDueAt, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    public StepState retryAt(Instant due) {
        return new StepState(key, hook, StepStatus.RETRY_WAIT, attempt, attemptId, agentId, dispatchedAt, startedAt,
                lastHeartbeat, endedAt, outputs, outputRefs, materializations, lastError, lastMessage, false, due, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    /** Waits for a retry charged to the infrastructure-retry budget (the attempt was lost to its agent). */
    public StepState infraRetryAt(Instant due) {
        return new StepState(key, hook, StepStatus.RETRY_WAIT, attempt, attemptId, agentId, dispatchedAt, startedAt,
                lastHeartbeat, endedAt, outputs, outputRefs, materializations, lastError, lastMessage, false, due, reusedFrom,
                upstream, infraRetries + 1, childRunId, forEach);
    }

    /** A sub-job step's attempt: its child run started (no agent; RUNNING until the child ends). */
    public StepState subJobStarted(int attempt, String attemptId, String childRunId, Instant at) {
        return new StepState(key, hook, StepStatus.RUNNING, attempt, attemptId, null, at, at, null, null,
                outputs, outputRefs, materializations, lastError, lastMessage, false, null, reusedFrom, List.of(), infraRetries, childRunId, forEach);
    }

    /** Taken from the step cache: the outputs and materializations of an earlier run's successful attempt. */
    public StepState cached(String fromRunId, Map<String, String> outputs, Map<String, String> refs,
                            List<Materialized> materializations, Instant at) {
        return new StepState(key, hook, StepStatus.SUCCEEDED, attempt, attemptId, agentId, dispatchedAt, startedAt,
                lastHeartbeat, at, Map.copyOf(outputs), Map.copyOf(refs), List.copyOf(materializations), null, null,
                cancelRequested, null, fromRunId, upstream, infraRetries, childRunId, forEach);
    }

    /** A forEach step whose list was resolved: running its instances, attempt 0. */
    public StepState mapped(ForEachProgress progress, Instant at) {
        return new StepState(key, hook, StepStatus.RUNNING, 0, "", null, at, at, null, null,
                outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, null, reusedFrom, upstream,
                infraRetries, childRunId, progress);
    }

    public StepState withForEach(ForEachProgress progress) {
        return new StepState(key, hook, status, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat,
                endedAt, outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, retryDueAt, reusedFrom,
                upstream, infraRetries, childRunId, progress);
    }

    /** Attempts charged to the step's own retry policy (every attempt but the infrastructure retries). */
    public int policyAttempts() {
        return attempt - infraRetries;
    }

    public StepState withCancelRequested() {
        return new StepState(key, hook, status, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat,
                endedAt, outputs, outputRefs, materializations, lastError, lastMessage, true, retryDueAt, reusedFrom, upstream, infraRetries, childRunId, forEach);
    }
}
