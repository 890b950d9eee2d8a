package dev.baton.gateway.internal.readmodel;

import dev.baton.gateway.internal.api.RunResponses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders stored run views as API bodies (timestamps as ISO-8601, statuses as documented in {@link ApiStatus}). */
public final class ApiViews {
    private ApiViews() {}

    public static RunResponses.Summary runSummary(RunView v) {
        return new RunResponses.Summary(v.runId, v.job, v.jobVersion, ApiStatus.run(v.status), v.runKey, v.partition, v.origin,
                v.requestedBy, v.parentRunId, time(v.requestedAt), time(v.startedAt), time(v.endedAt), v.durationMs, v.reason,
                v.tags != null && !v.tags.isEmpty() ? v.tags : null, stepCounts(v));
    }

    /** Steps by API status: from the counts the processor keeps, or, in a record of an older gateway, from its steps. */
    static Map<String, Integer> stepCounts(RunView v) {
        Map<String, Integer> counts = new TreeMap<>();
        if (!v.steps.isEmpty()) {
            v.steps.values().forEach(s -> counts.merge(ApiStatus.step(s.status), 1, Integer::sum));
        } else {
            v.stepCounts.forEach((status, n) -> counts.merge(ApiStatus.step(status), n, Integer::sum));
        }
        return counts;
    }

    /** The run with all its steps (a record of an older gateway that still embeds them). */
    public static RunResponses.Detail runDetail(RunView v) {
        return runDetail(v, List.copyOf(v.steps.values()));
    }

    /** The run with {@code steps}, the page of its steps to show, in definition order. */
    public static RunResponses.Detail runDetail(RunView v, List<StepView> steps) {
        return new RunResponses.Detail(v.runId, v.job, v.jobVersion, ApiStatus.run(v.status), v.runKey, v.partition, v.params, v.tags,
                v.origin, v.requestedBy, v.parentRunId, v.priority, v.traceId, time(v.requestedAt), time(v.startedAt),
                time(v.endedAt), v.durationMs, v.reason, v.failedSteps, v.failedStepCount, v.timedOut, v.cancelRequestedBy,
                v.retriedAs.isEmpty() ? null : v.retriedAs, rejection(v.rejection), rejection(v.lastCommandRejection),
                v.duplicateRequests > 0 ? v.duplicateRequests : null, steps(steps), v.lastSequence, time(v.updatedAt),
                null, null, null);
    }

    private static List<RunResponses.Step> steps(List<StepView> steps) {
        List<RunResponses.Step> out = new ArrayList<>();
        for (StepView s : steps) {
            RunResponses.StepError error = s.error == null ? null : new RunResponses.StepError(s.error.errorClass,
                    s.error.message, s.error.exitCode, s.error.retryable, s.error.attempt);
            List<RunResponses.Materialization> mats = s.materializations.isEmpty() ? null : s.materializations.stream()
                    .map(x -> new RunResponses.Materialization(x.assetKey, x.partition, x.materializationId, x.dataVersion))
                    .toList();
            out.add(new RunResponses.Step(s.key, ApiStatus.step(s.status), s.attempt, time(s.startedAt), time(s.endedAt),
                    s.durationMs, s.outputs, s.outputRefs != null && !s.outputRefs.isEmpty() ? s.outputRefs : null, error,
                    time(s.retryAt), s.pool, s.needs, s.hook ? Boolean.TRUE : null, s.attemptId, s.agentId, s.host,
                    time(s.dispatchedAt), time(s.lastHeartbeat), s.cancelRequested ? Boolean.TRUE : null, s.reusedFrom,
                    s.skipReason, mats, s.childRunId, s.forEach == null ? null : new RunResponses.ForEach(s.forEach.count,
                            s.forEach.maxParallel, s.forEach.started, s.forEach.succeeded, s.forEach.failed,
                            s.forEach.canceled, steps(new ArrayList<>(s.forEach.running.values())))));
        }
        return out;
    }

    private static RunResponses.Rejection rejection(RunView.Rejection r) {
        return r == null ? null : new RunResponses.Rejection(r.command, r.type, r.reason, r.existingRunId, time(r.at));
    }

    public static String time(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
    }

    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
