package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.admission.AdmissionMessage;
import dev.baton.coordinator.internal.admission.AdmissionMessage.Op;
import dev.baton.coordinator.internal.admission.AdmissionMessage.Scope;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.coordinator.internal.processing.AssetChecks;
import dev.baton.coordinator.internal.processing.CommandData;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.processing.Plan;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.AssetSpec;
import dev.baton.events.BoolValue;
import dev.baton.events.CancelStep;
import dev.baton.events.ExecuteStep;
import dev.baton.events.FloatValue;
import dev.baton.events.IntValue;
import dev.baton.events.JsonValue;
import dev.baton.events.LineageEvent;
import dev.baton.events.MaterializationReport;
import dev.baton.events.Origin;
import dev.baton.events.ReusedStep;
import dev.baton.events.RunRequest;
import dev.baton.events.StepCommand;
import dev.baton.events.StepDefinition;
import dev.baton.events.TextValue;
import dev.baton.events.UpstreamRef;
import dev.baton.events.UrlValue;
import dev.baton.platform.Topics;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side effects of accepted events, derived from the events (and the state they produced) after they
 * were decided: commands to agents, cancels, timers, lineage, child runs and admission requests.
 */
final class Effects {
    /**
     * One output: a record for a sink (with its pool for step commands, its intent code for run events), a timer to
     * arm, or the identity of a timer to disarm.
     */
    record Out(String sink, String key, byte[] value, String pool, Integer intent, Timer timer, Timer.Id disarm) {
        static Out of(String sink, String key, byte[] value, String pool) {
            return new Out(sink, key, value, pool, null, null, null);
        }

        static Out event(String key, byte[] value, int intent) {
            return new Out(Names.SINK_RUN_EVENTS, key, value, null, intent, null, null);
        }

        static Out timer(Timer t) {
            return new Out(null, null, null, null, null, t, null);
        }

        static Out disarm(Timer.Id t) {
            return new Out(null, null, null, null, null, null, t);
        }

        boolean isRecord() {
            return sink != null;
        }

        /** Serialized size as the producer counts it (key, value, headers), for the record size guard. */
        int size() {
            int n = (key == null ? 0 : key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length) + (value == null ? 0 : value.length);
            if (pool != null) {
                n += Names.POOL_HEADER.length() + pool.length();
            }
            if (intent != null) {
                n += Names.INTENT_HEADER.length() + 4;
            }
            return n;
        }
    }

    private final RunDecider decider;
    private final Codecs codecs;
    private final Topics topics;
    private final CoordinatorMetrics metrics;
    private final RunTrace trace;

    private final DynamicEffects dynamic;

    Effects(RunDecider decider, Codecs codecs, Topics topics, CoordinatorMetrics metrics, RunTrace trace) {
        this.trace = trace;
        this.dynamic = new DynamicEffects(decider, codecs, topics);
        this.decider = decider;
        this.codecs = codecs;
        this.topics = topics;
        this.metrics = metrics;
    }

    void of(Envelope e, DecisionContext ctx, RunState s, Input input, List<Out> out) {
        Instant ts = e.timestamp();
        String runId = e.runId();
        switch (e.event()) {
            case StepDispatched d -> out.add(Out.of(Names.SINK_COMMANDS, runId,
                    codecs.commands().serialize(topics.commands(d.pool()), execute(e, d, s, ctx)), d.pool()));
            case StepCancelRequested c -> {
                StepState st = s.step(e.stepKey());
                out.add(st != null && st.childRunId() != null && st.attempt() == c.attempt()
                        ? dynamic.cancelChild(e, st.childRunId(), c.reason())
                        : cancel(e, s, c.attempt(), c.attemptId(), c.reason()));
            }
            case StepTimedOut t -> out.add(cancel(e, s, t.attempt(), t.attemptId(), "step timed out"));
            case StepLost l -> out.add(cancel(e, s, l.attempt(), l.attemptId(), "attempt presumed lost (missed heartbeats)"));
            case StepStarted st -> {
                out.add(Out.timer(new Timer(Timer.Kind.HEARTBEAT_DEADLINE, runId, e.stepKey(), st.attempt(),
                        ts.plus(decider.heartbeatTimeoutOf(s, e.stepKey())))));
                Long timeout = step(s, e.stepKey()).getTimeoutMs();
                if (timeout != null) {
                    out.add(Out.timer(new Timer(Timer.Kind.STEP_TIMEOUT, runId, e.stepKey(), st.attempt(), ts.plusMillis(timeout))));
                }
            }
            case StepRetryScheduled r ->
                    out.add(Out.timer(new Timer(Timer.Kind.RETRY, runId, e.stepKey(), r.nextAttempt(), r.dueAt())));
            case RunQueued q -> {
                Integer limit = RunDecider.jobLimit(s.definition());
                if (limit != null) {
                    out.add(admission(new AdmissionMessage(Op.REQUEST, Scope.JOB, s.job(), limit, runId, runId, null,
                            q.priority(), e.traceId())));
                }
            }
            case RunStarted x -> {
                metrics.runStarted(s.job());
                Long runTimeout = s.definition().getRunTimeoutMs();
                if (runTimeout != null) {
                    out.add(Out.timer(new Timer(Timer.Kind.RUN_TIMEOUT, runId, null, 0, ts.plusMillis(runTimeout))));
                }
            }
            case RunCancelRequested c -> out.add(Out.timer(new Timer(Timer.Kind.CANCEL_GRACE, runId, null, 0, c.deadline())));
            case RunSucceeded x -> {
                runEnded(e, s, "SUCCEEDED", x.durationMs(), out);
                dynamic.childEnded(e, s, dev.baton.events.ChildRunOutcome.SUCCEEDED, "", x.durationMs(), out);
            }
            case RunFailed x -> {
                runEnded(e, s, "FAILED", x.durationMs(), out);
                dynamic.childEnded(e, s, dev.baton.events.ChildRunOutcome.FAILED, x.reason(), x.durationMs(), out);
            }
            case RunCanceled x -> {
                runEnded(e, s, "CANCELED", x.durationMs(), out);
                dynamic.childEnded(e, s, dev.baton.events.ChildRunOutcome.CANCELED, x.reason(), x.durationMs(), out);
            }
            case StepQueued q -> out.add(admission(new AdmissionMessage(Op.REQUEST, Scope.POOL, q.pool(),
                    decider.settings().poolLimits().get(q.pool()), runId + "/" + e.stepKey(), runId, e.stepKey(),
                    s.priority(), e.traceId())));
            case StepSucceeded x -> {
                // An attempt whose output failed an ERROR check is also failed in this decision: that StepFailed
                // counts it and releases its pool slot, once.
                if (!failedInSameDecision(ctx, x.attemptId())) {
                    metrics.stepFinished(s.job(), "succeeded", x.durationMs());
                    releasePool(e, s, out);
                }
                disarmAttemptTimers(e, x.attempt(), out);
                lineage(e, x, s, input, ctx.checkResults(x.attemptId()), out);
                if (!failedInSameDecision(ctx, x.attemptId())) {
                    dynamic.cachePut(e, x, s, out);
                }
            }
            case StepFailed f -> {
                metrics.stepFinished(s.job(), f.last() ? "failed" : "retrying", f.durationMs());
                metrics.stepFailed(s.job(), f.errorClass() == null ? "UNKNOWN" : f.errorClass().name());
                releasePool(e, s, out);
                disarmAttemptTimers(e, f.attempt(), out);
            }
            case StepCanceled x -> {
                releasePool(e, s, out);
                disarmAttemptTimers(e, x.attempt(), out);
            }
            case RunRetried r -> out.add(Out.of(Names.SINK_REQUESTS, r.newRunId(),
                    codecs.requests().serialize(topics.runRequests(), childRun(e, r, s, input)), null));
            case CommandRejected c -> {
                metrics.rejected(c.commandType(), c.rejection().name());
                if (input instanceof Input.AdmitRun a) {
                    out.add(admission(new AdmissionMessage(Op.RELEASE, Scope.JOB, a.job(), 0, runId, runId, null, 0, e.traceId())));
                } else if (input instanceof Input.AdmitStep a) {
                    out.add(admission(new AdmissionMessage(Op.RELEASE, Scope.POOL, a.pool(), 0, runId + "/" + a.stepKey(),
                            runId, a.stepKey(), 0, e.traceId())));
                }
            }
            case ReportRejected r -> metrics.rejected(r.reportType(), r.rejection().name());
            case RunRequestRejected r -> {
                metrics.rejected("REQUEST", r.rejection().name());
                dynamic.childRejected(e, r, input, out);
            }
            // No side effects: the event on baton.run-events is all there is. Listed one by one (no default), so a
            // new event type does not compile until its effects are decided here.
            case RunRequested x -> { }
            case RunExpired x -> { }
            case StepHeartbeat x -> { }
            case StepSkipped x -> { }
            case StepReused x -> { }
            case StepSubJobStarted x -> dynamic.startChild(e, x, s, out);
            case StepCacheLookup x -> dynamic.cacheLookup(e, x, out);
            case StepCacheHit x -> metrics.stepCache(s.job(), "hit");
            case StepCacheMiss x -> metrics.stepCache(s.job(), s.noCache() ? "bypass" : "miss");
            case StepMapped x -> { }
        }
    }

    /**
     * An attempt that ended no longer needs the heartbeat deadline and step timeout armed when it started (or
     * re-armed since): remove them by identity now instead of letting them fire as no-ops later (for short steps
     * both go within one commit and never reach the store). The timer index knows each one's due time.
     */
    private static void disarmAttemptTimers(Envelope e, int attempt, List<Out> out) {
        out.add(Out.disarm(new Timer.Id(Timer.Kind.HEARTBEAT_DEADLINE, e.runId(), e.stepKey(), attempt)));
        out.add(Out.disarm(new Timer.Id(Timer.Kind.STEP_TIMEOUT, e.runId(), e.stepKey(), attempt)));
    }

    private static boolean failedInSameDecision(DecisionContext ctx, String attemptId) {
        return ctx.events().stream().anyMatch(ev -> ev.event() instanceof StepFailed f && f.attemptId().equals(attemptId));
    }

    private void runEnded(Envelope e, RunState s, String status, long durationMs, List<Out> out) {
        metrics.runFinished(s.job(), status, durationMs);
        out.add(Out.timer(new Timer(Timer.Kind.RETENTION, e.runId(), null, 0, e.timestamp().plus(decider.settings().retention()))));
        if (RunDecider.jobLimit(s.definition()) != null) {
            out.add(admission(new AdmissionMessage(Op.RELEASE, Scope.JOB, s.job(), 0, e.runId(), e.runId(), null, 0, e.traceId())));
        }
    }

    private void releasePool(Envelope e, RunState s, List<Out> out) {
        String pool = step(s, e.stepKey()).getPool();
        if (decider.settings().poolLimits().containsKey(pool)) {
            out.add(admission(new AdmissionMessage(Op.RELEASE, Scope.POOL, pool, 0, e.runId() + "/" + e.stepKey(), e.runId(),
                    e.stepKey(), 0, e.traceId())));
        }
    }

    private Out admission(AdmissionMessage m) {
        return Out.of(Names.SINK_ADMISSION, m.key(), RunProcessor.admission(m), null);
    }

    private StepDefinition step(RunState s, String key) {
        return decider.plan(s.definition()).step(key);
    }

    private StepCommand execute(Envelope e, StepDispatched d, RunState s, DecisionContext ctx) {
        Plan plan = decider.plan(s.definition());
        StepDefinition def = plan.step(e.stepKey());
        // Only what the step can see (docs/jobs.md "What a step's command carries"): templates are already resolved.
        CommandData carried = plan.commandData(e.stepKey());
        ExecuteStep exec = ExecuteStep.newBuilder()
                .setJob(s.job())
                .setAction(ctx.resolvedAction(d.attemptId()))
                .setParams(carried.params(s.params()))
                .setInputs(carried.exposed()
                        ? carried.inputs(RunDecider.upstreamOutputs(s, plan, e.stepKey(), StepState::outputs)) : Map.of())
                .setProduces(def.getProduces())
                .setUpstream(d.upstream())
                .setHeartbeatIntervalMs(decider.settings().heartbeatInterval().toMillis())
                .setTimeoutMs(def.getTimeoutMs())
                .build();
        return StepCommand.newBuilder()
                .setEventId(DecisionContext.uuid(d.attemptId() + "/execute"))
                .setRunId(e.runId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setStepKey(e.stepKey()).setAttempt(d.attempt()).setAttemptId(d.attemptId()).setPool(d.pool())
                .setCommand(exec)
                .setTraceparent(trace.stepTraceparent(s, e.stepKey()))
                .build();
    }

    private Out cancel(Envelope e, RunState s, int attempt, String attemptId, String reason) {
        StepCommand c = StepCommand.newBuilder()
                .setEventId(DecisionContext.uuid(attemptId + "/cancel/" + e.sequence()))
                .setRunId(e.runId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setStepKey(e.stepKey()).setAttempt(attempt).setAttemptId(attemptId == null ? "" : attemptId)
                .setPool("")
                .setCommand(new CancelStep(reason, 5000L))
                .setTraceparent(trace.stepTraceparent(s, e.stepKey()))
                .build();
        return Out.of(Names.SINK_AGENT_CONTROL, e.runId(), codecs.commands().serialize(topics.agentControl(), c), null);
    }

    private RunRequest childRun(Envelope e, RunRetried r, RunState s, Input input) {
        Map<String, ReusedStep> reuse = new LinkedHashMap<>();
        for (String key : r.reusedSteps()) {
            StepState st = s.step(key);
            reuse.put(key, new ReusedStep(st.reusedFrom() != null ? st.reusedFrom() : s.runId(), st.attempt(), st.outputs()));
        }
        String actor = input instanceof Input.RetryRun rr ? rr.actor() : null;
        return RunRequest.newBuilder()
                .setEventId(DecisionContext.uuid(e.eventId() + "/child"))
                .setRunId(r.newRunId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setJob(s.job()).setRunKey(null).setParams(s.params()).setTags(s.tags())
                .setOrigin(Origin.RETRY).setParentRunId(s.runId()).setRequestedBy(actor).setPriority(s.priority())
                .setDefinition(s.definition()).setReuse(reuse).setPartition(s.partition())
                .build();
    }

    private void lineage(Envelope e, StepSucceeded x, RunState s, Input input, List<AssetChecks.Result> checks, List<Out> out) {
        if (x.materializations().isEmpty()) {
            return;
        }
        List<MaterializationReport> reportedList = input instanceof Input.Succeeded su ? su.materializations() : List.of();
        Map<String, MaterializationReport> reported = new LinkedHashMap<>();
        for (MaterializationReport m : reportedList) {
            // a report without a partition in a partitioned run is about the run's partition (see Checks)
            String partition = m.getPartition() != null ? m.getPartition() : s.partition();
            reported.put(m.getAssetKey() + "|" + (partition == null ? "" : partition), m);
        }
        // Exact lineage: the upstream materializations recorded when this attempt was dispatched.
        List<UpstreamRef> upstream = s.step(e.stepKey()).upstream().stream()
                .map(m -> new UpstreamRef(m.assetKey(), m.partition(), m.id(), m.dataVersion())).toList();
        Map<String, Materialized> materializationOf = new LinkedHashMap<>();
        for (Materialized m : x.materializations()) {
            MaterializationReport rep = reported.get(m.assetKey() + "|" + (m.partition() == null ? "" : m.partition()));
            LineageEvent ev = LineageEvent.newBuilder()
                    .setEventId(m.id()).setRunId(e.runId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                    .setAssetKey(m.assetKey()).setPartition(m.partition())
                    .setPayload(AssetMaterialization.newBuilder()
                            .setJob(s.job()).setStepKey(e.stepKey()).setAttempt(x.attempt()).setAttemptId(x.attemptId())
                            .setMetadata(AssetChecks.metadata(x.outputs(), rep)).setDataVersion(m.dataVersion())
                            .setUpstream(upstream)
                            .setParentRunId(s.origin() == dev.baton.runmodel.events.Event.Origin.SUBJOB ? s.parentRunId() : null)
                            .build())
                    .build();
            materializationOf.putIfAbsent(m.assetKey(), m);
            emitLineage(ev, out);
        }
        for (AssetChecks.Result r : checks) {
            Materialized checked = materializationOf.get(r.asset());
            String materializationId = checked == null ? "" : checked.id();
            LineageEvent ev = LineageEvent.newBuilder()
                    .setEventId(DecisionContext.uuid(materializationId + "/check/" + r.check()))
                    .setRunId(e.runId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                    .setAssetKey(r.asset()).setPartition(checked == null ? s.partition() : checked.partition())
                    .setPayload(new AssetCheckEvaluated(r.check(), r.severity(), r.outcome(), materializationId, r.message()))
                    .build();
            out.add(Out.of(Names.SINK_LINEAGE, r.asset(), codecs.lineage().serialize(topics.lineage(), ev), null));
        }
    }

    private void emitLineage(LineageEvent ev, List<Out> out) {
        out.add(Out.of(Names.SINK_LINEAGE, ev.getAssetKey(), codecs.lineage().serialize(topics.lineage(), ev), null));
        String latestKey = ev.getPartition() == null ? ev.getAssetKey() : ev.getAssetKey() + "/" + ev.getPartition();
        out.add(Out.of(Names.SINK_ASSETS_LATEST, latestKey, codecs.lineage().serialize(topics.assetsLatest(), ev), null));
    }
}
