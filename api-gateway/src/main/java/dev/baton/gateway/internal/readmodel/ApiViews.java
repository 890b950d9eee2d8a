package dev.baton.gateway.internal.readmodel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders stored views as API JSON trees (timestamps as ISO-8601, statuses as documented in {@link ApiStatus}). */
public final class ApiViews {
    private ApiViews() {}

    public static Map<String, Object> runSummary(RunView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", v.runId);
        m.put("job", v.job);
        put(m, "jobVersion", v.jobVersion);
        m.put("status", ApiStatus.run(v.status));
        put(m, "runKey", v.runKey);
        put(m, "partition", v.partition);
        put(m, "origin", v.origin);
        put(m, "requestedBy", v.requestedBy);
        put(m, "parentRunId", v.parentRunId);
        m.put("requestedAt", time(v.requestedAt));
        put(m, "startedAt", time(v.startedAt));
        put(m, "endedAt", time(v.endedAt));
        put(m, "durationMs", v.durationMs);
        put(m, "reason", v.reason);
        if (v.tags != null && !v.tags.isEmpty()) {
            m.put("tags", v.tags);
        }
        m.put("stepCounts", stepCounts(v));
        return m;
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
    public static Map<String, Object> runDetail(RunView v) {
        return runDetail(v, List.copyOf(v.steps.values()));
    }

    /** The run with {@code steps}, the page of its steps to show, in definition order. */
    public static Map<String, Object> runDetail(RunView v, List<StepView> steps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", v.runId);
        m.put("job", v.job);
        put(m, "jobVersion", v.jobVersion);
        m.put("status", ApiStatus.run(v.status));
        put(m, "runKey", v.runKey);
        put(m, "partition", v.partition);
        m.put("params", v.params);
        m.put("tags", v.tags);
        put(m, "origin", v.origin);
        put(m, "requestedBy", v.requestedBy);
        put(m, "parentRunId", v.parentRunId);
        put(m, "priority", v.priority);
        put(m, "traceId", v.traceId);
        m.put("requestedAt", time(v.requestedAt));
        put(m, "startedAt", time(v.startedAt));
        put(m, "endedAt", time(v.endedAt));
        put(m, "durationMs", v.durationMs);
        put(m, "reason", v.reason);
        put(m, "failedSteps", v.failedSteps);
        put(m, "failedStepCount", v.failedStepCount);
        put(m, "timedOut", v.timedOut);
        put(m, "cancelRequestedBy", v.cancelRequestedBy);
        if (!v.retriedAs.isEmpty()) {
            m.put("retriedAs", v.retriedAs);
        }
        if (v.rejection != null) {
            m.put("rejection", rejection(v.rejection));
        }
        if (v.lastCommandRejection != null) {
            m.put("lastCommandRejection", rejection(v.lastCommandRejection));
        }
        if (v.duplicateRequests > 0) {
            m.put("duplicateRequests", v.duplicateRequests);
        }
        m.put("steps", steps(steps));
        m.put("lastSequence", v.lastSequence);
        m.put("updatedAt", time(v.updatedAt));
        return m;
    }

    private static List<Map<String, Object>> steps(List<StepView> steps) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StepView s : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", s.key);
            m.put("status", ApiStatus.step(s.status));
            m.put("attempts", s.attempt);
            put(m, "startedAt", time(s.startedAt));
            put(m, "endedAt", time(s.endedAt));
            put(m, "durationMs", s.durationMs);
            m.put("outputs", s.outputs);
            if (s.outputRefs != null && !s.outputRefs.isEmpty()) {
                m.put("outputRefs", s.outputRefs);
            }
            if (s.error != null) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("class", s.error.errorClass);
                put(e, "message", s.error.message);
                put(e, "exitCode", s.error.exitCode);
                put(e, "retryable", s.error.retryable);
                e.put("attempt", s.error.attempt);
                m.put("error", e);
            }
            put(m, "retryAt", time(s.retryAt));
            put(m, "pool", s.pool);
            m.put("needs", s.needs);
            if (s.hook) {
                m.put("hook", true);
            }
            put(m, "attemptId", s.attemptId);
            put(m, "agentId", s.agentId);
            put(m, "host", s.host);
            put(m, "dispatchedAt", time(s.dispatchedAt));
            put(m, "lastHeartbeat", time(s.lastHeartbeat));
            if (s.cancelRequested) {
                m.put("cancelRequested", true);
            }
            put(m, "reusedFrom", s.reusedFrom);
            put(m, "skipReason", s.skipReason);
            if (!s.materializations.isEmpty()) {
                List<Map<String, Object>> mats = new ArrayList<>();
                for (StepView.Materialization x : s.materializations) {
                    Map<String, Object> mm = new LinkedHashMap<>();
                    mm.put("assetKey", x.assetKey);
                    put(mm, "partition", x.partition);
                    mm.put("materializationId", x.materializationId);
                    put(mm, "dataVersion", x.dataVersion);
                    mats.add(mm);
                }
                m.put("materializations", mats);
            }
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> rejection(RunView.Rejection r) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "command", r.command);
        m.put("type", r.type);
        m.put("reason", r.reason);
        put(m, "existingRunId", r.existingRunId);
        m.put("at", time(r.at));
        return m;
    }

    public static String time(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
    }

    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
