package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.CommandRejected;
import dev.baton.events.ErrorClass;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RejectionType;
import dev.baton.events.ReportRejected;
import dev.baton.events.RunCancelRequested;
import dev.baton.events.RunCanceled;
import dev.baton.events.RunEvent;
import dev.baton.events.RunQueued;
import dev.baton.events.RunRequested;
import dev.baton.events.RunStarted;
import dev.baton.events.StepCanceled;
import dev.baton.events.StepDispatched;
import dev.baton.events.StepFailed;
import dev.baton.events.StepLost;
import dev.baton.events.StepRetryScheduled;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.events.StepTimedOut;
import dev.baton.events.UpstreamRef;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ReadModelTopology;
import dev.baton.gateway.internal.readmodel.RunFold;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stored event JSON turns back into the very Avro events it was written from, so the state endpoint replays truly. */
class EventTreesTest {
    static final JobDefinition DEF = JobParser.parse("""
            name: two
            params:
              p: { default: "1" }
            steps:
              - { key: a, noop: {}, produces: [x] }
              - { key: b, needs: [a], noop: {} }
            """, Format.YAML, Instant.EPOCH);
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    long seq;

    RunEvent ev(String step, Object payload) {
        seq++;
        return RunEvent.newBuilder().setEventId("e" + seq).setRunId("r1").setTimestamp(T0.plusMillis(seq * 1001)).setTraceId("t")
                .setJob("two").setSequence(seq).setStepKey(step).setPayload(payload).build();
    }

    List<RunEvent> run() {
        List<RunEvent> l = new ArrayList<>();
        l.add(ev(null, RunRequested.newBuilder().setJob("two").setDefinition(DEF).setRunKey("k").setParams(Map.of("p", "7"))
                .setTags(Map.of("team", "data")).setOrigin(Origin.SCHEDULE).setRequestedBy("ops").build()));
        l.add(ev(null, new RunQueued(3)));
        l.add(ev(null, new RunStarted()));
        l.add(ev("a", StepDispatched.newBuilder().setAttempt(1).setAttemptId("a1").setPool("default")
                .setUpstream(List.of(new UpstreamRef("up", "2026-05-01", "m0", null))).build()));
        l.add(ev("a", StepStarted.newBuilder().setAttempt(1).setAttemptId("a1").setAgentId("ag").setHost("h").setRegion("eu").build()));
        l.add(ev("a", new StepLost(1, "a1", T0.plusSeconds(3))));
        l.add(ev("a", new StepRetryScheduled(2, T0.plusSeconds(100), 1000L, false)));
        l.add(ev("a", StepDispatched.newBuilder().setAttempt(2).setAttemptId("a2").setPool("default").build()));
        l.add(ev("a", ReportRejected.newBuilder().setStepKey("a").setAttempt(1).setAttemptId("a1").setAgentId("ag")
                .setReportType("StepSucceeded").setRejectionType(RejectionType.values()[0]).setReason("stale attempt")
                .setReportEventId("x").build()));
        l.add(ev("a", StepSucceeded.newBuilder().setAttempt(2).setAttemptId("a2").setOutputs(Map.of("rows", "42"))
                .setMaterializations(List.of(new UpstreamRef("x", null, "m1", "v1"))).setDurationMs(5).build()));
        l.add(ev("b", StepDispatched.newBuilder().setAttempt(1).setAttemptId("b1").setPool("default").build()));
        l.add(ev("b", StepStarted.newBuilder().setAttempt(1).setAttemptId("b1").setAgentId("ag").build()));
        l.add(ev("b", new StepTimedOut(1, "b1", 60_000L)));
        l.add(ev("b", StepFailed.newBuilder().setAttempt(1).setAttemptId("b1").setErrorClass(ErrorClass.USER_ERROR)
                .setMessage("boom").setExitCode(2).setRetryable(false).setFinal$(true).build()));
        l.add(ev(null, CommandRejected.newBuilder().setCommandType("RetryRun").setRejectionType(RejectionType.values()[0])
                .setReason("not failed").setCommandEventId("c").build()));
        l.add(ev(null, RunCancelRequested.newBuilder().setReason("stop").setActor("ops").setDeadline(T0.plusSeconds(500)).build()));
        l.add(ev("b", StepCanceled.newBuilder().setAttempt(1).setAttemptId("b1").setReason("stop").build()));
        l.add(ev(null, RunCanceled.newBuilder().setReason("stop").setDurationMs(99).build()));
        return l;
    }

    static JsonNode stored(RunEvent e) throws Exception {
        Method m = ReadModelTopology.class.getDeclaredMethod("eventJson", RunEvent.class, String.class);
        m.setAccessible(true);
        return Json.tree(Json.bytes(m.invoke(null, e, e.getPayload().getClass().getSimpleName())));
    }

    @Test
    void everyStoredEventTurnsBackIntoTheEventItWasWrittenFrom() throws Exception {
        for (RunEvent e : run()) {
            RunEvent back = EventTrees.toEvent(stored(e), (name, version) -> name.equals("two") && version == 1 ? DEF : null);
            assertThat(back).as(e.getPayload().getClass().getSimpleName()).isEqualTo(e);
        }
    }

    @Test
    void replayingTheStoredJsonFoldsToTheSameViewAtEveryStep() throws Exception {
        RunView direct = null, replayed = null;
        for (RunEvent e : run()) {
            direct = RunFold.apply(direct == null ? null : Json.read(Json.bytes(direct), RunView.class), e);
            RunEvent back = EventTrees.toEvent(stored(e), (n, v) -> DEF);
            replayed = RunFold.apply(replayed == null ? null : Json.read(Json.bytes(replayed), RunView.class), back);
            assertThat(new String(Json.bytes(replayed))).isEqualTo(new String(Json.bytes(direct)));
        }
        assertThat(replayed.status).isEqualTo("CANCELED");
    }

    @Test
    void aMissingDefinitionOrUnknownTypeIsAClearError() throws Exception {
        JsonNode requested = stored(run().get(0));
        assertThatThrownBy(() -> EventTrees.toEvent(requested, (n, v) -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two v1");
        ((com.fasterxml.jackson.databind.node.ObjectNode) requested).put("type", "NoSuchEvent");
        assertThatThrownBy(() -> EventTrees.toEvent(requested, (n, v) -> DEF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoSuchEvent");
    }
}
