package dev.baton.runmodel.events;

import dev.baton.events.ReusedStep;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event.*;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts run events between the public Avro {@code RunEvent} (the wire contract of {@code baton.run-events}) and the
 * model's records, at the serde boundary only. The coordinator writes with {@link #toAvro}; every reader of the
 * topic that folds runs (the coordinator's tools, the gateway's read model) reads with {@link #fromAvro}.
 */
public final class RunEventMapper {
    /** The wire's attempt id of a step event about no attempt (a step canceled before its first dispatch). */
    public static final String NO_ATTEMPT_ID = "";

    private RunEventMapper() {}

    public static dev.baton.events.RunEvent toAvro(Envelope e) {
        return dev.baton.events.RunEvent.newBuilder()
                .setEventId(e.eventId()).setRunId(e.runId()).setTimestamp(e.timestamp()).setTraceId(e.traceId())
                .setJob(e.job()).setSequence(e.sequence()).setStepKey(e.stepKey()).setPayload(payload(e.event()))
                .build();
    }

    public static Envelope fromAvro(dev.baton.events.RunEvent r) {
        return new Envelope(r.getEventId(), r.getRunId(), r.getTimestamp(), r.getTraceId(), r.getJob(), r.getSequence(),
                r.getStepKey(), event(r.getPayload()));
    }

    /**
     * A step canceled before its first dispatch has no attempt (attempt 0, no attempt id); the wire's {@code attemptId}
     * is not nullable, so it carries {@code ""} for none.
     */
    private static String wireAttemptId(String attemptId) {
        return attemptId == null ? NO_ATTEMPT_ID : attemptId;
    }

    private static String modelAttemptId(String attemptId) {
        return NO_ATTEMPT_ID.equals(attemptId) ? null : attemptId;
    }

    private static dev.baton.events.RejectionType rej(Rejection r) {
        return dev.baton.events.RejectionType.valueOf(r.name());
    }

    private static Rejection rej(dev.baton.events.RejectionType r) {
        return Rejection.valueOf(r.name());
    }

    private static dev.baton.events.ErrorClass ec(ErrorClass e) {
        return dev.baton.events.ErrorClass.valueOf(e.name());
    }

    /** The Avro payload of an event (one branch of the {@code RunEvent} payload union). */
    public static Object payload(Event ev) {
        return switch (ev) {
            case RunRequested r -> {
                Map<String, ReusedStep> reuse = new LinkedHashMap<>();
                r.reuse().forEach((k, v) -> reuse.put(k, new ReusedStep(v.fromRunId(), v.attempt(), v.outputs())));
                yield new dev.baton.events.RunRequested(r.job(), r.definition(), r.runKey(), r.params(), r.tags(),
                        dev.baton.events.Origin.valueOf(r.origin().name()), r.parentRunId(), r.requestedBy(), r.priority(), reuse,
                        r.partition(), r.traceparent(), r.callChain(), r.noCache());
            }
            case RunQueued q -> new dev.baton.events.RunQueued(q.priority());
            case RunStarted s -> new dev.baton.events.RunStarted();
            case RunSucceeded s -> new dev.baton.events.RunSucceeded(s.durationMs());
            case RunFailed f -> new dev.baton.events.RunFailed(f.reason(), f.failedSteps(), f.durationMs(), f.timedOut());
            case RunCancelRequested c -> new dev.baton.events.RunCancelRequested(c.reason(), c.actor(), c.deadline());
            case RunCanceled c -> new dev.baton.events.RunCanceled(c.reason(), c.durationMs());
            case RunRequestRejected r -> new dev.baton.events.RunRequestRejected(rej(r.rejection()), r.reason(),
                    r.existingRunId(), r.runKey(), r.requestEventId());
            case RunRetried r -> new dev.baton.events.RunRetried(r.newRunId(), r.reusedSteps());
            case RunExpired x -> new dev.baton.events.RunExpired();
            case CommandRejected c -> new dev.baton.events.CommandRejected(c.commandType(), rej(c.rejection()), c.reason(),
                    c.commandEventId());
            case ReportRejected r -> new dev.baton.events.ReportRejected(r.stepKey(), r.attempt(), r.attemptId(),
                    r.agentId(), r.reportType(), rej(r.rejection()), r.reason(), r.reportEventId());
            case StepQueued q -> new dev.baton.events.StepQueued(q.pool());
            case StepDispatched d -> new dev.baton.events.StepDispatched(d.attempt(), d.attemptId(), d.pool(), d.upstream());
            case StepStarted s -> new dev.baton.events.StepStarted(s.attempt(), s.attemptId(), s.agentId(), s.host(), s.region());
            case StepHeartbeat h -> new dev.baton.events.StepHeartbeat(h.attempt(), h.attemptId(), h.agentId());
            case StepSucceeded s -> new dev.baton.events.StepSucceeded(s.attempt(), s.attemptId(), s.outputs(),
                    s.outputRefs(), s.durationMs(), s.materializations().stream()
                            .map(m -> new UpstreamRef(m.assetKey(), m.partition(), m.id(), m.dataVersion())).toList());
            case StepFailed f -> new dev.baton.events.StepFailed(f.attempt(), f.attemptId(), ec(f.errorClass()), f.message(),
                    f.exitCode(), f.retryable(), f.last(), f.durationMs());
            case StepRetryScheduled r -> new dev.baton.events.StepRetryScheduled(r.nextAttempt(), r.dueAt(), r.backoffMs(),
                    r.infrastructure());
            case StepLost l -> new dev.baton.events.StepLost(l.attempt(), l.attemptId(), l.lastHeartbeat());
            case StepTimedOut t -> new dev.baton.events.StepTimedOut(t.attempt(), t.attemptId(), t.timeoutMs());
            case StepCancelRequested c -> new dev.baton.events.StepCancelRequested(c.attempt(), wireAttemptId(c.attemptId()), c.reason());
            case StepCanceled c -> new dev.baton.events.StepCanceled(c.attempt(), wireAttemptId(c.attemptId()), c.reason());
            case StepSkipped s -> new dev.baton.events.StepSkipped(s.reason());
            case StepReused r -> new dev.baton.events.StepReused(r.fromRunId(), r.attempt(), r.outputs());
            case StepSubJobStarted x -> new dev.baton.events.StepSubJobStarted(x.attempt(), x.attemptId(), x.childRunId(),
                    x.job(), x.params());
            case StepCacheLookup x -> new dev.baton.events.StepCacheLookup(x.cacheKey(), x.indexKey());
            case StepCacheHit x -> new dev.baton.events.StepCacheHit(x.cacheKey(), x.fromRunId(), x.fromAttempt(), x.cachedAt(),
                    x.outputs(), x.outputRefs(), x.materializations().stream()
                            .map(m -> new UpstreamRef(m.assetKey(), m.partition(), m.id(), m.dataVersion())).toList());
            case StepCacheMiss x -> new dev.baton.events.StepCacheMiss(x.cacheKey(), x.reason());
            case StepMapped m -> new dev.baton.events.StepMapped(m.count(), m.maxParallel());
        };
    }

    /**
     * The event of an Avro payload.
     *
     * @throws IllegalArgumentException for a payload type this model does not know (one newer than this reader)
     */
    public static Event event(Object p) {
        return switch (p) {
            case dev.baton.events.RunRequested r -> {
                Map<String, Reused> reuse = new LinkedHashMap<>();
                r.getReuse().forEach((k, v) -> reuse.put(k, new Reused(v.getFromRunId(), v.getAttempt(), Map.copyOf(v.getOutputs()))));
                yield new RunRequested(r.getJob(), r.getDefinition(), r.getRunKey(), Map.copyOf(r.getParams()),
                        Map.copyOf(r.getTags()), Origin.valueOf(r.getOrigin().name()), r.getParentRunId(), r.getRequestedBy(),
                        r.getPriority(), reuse, r.getPartition(), r.getTraceparent(), List.copyOf(r.getCallChain()), r.getNoCache());
            }
            case dev.baton.events.RunQueued q -> new RunQueued(q.getPriority());
            case dev.baton.events.RunStarted s -> new RunStarted();
            case dev.baton.events.RunSucceeded s -> new RunSucceeded(s.getDurationMs());
            case dev.baton.events.RunFailed f -> new RunFailed(f.getReason(), List.copyOf(f.getFailedSteps()), f.getDurationMs(), f.getTimedOut());
            case dev.baton.events.RunCancelRequested c -> new RunCancelRequested(c.getReason(), c.getActor(), c.getDeadline());
            case dev.baton.events.RunCanceled c -> new RunCanceled(c.getReason(), c.getDurationMs());
            case dev.baton.events.RunRequestRejected r -> new RunRequestRejected(rej(r.getRejectionType()), r.getReason(),
                    r.getExistingRunId(), r.getRunKey(), r.getRequestEventId());
            case dev.baton.events.RunRetried r -> new RunRetried(r.getNewRunId(), List.copyOf(r.getReusedSteps()));
            case dev.baton.events.RunExpired x -> new RunExpired();
            case dev.baton.events.CommandRejected c -> new CommandRejected(c.getCommandType(), rej(c.getRejectionType()),
                    c.getReason(), c.getCommandEventId());
            case dev.baton.events.ReportRejected r -> new ReportRejected(r.getStepKey(), r.getAttempt(), r.getAttemptId(),
                    r.getAgentId(), r.getReportType(), rej(r.getRejectionType()), r.getReason(), r.getReportEventId());
            case dev.baton.events.StepQueued q -> new StepQueued(q.getPool());
            case dev.baton.events.StepDispatched d -> new StepDispatched(d.getAttempt(), d.getAttemptId(), d.getPool(),
                    List.copyOf(d.getUpstream()));
            case dev.baton.events.StepStarted s -> new StepStarted(s.getAttempt(), s.getAttemptId(), s.getAgentId(), s.getHost(), s.getRegion());
            case dev.baton.events.StepHeartbeat h -> new StepHeartbeat(h.getAttempt(), h.getAttemptId(), h.getAgentId());
            case dev.baton.events.StepSucceeded s -> {
                List<Materialized> ms = new ArrayList<>();
                for (UpstreamRef u : s.getMaterializations()) {
                    ms.add(new Materialized(u.getAssetKey(), u.getPartition(), u.getMaterializationId(), u.getDataVersion()));
                }
                yield new StepSucceeded(s.getAttempt(), s.getAttemptId(), Map.copyOf(s.getOutputs()), Map.copyOf(s.getOutputRefs()),
                        s.getDurationMs(), List.copyOf(ms));
            }
            case dev.baton.events.StepFailed f -> new StepFailed(f.getAttempt(), f.getAttemptId(),
                    ErrorClass.valueOf(f.getErrorClass().name()), f.getMessage(), f.getExitCode(), f.getRetryable(),
                    f.getFinal$(), f.getDurationMs());
            case dev.baton.events.StepRetryScheduled r -> new StepRetryScheduled(r.getNextAttempt(), r.getDueAt(), r.getBackoffMs(),
                    r.getInfrastructure());
            case dev.baton.events.StepLost l -> new StepLost(l.getAttempt(), l.getAttemptId(), l.getLastHeartbeat());
            case dev.baton.events.StepTimedOut t -> new StepTimedOut(t.getAttempt(), t.getAttemptId(), t.getTimeoutMs());
            case dev.baton.events.StepCancelRequested c -> new StepCancelRequested(c.getAttempt(), modelAttemptId(c.getAttemptId()),
                    c.getReason());
            case dev.baton.events.StepCanceled c -> new StepCanceled(c.getAttempt(), modelAttemptId(c.getAttemptId()), c.getReason());
            case dev.baton.events.StepSkipped s -> new StepSkipped(s.getReason());
            case dev.baton.events.StepReused r -> new StepReused(r.getFromRunId(), r.getAttempt(), Map.copyOf(r.getOutputs()));
 case dev.baton.events.StepSubJobStarted x -> new StepSubJobStarted(x.getAttempt(), x.getAttemptId(), x.getChildRunId(),
                    x.getJob(), Map.copyOf(x.getParams()));
            case dev.baton.events.StepCacheLookup x -> new StepCacheLookup(x.getCacheKey(), x.getIndexKey());
            case dev.baton.events.StepCacheHit x -> new StepCacheHit(x.getCacheKey(), x.getFromRunId(), x.getFromAttempt(),
                    x.getCachedAt(), Map.copyOf(x.getOutputs()), Map.copyOf(x.getOutputRefs()), x.getMaterializations().stream()
                            .map(u -> new Materialized(u.getAssetKey(), u.getPartition(), u.getMaterializationId(), u.getDataVersion()))
                            .toList());
            case dev.baton.events.StepCacheMiss x -> new StepCacheMiss(x.getCacheKey(), x.getReason());
            case dev.baton.events.StepMapped m -> new StepMapped(m.getCount(), m.getMaxParallel());
            default -> throw new IllegalArgumentException("unknown run event payload " + p.getClass().getSimpleName());
        };
    }
}
