package dev.baton.gateway.internal.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** Bodies of the run routes ({@code /api/v1/runs...} and triggering a job). */
public final class RunResponses {
    private RunResponses() {}

    /**
     * 202 to a trigger: the run id (derived from the run key when one was given), the partition it runs (if any) and
     * whether that run existed.
     */
    public record Triggered(String runId, String job, int version, String runKey, String partition, boolean duplicate) {}

    /** 202 to a cancel. */
    public record Canceling(String runId, String status) {}

    /** 202 to a retry from failure: the new run and the run it retries. */
    public record Retried(String runId, String parentRunId) {}

    /** A run in a list. */
    public record Summary(String runId, String job, Integer jobVersion, String status,
                          String runKey, String partition, String origin, String requestedBy, String parentRunId, String requestedAt,
                          String startedAt, String endedAt, Long durationMs, String reason, Map<String, String> tags,
                          Map<String, Integer> stepCounts) {}

    /**
     * A run with one page of its steps. {@code stepCount}, {@code nextStepsCursor} and {@code pending} are set by the
     * run route only (not by the UI's replayed state).
     */
    public record Detail(String runId, String job, Integer jobVersion, String status,
                         String runKey, String partition, Map<String, String> params,
                         Map<String, String> tags, String origin, String requestedBy,
                         String parentRunId, Integer priority, String traceId, String requestedAt, String startedAt,
                         String endedAt, Long durationMs, String reason, List<String> failedSteps, Integer failedStepCount,
                         Boolean timedOut, String cancelRequestedBy, List<String> retriedAs, Rejection rejection,
                         Rejection lastCommandRejection, Integer duplicateRequests, List<Step> steps, long lastSequence,
                         String updatedAt, Integer stepCount, String nextStepsCursor, Boolean pending) {
        /** This detail with the paging of its steps and, for a run only this gateway knows yet, {@code pending}. */
        public Detail paged(int stepCount, String nextStepsCursor, boolean pending) {
            return new Detail(runId, job, jobVersion, status, runKey, partition, params, tags, origin, requestedBy, parentRunId, priority,
                    traceId, requestedAt, startedAt, endedAt, durationMs, reason, failedSteps, failedStepCount, timedOut,
                    cancelRequestedBy, retriedAs, rejection, lastCommandRejection, duplicateRequests, steps, lastSequence,
                    updatedAt, stepCount, nextStepsCursor, pending ? Boolean.TRUE : null);
        }
    }

    /** One step of a run. Flags ({@code hook}, {@code cancelRequested}) appear only when true. */
    public record Step(String key, String status, int attempts, String startedAt,
                       String endedAt, Long durationMs, Map<String, String> outputs,
                       Map<String, String> outputRefs, StepError error, String retryAt, String pool,
                       List<String> needs, Boolean hook, String attemptId,
                       String agentId, String host, String dispatchedAt, String lastHeartbeat, Boolean cancelRequested,
                       String reusedFrom, String skipReason, List<Materialization> materializations,
                       String childRunId, ForEach forEach) {}

    /**
     * A forEach step's instances: how many elements, how many at once, how many started and how they ended, and the
     * instances in flight ({@code key[i]}, at most {@code maxParallel}; an instance leaves when it ends).
     */
    public record ForEach(int count, int maxParallel, int started, int succeeded, int failed, int canceled,
                          List<Step> running) {}

    /** The error of a step's last failed attempt. */
    public record StepError(@JsonProperty("class") String errorClass, String message,
                            Integer exitCode, Boolean retryable, int attempt) {}

    /** An asset a step materialized. */
    public record Materialization(String assetKey, String partition,
                                  String materializationId, String dataVersion) {}

    /** Why a request or a command was not acted on. */
    public record Rejection(String command, String type,
                            String reason, String existingRunId, String at) {}

    /** {@code GET /runs/{id}/state}: the run as it was right after event {@code sequence}. */
    public record StateAt(String runId, long sequence, long lastSequence, JsonNode event,
                          Detail run) {}

    /**
     * One message of the all-runs live stream ({@code GET /runs} with {@code Accept: text/event-stream}): the runs that
     * changed since the last message, as summaries, filtered like the list; {@code more} when changes were left out
     * (too many at once, or a slow client): reload the list.
     */
    public record RunsChanged(List<Summary> items, boolean more) {}
}
