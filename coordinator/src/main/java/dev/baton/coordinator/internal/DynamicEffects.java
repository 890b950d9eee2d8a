package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.Effects.Out;
import dev.baton.coordinator.internal.cache.CacheMessage;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.events.CancelRun;
import dev.baton.events.ChildRunEnded;
import dev.baton.events.ChildRunOutcome;
import dev.baton.events.ControlCommand;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.events.StepDefinition;
import dev.baton.platform.Topics;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.Event.StepCacheLookup;
import dev.baton.runmodel.events.Event.StepSubJobStarted;
import dev.baton.runmodel.events.Event.StepSucceeded;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Side effects of sub-job and step-cache events (kept apart from {@link Effects}): the child run request, cancels sent
 * down to a child, a child's end sent up to its parent, cache lookups and cache entries.
 */
final class DynamicEffects {
    private final RunDecider decider;
    private final Codecs codecs;
    private final Topics topics;

    DynamicEffects(RunDecider decider, Codecs codecs, Topics topics) {
        this.decider = decider;
        this.codecs = codecs;
        this.topics = topics;
    }

    /** The child run of a sub-job step: a request with a run key derived from (parent run, step, attempt). */
    void startChild(Envelope e, StepSubJobStarted x, RunState s, List<Out> out) {
        List<String> chain = new ArrayList<>(s.callChain());
        chain.add(s.job());
        RunRequest r = RunRequest.newBuilder()
                .setEventId(DecisionContext.uuid(x.attemptId() + "/subjob"))
                .setRunId(x.childRunId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setJob(x.job()).setRunKey("subjob:" + s.runId() + "/" + e.stepKey() + "#" + x.attempt())
                .setParams(x.params()).setTags(Map.of())
                .setOrigin(Origin.SUBJOB).setParentRunId(s.runId()).setRequestedBy(s.requestedBy())
                .setPriority(s.priority())
                .setDefinition(null) // the child job's latest registered definition
                .setPartition(null)
                .setCallChain(chain).setNoCache(s.noCache())
                .build();
        out.add(Out.of(Names.SINK_REQUESTS, x.childRunId(), codecs.requests().serialize(topics.runRequests(), r), null));
    }

    /** A canceled sub-job step cancels its child run; the child's end then ends the step. */
    Out cancelChild(Envelope e, String childRunId, String reason) {
        ControlCommand c = ControlCommand.newBuilder()
                .setEventId(DecisionContext.uuid(e.eventId() + "/cancel-child"))
                .setRunId(childRunId).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setActor("parent run " + e.runId())
                .setCommand(new CancelRun("parent run " + e.runId() + " canceled: " + reason, 30000L))
                .build();
        return Out.of(Names.SINK_CONTROL, childRunId, codecs.control().serialize(topics.runControl(), c), null);
    }

    /** A run started by a sub-job step ended: its parent hears of it (outputs of its succeeded steps, merged by name). */
    void childEnded(Envelope e, RunState s, ChildRunOutcome outcome, String reason, long durationMs, List<Out> out) {
        if (s.origin() != Event.Origin.SUBJOB || s.parentRunId() == null) {
            return;
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        if (outcome == ChildRunOutcome.SUCCEEDED) {
            for (StepState st : s.steps().values()) {
                if (!st.hook() && st.status() == StepStatus.SUCCEEDED) {
                    outputs.putAll(st.outputs());
                }
            }
        }
        ControlCommand c = ControlCommand.newBuilder()
                .setEventId(DecisionContext.uuid(e.eventId() + "/child-ended"))
                .setRunId(s.parentRunId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setActor("child run " + s.runId())
                .setCommand(new ChildRunEnded(s.runId(), outcome, outputs, reason == null ? "" : reason, durationMs))
                .build();
        out.add(Out.of(Names.SINK_CONTROL, s.parentRunId(), codecs.control().serialize(topics.runControl(), c), null));
    }

    /**
     * A sub-job's child request that created no run (unknown job, invalid params): the parent's step fails with the
     * reason. A duplicate (a replayed start) is not an end: the existing child run will report.
     */
    void childRejected(Envelope e, Event.RunRequestRejected r, Input input, List<Out> out) {
        if (!(input instanceof Input.RequestRun req) || req.origin() != Event.Origin.SUBJOB || req.parentRunId() == null
                || r.rejection() == Event.Rejection.DUPLICATE_RUN) {
            return;
        }
        ControlCommand c = ControlCommand.newBuilder()
                .setEventId(DecisionContext.uuid(e.eventId() + "/child-rejected"))
                .setRunId(req.parentRunId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setActor("child run " + req.runId())
                .setCommand(new ChildRunEnded(req.runId(), ChildRunOutcome.FAILED,
                        Map.of(), "request rejected (" + r.rejection() + "): " + r.reason(), 0L))
                .build();
        out.add(Out.of(Names.SINK_CONTROL, req.parentRunId(), codecs.control().serialize(topics.runControl(), c), null));
    }

    void cacheLookup(Envelope e, StepCacheLookup x, List<Out> out) {
        out.add(Out.of(Names.SINK_STEP_CACHE_LOOKUPS, x.indexKey(),
                json(CacheMessage.lookup(x.indexKey(), e.runId(), e.stepKey(), e.traceId(), e.eventId())), null));
    }

    /** A cached step's successful attempt becomes the entry under its index key (replacing an older one). */
    void cachePut(Envelope e, StepSucceeded x, RunState s, List<Out> out) {
        StepDefinition def = decider.plan(s.definition()).step(e.stepKey());
        if (def == null || def.getCache() == null) {
            return;
        }
        decider.cacheKeyOf(s, e.stepKey()).ifPresent(key -> {
            String index = RunDecider.cacheIndexKey(s, def, key);
            Input.CacheEntry entry = new Input.CacheEntry(index, key, s.runId(), e.stepKey(), x.attempt(), e.timestamp(),
                    x.outputs(), x.outputRefs(), x.materializations());
            out.add(Out.of(Names.SINK_STEP_CACHE, index, json(CacheMessage.put(entry, e.traceId())), null));
        });
    }

    private static byte[] json(CacheMessage m) {
        try {
            return StateCodec.json().writeValueAsBytes(m);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
