package dev.baton.runmodel.state;

import dev.baton.events.StepDefinition;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.Event.*;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one fold of run events into run state, used by the coordinator (its live state) and by the gateway (its run
 * view). Pure: no clock, no randomness, no I/O; every time it records comes from the event. The same events always
 * rebuild the same state (replay equivalence).
 */
public final class RunStateApplier {

    private RunStateApplier() {}

    /** Rebuilds a run's state from its events alone. */
    public static RunState replay(List<Envelope> events) {
        RunState s = null;
        for (Envelope e : events) {
            s = apply(s, e);
        }
        return s;
    }

    /**
     * @param state the run's state before the event, or null when the run does not exist
     * @return the state after the event; null when the event leaves no run (a rejection of an unknown run)
     */
    public static RunState apply(RunState state, Envelope e) {
        Event ev = e.event();
        long seq = e.sequence();
        if (ev instanceof RunRequested r) {
            if (state != null) {
                throw new IllegalStateException("RUN_REQUESTED for existing run " + e.runId());
            }
            return created(e, r);
        }
        if (state == null) {
            return null; // rejections of inputs for unknown runs leave nothing behind
        }
        if (ev instanceof StepLevel && StepInstances.isInstance(e.stepKey())) {
            return instance(state, e);
        }
        return applyKnown(state, e);
    }

    /**
     * An event of a forEach instance: its first event creates it (the mapped step counts it as started); when it
     * ends, it leaves the run's state and the mapped step counts the outcome. So the state holds only the instances
     * in flight, never the whole list.
     */
    private static RunState instance(RunState state, Envelope e) {
        String key = e.stepKey();
        String parentKey = StepInstances.parent(key);
        StepState parent = state.step(parentKey);
        if (parent == null || parent.forEach() == null) {
            throw new IllegalStateException(e.event().intent() + " for instance " + key + " of run " + e.runId()
                    + ", whose step " + parentKey + " is not a mapped forEach step");
        }
        RunState s = state;
        if (s.step(key) == null) {
            s = s.withStep(parent.withForEach(parent.forEach().instanceStarted()), e.sequence())
                    .withStep(StepState.pending(key, false), e.sequence());
        }
        s = applyKnown(s, e);
        StepState inst = s.step(key);
        if (inst.status().isTerminal()) {
            StepState p = s.step(parentKey);
            s = s.withoutStep(key, e.sequence()).withStep(p.withForEach(p.forEach().instanceEnded(inst.status())), e.sequence());
        }
        return s;
    }

    private static RunState applyKnown(RunState state, Envelope e) {
        Event ev = e.event();
        long seq = e.sequence();
        return switch (ev) {
            case RunRequested r -> throw new AssertionError();
            case RunQueued q -> state.with(RunStatus.QUEUED, seq);
            case RunStarted s -> state.started(e.timestamp(), seq);
            case RunSucceeded s -> state.ended(RunStatus.SUCCEEDED, e.timestamp(), null, false, seq);
            case RunFailed f -> state.ended(RunStatus.FAILED, e.timestamp(), f.reason(), f.timedOut(), seq);
            case RunCancelRequested c -> state.canceling(c.reason(), c.deadline(), seq);
            case RunCanceled c -> state.ended(RunStatus.CANCELED, e.timestamp(), null, false, seq);
            case RunRetried r -> state.retriedAs(r.newRunId(), seq);
            case RunRequestRejected r -> state.withSequence(seq);
            case CommandRejected r -> state.withSequence(seq);
            case ReportRejected r -> state.withSequence(seq);
            case RunExpired x -> state.withSequence(seq);
            case StepQueued q -> state.withStep(step(state, e).withStatus(StepStatus.QUEUED), seq);
            case StepDispatched d -> state.withStep(step(state, e).dispatched(d.attempt(), d.attemptId(), e.timestamp(),
                    d.upstream().stream().map(u -> new Materialized(u.getAssetKey(), u.getPartition(),
                            u.getMaterializationId(), u.getDataVersion())).toList()), seq);
            case StepStarted s -> state.withStep(step(state, e).started(s.agentId(), e.timestamp()), seq);
            case StepHeartbeat h -> state.withStep(step(state, e).heartbeat(e.timestamp()), seq);
            case StepSucceeded s -> state.withStep(step(state, e).succeeded(s.outputs(), s.outputRefs(),
                    s.materializations(), e.timestamp(), null), seq);
            case StepFailed f -> state.withStep(step(state, e).failed(f.errorClass(), f.message(), f.last(), e.timestamp()), seq);
            case StepRetryScheduled r -> state.withStep(r.infrastructure() ? step(state, e).infraRetryAt(r.dueAt())
                    : step(state, e).retryAt(r.dueAt()), seq);
            case StepLost l -> state.withStep(step(state, e).failed(ErrorClass.LOST,
                    "no heartbeat since " + l.lastHeartbeat(), false, e.timestamp()), seq);
            case StepTimedOut t -> state.withStep(step(state, e).failed(ErrorClass.TIMEOUT,
                    "timed out after " + Duration.ofMillis(t.timeoutMs()), false, e.timestamp()), seq);
            case StepCancelRequested c -> state.withStep(step(state, e).withCancelRequested(), seq);
            case StepCanceled c -> state.withStep(step(state, e).ended(StepStatus.CANCELED, e.timestamp()), seq);
            case StepSkipped s -> state.withStep(step(state, e).ended(StepStatus.SKIPPED, e.timestamp()), seq);
            case StepReused r -> state.withStep(step(state, e).reused(r.fromRunId(), r.attempt(), r.outputs(),
                    e.timestamp()), seq);
            case StepSubJobStarted x -> state.withStep(step(state, e).subJobStarted(x.attempt(), x.attemptId(),
                    x.childRunId(), e.timestamp()), seq);
            case StepCacheLookup x -> state.withStep(step(state, e).withStatus(StepStatus.QUEUED), seq);
            case StepCacheHit x -> state.withStep(step(state, e).cached(x.fromRunId(), x.outputs(), x.outputRefs(),
                    x.materializations(), e.timestamp()), seq);
            case StepCacheMiss x -> state.withSequence(seq);
            case StepMapped m -> state.withStep(step(state, e).mapped(ForEachProgress.of(m.count(), m.maxParallel()),
                    e.timestamp()), seq);
        };
    }

    private static StepState step(RunState state, Envelope e) {
        StepState s = state.step(e.stepKey());
        if (s == null) {
            throw new IllegalStateException(e.event().intent() + " for unknown step " + e.stepKey() + " of run " + e.runId());
        }
        return s;
    }

    private static RunState created(Envelope e, RunRequested r) {
        Map<String, StepState> steps = new LinkedHashMap<>();
        for (StepDefinition d : r.definition().getSteps()) {
            steps.put(d.getKey(), StepState.pending(d.getKey(), false));
        }
        for (StepDefinition d : r.definition().getOnFailure()) {
            steps.put(d.getKey(), StepState.pending(d.getKey(), true));
        }
        return new RunState(e.runId(), r.job(), r.definition(), RunStatus.REQUESTED, r.runKey(), Map.copyOf(r.params()),
                Map.copyOf(r.tags()), r.origin(), r.parentRunId(), r.requestedBy(), r.priority(), e.traceId(),
                e.timestamp(), null, null, e.sequence(), steps, Map.copyOf(r.reuse()), null, null, null, false, List.of(), r.partition(),
                r.traceparent(), r.callChain(), r.noCache());
    }
}
