package dev.baton.runmodel.state;

import dev.baton.events.JobDefinition;
import dev.baton.runmodel.events.Event.Origin;
import dev.baton.runmodel.events.Event.Reused;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one run, folded from its events. Immutable; changed only by {@link RunStateApplier}.
 * Steps keep the definition's order (main steps first, then failure hooks).
 */
public record RunState(
        String runId,
        String job,
        JobDefinition definition,
        RunStatus status,
        String runKey,
        Map<String, String> params,
        Map<String, String> tags,
        Origin origin,
        String parentRunId,
        String requestedBy,
        int priority,
        String traceId,
        Instant requestedAt,
        Instant startedAt,
        Instant endedAt,
        long sequence,
        Map<String, StepState> steps,
        Map<String, Reused> reuse,
        String cancelReason,
        Instant cancelDeadline,
        String failureReason,
        boolean timedOut,
        List<String> retriedAs,
        String partition,
        /* W3C traceparent of the span that requested the run (the run span's parent); null: none or tracing off. */
        String traceparent,
        List<String> callChain,
        boolean noCache) {

    public RunState {
        callChain = callChain == null ? List.of() : callChain;
    }

    /** A state without a requester's trace context, not started by a sub-job step, with the step cache in use. */
    public RunState(String runId, String job, JobDefinition definition, RunStatus status, String runKey,
                    Map<String, String> params, Map<String, String> tags, Origin origin, String parentRunId,
                    String requestedBy, int priority, String traceId, Instant requestedAt, Instant startedAt,
                    Instant endedAt, long sequence, Map<String, StepState> steps, Map<String, Reused> reuse,
                    String cancelReason, Instant cancelDeadline, String failureReason, boolean timedOut,
                    List<String> retriedAs, String partition) {
        this(runId, job, definition, status, runKey, params, tags, origin, parentRunId, requestedBy, priority, traceId,
                requestedAt, startedAt, endedAt, sequence, steps, reuse, cancelReason, cancelDeadline, failureReason,
                timedOut, retriedAs, partition, null, List.of(), false);
    }

    public StepState step(String key) {
        return steps.get(key);
    }

    public boolean isFinished() {
        return status.isFinished();
    }

    /** The same run with these steps: for a read model that folds one run's events with a few of its steps at hand. */
    public RunState withStepsForView(Map<String, StepState> steps) {
        return new RunState(runId, job, definition, status, runKey, params, tags, origin, parentRunId, requestedBy,
                priority, traceId, requestedAt, startedAt, endedAt, sequence, Map.copyOf(steps), reuse, cancelReason,
                cancelDeadline, failureReason, timedOut, retriedAs, partition);
    }

    RunState with(RunStatus status, long sequence) {
        return new RunState(runId, job, definition, status, runKey, params, tags, origin, parentRunId, requestedBy,
                priority, traceId, requestedAt, startedAt, endedAt, sequence, steps, reuse, cancelReason, cancelDeadline,
                failureReason, timedOut, retriedAs, partition, traceparent, callChain, noCache);
    }

    RunState withSequence(long sequence) {
        return with(status, sequence);
    }

    RunState withStep(StepState s, long sequence) {
        Map<String, StepState> m = new LinkedHashMap<>(steps);
        m.put(s.key(), s);
        return new RunState(runId, job, definition, status, runKey, params, tags, origin, parentRunId, requestedBy,
                priority, traceId, requestedAt, startedAt, endedAt, sequence, m, reuse, cancelReason, cancelDeadline,
                failureReason, timedOut, retriedAs, partition, traceparent, callChain, noCache);
    }

    /** Without one step: a forEach instance that ended leaves the state (its parent keeps the counts). */
    RunState withoutStep(String key, long sequence) {
        Map<String, StepState> m = new LinkedHashMap<>(steps);
        m.remove(key);
        return new RunState(runId, job, definition, status, runKey, params, tags, origin, parentRunId, requestedBy,
                priority, traceId, requestedAt, startedAt, endedAt, sequence, m, reuse, cancelReason, cancelDeadline,
                failureReason, timedOut, retriedAs, partition);
    }

    RunState started(Instant at, long sequence) {
        return new RunState(runId, job, definition, RunStatus.RUNNING, runKey, params, tags, origin, parentRunId,
                requestedBy, priority, traceId, requestedAt, at, endedAt, sequence, steps, reuse, cancelReason,
                cancelDeadline, failureReason, timedOut, retriedAs, partition, traceparent, callChain, noCache);
    }

    RunState ended(RunStatus s, Instant at, String failure, boolean timedOut, long sequence) {
        return new RunState(runId, job, definition, s, runKey, params, tags, origin, parentRunId, requestedBy, priority,
                traceId, requestedAt, startedAt, at, sequence, steps, reuse, cancelReason, cancelDeadline, failure,
                timedOut, retriedAs, partition, traceparent, callChain, noCache);
    }

    RunState canceling(String reason, Instant deadline, long sequence) {
        return new RunState(runId, job, definition, RunStatus.CANCELING, runKey, params, tags, origin, parentRunId,
                requestedBy, priority, traceId, requestedAt, startedAt, endedAt, sequence, steps, reuse, reason, deadline,
                failureReason, timedOut, retriedAs, partition, traceparent, callChain, noCache);
    }

    RunState retriedAs(String child, long sequence) {
        var list = new java.util.ArrayList<>(retriedAs);
        list.add(child);
        return new RunState(runId, job, definition, status, runKey, params, tags, origin, parentRunId, requestedBy,
                priority, traceId, requestedAt, startedAt, endedAt, sequence, steps, reuse, cancelReason, cancelDeadline,
                failureReason, timedOut, List.copyOf(list), partition, traceparent, callChain, noCache);
    }
}
