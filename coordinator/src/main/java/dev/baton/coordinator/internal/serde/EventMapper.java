package dev.baton.coordinator.internal.serde;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.events.AgentReport;
import dev.baton.events.CancelRun;
import dev.baton.events.ControlCommand;
import dev.baton.events.RunRequest;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepHeartbeatReport;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.runmodel.events.Event.ErrorClass;
import dev.baton.runmodel.events.Event.Origin;
import dev.baton.runmodel.events.Event.Reused;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts the public Avro inputs (requests, commands, agent reports) into the coordinator's own records, at the serde
 * boundary only. Run events convert with the shared {@link dev.baton.runmodel.events.RunEventMapper}.
 */
public final class EventMapper {
    private EventMapper() {}

    // ---- inputs ----

    public static Input.RequestRun input(RunRequest r) {
        Map<String, Reused> reuse = new LinkedHashMap<>();
        r.getReuse().forEach((k, v) -> reuse.put(k, new Reused(v.getFromRunId(), v.getAttempt(), Map.copyOf(v.getOutputs()))));
        return new Input.RequestRun(r.getEventId(), r.getRunId(), r.getTimestamp(), r.getTraceId(), r.getJob(), r.getRunKey(),
                Map.copyOf(r.getParams()), Map.copyOf(r.getTags()), Origin.valueOf(r.getOrigin().name()), r.getParentRunId(),
                r.getRequestedBy(), r.getPriority(), r.getDefinition(), reuse, r.getPartition(),
                validTraceparent(r.getTraceparent()), List.copyOf(r.getCallChain()), r.getNoCache());
    }

    /** The requester's traceparent when it is well-formed W3C, else null (a malformed one is ignored, not fatal). */
    static String validTraceparent(String traceparent) {
        return dev.baton.platform.tracing.TraceContext.parse(traceparent, null).isValid() ? traceparent.trim() : null;
    }

    public static Input input(ControlCommand c) {
        Object cmd = c.getCommand();
        return switch (cmd) {
            case CancelRun x -> new Input.CancelRun(c.getEventId(), c.getRunId(), c.getTimestamp(), c.getTraceId(), c.getActor(),
                    x.getReason(), x.getGraceMs());
            case dev.baton.events.RetryRun x -> new Input.RetryRun(c.getEventId(), c.getRunId(), c.getTimestamp(), c.getTraceId(),
                    c.getActor(), x.getNewRunId());
            case dev.baton.events.AdmitRun x -> new Input.AdmitRun(c.getEventId(), c.getRunId(), c.getTimestamp(), c.getTraceId(), x.getJob());
            case dev.baton.events.AdmitStep x -> new Input.AdmitStep(c.getEventId(), c.getRunId(), c.getTimestamp(), c.getTraceId(),
                    x.getStepKey(), x.getPool());
            case dev.baton.events.ChildRunEnded x -> new Input.ChildRunEnded(c.getEventId(), c.getRunId(), c.getTimestamp(),
                    c.getTraceId(), x.getChildRunId(), Input.ChildRunEnded.Outcome.valueOf(x.getOutcome().name()),
                    Map.copyOf(x.getOutputs()), x.getReason(), x.getDurationMs());
            case dev.baton.events.StepCacheAnswer x -> new Input.CacheAnswer(c.getEventId(), c.getRunId(), c.getTimestamp(),
                    c.getTraceId(), x.getStepKey(), x.getIndexKey(), x.getEntry() == null ? null : entry(x.getEntry()));
            default -> throw new IllegalArgumentException("unknown control command " + cmd.getClass().getSimpleName());
        };
    }

    public static Input.CacheEntry entry(dev.baton.events.StepCacheEntry e) {
        return new Input.CacheEntry(e.getIndexKey(), e.getCacheKey(), e.getRunId(), e.getStepKey(), e.getAttempt(),
                e.getSucceededAt(), Map.copyOf(e.getOutputs()), Map.copyOf(e.getOutputRefs()), e.getMaterializations().stream()
                        .map(u -> new dev.baton.runmodel.events.Event.Materialized(u.getAssetKey(), u.getPartition(),
                                u.getMaterializationId(), u.getDataVersion())).toList());
    }

    public static dev.baton.events.StepCacheEntry entry(Input.CacheEntry e) {
        return new dev.baton.events.StepCacheEntry(e.indexKey(), e.cacheKey(), e.runId(), e.stepKey(), e.attempt(),
                e.succeededAt(), e.outputs(), e.outputRefs(), e.materializations().stream()
                        .map(m -> new dev.baton.events.UpstreamRef(m.assetKey(), m.partition(), m.id(), m.dataVersion())).toList());
    }

    public static Input.Report input(AgentReport a) {
        Object rep = a.getReport();
        return switch (rep) {
            case StepStartedReport x -> new Input.Started(a.getEventId(), a.getRunId(), a.getTimestamp(), a.getTraceId(),
                    a.getStepKey(), a.getAttempt(), a.getAttemptId(), a.getAgentId(), x.getHost(), x.getRegion());
            case StepHeartbeatReport x -> new Input.Heartbeat(a.getEventId(), a.getRunId(), a.getTimestamp(), a.getTraceId(),
                    a.getStepKey(), a.getAttempt(), a.getAttemptId(), a.getAgentId());
            case StepSucceededReport x -> new Input.Succeeded(a.getEventId(), a.getRunId(), a.getTimestamp(), a.getTraceId(),
                    a.getStepKey(), a.getAttempt(), a.getAttemptId(), a.getAgentId(), Map.copyOf(x.getOutputs()),
                    Map.copyOf(x.getOutputRefs()), List.copyOf(x.getMaterializations()), x.getDurationMs());
            case StepFailedReport x -> new Input.Failed(a.getEventId(), a.getRunId(), a.getTimestamp(), a.getTraceId(),
                    a.getStepKey(), a.getAttempt(), a.getAttemptId(), a.getAgentId(),
                    ErrorClass.valueOf(x.getErrorClass().name()), x.getMessage(), x.getExitCode(), x.getRetryable(),
                    x.getDurationMs());
            default -> throw new IllegalArgumentException("unknown report " + rep.getClass().getSimpleName());
        };
    }
}
