package dev.baton.gateway.internal.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.ErrorClass;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RejectionType;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunQueued;
import dev.baton.events.RunRequestRejected;
import dev.baton.events.RunRequested;
import dev.baton.events.RunStarted;
import dev.baton.events.StepDispatched;
import dev.baton.events.StepFailed;
import dev.baton.events.StepRetryScheduled;
import dev.baton.events.StepSkipped;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.events.UpstreamRef;
import dev.baton.gateway.internal.json.Json;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunFoldTest {
    static final JobDefinition DEF = JobParser.parse("""
            name: two
            steps:
              - { key: a, noop: {}, produces: [x] }
              - { key: b, needs: [a], noop: {} }
            """, Format.YAML, Instant.EPOCH);
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    long seq;

    RunEvent ev(String step, Object payload) {
        seq++;
        return RunEvent.newBuilder().setEventId("e" + seq).setRunId("r1").setTimestamp(T0.plusSeconds(seq)).setTraceId("t")
                .setJob("two").setSequence(seq).setStepKey(step).setPayload(payload).build();
    }

    /** Folds through a JSON round trip each time, as the processor does with the store. */
    static RunView fold(RunView v, RunEvent e) {
        RunView copy = v == null ? null : Json.read(Json.bytes(v), RunView.class);
        return RunFold.apply(copy, e);
    }

    List<RunEvent> failedRun() {
        List<RunEvent> events = new ArrayList<>();
        events.add(ev(null, RunRequested.newBuilder().setJob("two").setDefinition(DEF).setRunKey("k").setParams(Map.of("p", "1"))
                .setOrigin(Origin.API).setRequestedBy("ops").build()));
        events.add(ev(null, new RunQueued(0)));
        events.add(ev(null, new RunStarted()));
        events.add(ev("a", StepDispatched.newBuilder().setAttempt(1).setAttemptId("a1").setPool("default").build()));
        events.add(ev("a", StepStarted.newBuilder().setAttempt(1).setAttemptId("a1").setAgentId("ag").setHost("h").build()));
        events.add(ev("a", StepSucceeded.newBuilder().setAttempt(1).setAttemptId("a1").setOutputs(Map.of("rows", "42"))
                .setMaterializations(List.of(new UpstreamRef("x", null, "m1", "v1"))).build()));
        events.add(ev("b", StepDispatched.newBuilder().setAttempt(1).setAttemptId("b1").setPool("default").build()));
        events.add(ev("b", StepStarted.newBuilder().setAttempt(1).setAttemptId("b1").setAgentId("ag").build()));
        events.add(ev("b", StepFailed.newBuilder().setAttempt(1).setAttemptId("b1").setErrorClass(ErrorClass.USER_ERROR)
                .setMessage("boom").setExitCode(2).setRetryable(true).setFinal$(false).build()));
        events.add(ev("b", new StepRetryScheduled(2, T0.plusSeconds(100), 1000L, false)));
        events.add(ev("b", StepDispatched.newBuilder().setAttempt(2).setAttemptId("b2").setPool("default").build()));
        events.add(ev("b", StepFailed.newBuilder().setAttempt(2).setAttemptId("b2").setErrorClass(ErrorClass.USER_ERROR)
                .setMessage("boom again").setRetryable(true).setFinal$(true).build()));
        events.add(ev(null, RunFailed.newBuilder().setReason("step b failed").setFailedSteps(List.of("b")).setDurationMs(12).build()));
        return events;
    }

    @Test
    void foldsARunThroughRetriesToFailureWithApiStatuses() {
        RunView v = null;
        List<RunEvent> events = failedRun();
        for (int i = 0; i < events.size(); i++) {
            v = fold(v, events.get(i));
            if (i == 3) {
                assertThat(ApiStatus.step(v.steps.get("a").status)).as("dispatched, not started").isEqualTo("QUEUED");
            }
            if (i == 9) {
                assertThat(ApiStatus.step(v.steps.get("b").status)).as("waiting for a retry").isEqualTo("PENDING");
                assertThat(v.steps.get("b").retryAt).isEqualTo(T0.plusSeconds(100).toEpochMilli());
            }
        }
        assertThat(v.status).isEqualTo("FAILED");
        assertThat(v.reason).isEqualTo("step b failed");
        assertThat(v.requestedBy).isEqualTo("ops");
        assertThat(v.jobVersion).isEqualTo(1);
        assertThat(v.steps.get("a").outputs).containsEntry("rows", "42");
        assertThat(v.steps.get("a").materializations).extracting(m -> m.materializationId).containsExactly("m1");
        assertThat(v.steps.get("a").agentId).isEqualTo("ag");
        assertThat(v.steps.get("b").status).isEqualTo("FAILED");
        assertThat(v.steps.get("b").attempt).isEqualTo(2);
        assertThat(v.steps.get("b").error.message).isEqualTo("boom again");
        assertThat(v.lastSequence).isEqualTo(events.size());

        var detail = ApiViews.runDetail(v);
        assertThat(detail.status()).isEqualTo("FAILED");
        assertThat(ApiViews.runSummary(v).stepCounts()).isEqualTo(Map.of("SUCCEEDED", 1, "FAILED", 1));
    }

    @Test
    void eventsReadAgainAfterARestartChangeNothing() {
        RunView v = null;
        List<RunEvent> events = failedRun();
        for (RunEvent e : events) {
            v = fold(v, e);
        }
        String once = new String(Json.bytes(v));
        for (RunEvent e : events.subList(2, events.size())) {
            v = fold(v, e);
        }
        v = fold(v, events.get(0));
        assertThat(new String(Json.bytes(v))).isEqualTo(once);
    }

    @Test
    void aRejectedRequestIsShownAsRejectedAndAValidRequestLaterReplacesIt() {
        RunView v = fold(null, ev(null, RunRequestRejected.newBuilder().setRejectionType(RejectionType.INVALID_REQUEST)
                .setReason("missing required param 'day'").setRunKey("k").setRequestEventId("q1").build()));
        assertThat(v.status).isEqualTo("REJECTED");
        assertThat(ApiStatus.run(v.status)).isEqualTo("REJECTED");
        assertThat(v.finished()).isTrue();
        assertThat(v.rejection.type).isEqualTo("INVALID_REQUEST");

        v = fold(v, ev(null, RunRequested.newBuilder().setJob("two").setDefinition(DEF).build()));
        assertThat(v.status).isEqualTo("REQUESTED");
        assertThat(ApiStatus.run(v.status)).isEqualTo("QUEUED");
        assertThat(v.rejection).isNull();

        // a duplicate request for an existing run is counted, the run is unchanged
        v = fold(v, ev(null, RunRequestRejected.newBuilder().setRejectionType(RejectionType.DUPLICATE_RUN)
                .setReason("dup").setExistingRunId("r1").setRequestEventId("q2").build()));
        assertThat(v.status).isEqualTo("REQUESTED");
        assertThat(v.duplicateRequests).isEqualTo(1);
    }

    @Test
    void eventsOfUnknownRunsLeaveNothing() {
        assertThat(RunFold.apply(null, ev("a", new StepSkipped("x")))).isNull();
    }

    @Test
    void indexKeysOrderNewestFirst() {
        String older = Keys.runOrder(T0.toEpochMilli(), "zzz");
        String newer = Keys.runOrder(T0.plusMillis(1).toEpochMilli(), "aaa");
        assertThat(newer).isLessThan(older);
        assertThat(Keys.runFromOrder(newer)).isEqualTo("aaa");
        assertThat(Keys.jobVersion("j", 10)).isGreaterThan(Keys.jobVersion("j", 9));
        assertThat(Keys.prefix("job") + Keys.END).isGreaterThan(Keys.byJob("job", newer));
    }
}
