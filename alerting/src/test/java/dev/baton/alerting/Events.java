package dev.baton.alerting;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentState;
import dev.baton.events.AlertRule;
import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetSpec;
import dev.baton.events.CheckOutcome;
import dev.baton.events.CheckSeverity;
import dev.baton.events.ConcurrencySpec;
import dev.baton.events.ErrorClass;
import dev.baton.events.IncidentCommand;
import dev.baton.events.AcknowledgeIncident;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.NoopAction;
import dev.baton.events.RetryPolicy;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepDefinition;
import dev.baton.events.StepFailed;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Input events for the alerting tests, as the coordinator, the agents and the gateway write them. */
final class Events {
    private Events() {}

    /** A job from its YAML text (so the alert rules are read as users write them). */
    static JobDefinition job(String yaml) {
        return JobParser.parse(yaml, Format.YAML, Instant.parse("2026-12-01T00:00:00Z"));
    }

    static RunEvent runFailed(String job, String runId, Instant at) {
        return run(job, runId, at, null, new RunFailed("step sweep failed", List.of("sweep"), 10L, false));
    }

    static RunEvent runSucceeded(String job, String runId, Instant at) {
        return run(job, runId, at, null, new RunSucceeded(10L));
    }

    static RunEvent stepFailed(String job, String runId, String step, Instant at) {
        return run(job, runId, at, step, StepFailed.newBuilder().setAttempt(3).setAttemptId(runId + "/" + step + "/3")
                .setErrorClass(ErrorClass.USER_ERROR).setMessage("exit 1").setExitCode(1).setRetryable(false).setFinal$(true)
                .setDurationMs(5L).build());
    }

    static RunEvent run(String job, String runId, Instant at, String step, Object payload) {
        return RunEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(at).setTraceId(runId)
                .setJob(job).setSequence(1L).setStepKey(step).setPayload(payload).build();
    }

    static LineageEvent check(String asset, String check, CheckOutcome outcome, String runId, Instant at) {
        return LineageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(at).setTraceId("t")
                .setAssetKey(asset).setPartition(null)
                .setPayload(new AssetCheckEvaluated(check, CheckSeverity.ERROR, outcome, "m-1", outcome == CheckOutcome.PASSED ? "" : "rows = 0"))
                .build();
    }

    static AgentHeartbeat heartbeat(String agentId, Instant at, AgentState state) {
        return AgentHeartbeat.newBuilder().setEventId(UUID.randomUUID().toString()).setTimestamp(at).setTraceId("t")
                .setAgentId(agentId).setPools(List.of("default")).setRegion("").setHost("h").setVersion("1").setSlots(4)
                .setState(state).setRunning(List.of()).setStartedAt(at).build();
    }

    static IncidentCommand ack(String incidentId, String actor, Instant at) {
        return IncidentCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setIncidentId(incidentId).setTimestamp(at)
                .setTraceId("t").setActor(actor).setCommand(new AcknowledgeIncident("on it")).build();
    }

    static StepDefinition noop(String key, List<AssetSpec> produces) {
        return StepDefinition.newBuilder().setKey(key).setAction(new NoopAction()).setRetry(new RetryPolicy(1, 1000L, 2.0, 300000L, 0.0))
                .setProduces(produces).build();
    }

    static JobDefinition withRules(String name, List<AlertRule> rules) {
        return JobDefinition.newBuilder().setName(name).setSteps(List.of(noop("a", List.of()))).setConcurrency(new ConcurrencySpec(null))
                .setRegisteredAt(Instant.EPOCH).setAlerts(rules).setParams(Map.of()).build();
    }
}
