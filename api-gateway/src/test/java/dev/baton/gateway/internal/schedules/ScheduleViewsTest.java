package dev.baton.gateway.internal.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.events.ScheduleSpec;
import dev.baton.gateway.internal.json.Json;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.SchedulerControl;
import dev.baton.scheduler.api.SchedulerTopics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schedule view joins the definition, the scheduler's status and the desired pause without a broker. */
class ScheduleViewsTest {
    static final JobDefinition JOB = JobDefinition.newBuilder(JobParser.parse("""
            name: nightly
            schedules:
              - name: berlin
                cron: "30 2 * * *"
                timezone: Europe/Berlin
              - name: held
                every: PT15M
                paused: true
            steps:
              - { key: one, noop: {} }
            """, Format.YAML, Instant.EPOCH)).setVersion(3).build();
    static final ScheduleSpec BERLIN = JOB.getSchedules().get(0);
    static final ScheduleSpec HELD = JOB.getSchedules().get(1);
    static final Instant NOW = Instant.parse("2026-03-27T12:00:00Z");

    static ScheduleStatus status(ScheduleSpec spec, Boolean override, String cursor, List<ScheduleStatus.Tick> ticks) {
        boolean paused = override != null ? override : spec.getPaused();
        return new ScheduleStatus("nightly", spec.getName(), spec.getCron(), spec.getIntervalMs(), spec.getTimezone(), "ALLOW",
                "LATEST", paused, spec.getPaused(), override, override == null ? null : "alice",
                override == null ? null : "upgrade", cursor, List.of(), List.of(), List.of(), ticks, cursor);
    }

    static JsonNode json(Object view) {
        return Json.tree(Json.bytes(view));
    }

    @Test
    void nextFireTimesAreLocalWallClockTicksAcrossTheSpringForwardNight() {
        JsonNode v = json(ScheduleViews.view(JOB, BERLIN, null, null, NOW, 4, id -> null));
        assertThat(v.get("cron").asText()).isEqualTo("30 2 * * *");
        assertThat(v.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(v.get("jobVersion").asInt()).isEqualTo(3);
        // 02:30 CET, then the nonexistent 02:30 of the 29th shifted to 03:30 CEST, then 02:30 CEST.
        assertThat(v.get("nextFireTimes")).extracting(JsonNode::asText).containsExactly(
                "2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z");
        assertThat(v.get("seenByScheduler").asBoolean()).isFalse();
        assertThat(v.get("paused").asBoolean()).isFalse();
        assertThat(v.has("pendingChange")).isFalse();
        assertThat(v.get("lastTicks")).isEmpty();
    }

    @Test
    void fireTimesStartAfterTheSchedulersCursorWhenItIsAhead() {
        ScheduleStatus s = status(BERLIN, null, "2026-03-28T01:30:00Z", List.of());
        JsonNode v = json(ScheduleViews.view(JOB, BERLIN, s, null, Instant.parse("2026-03-28T01:29:59Z"), 1, id -> null));
        assertThat(v.get("nextFireTimes")).extracting(JsonNode::asText).containsExactly("2026-03-29T01:30:00Z");
    }

    @Test
    void pauseStateSaysWhetherTheFileOrARuntimeOverridePausesAndWhatIsNotAppliedYet() {
        JsonNode file = json(ScheduleViews.view(JOB, HELD, status(HELD, null, NOW.toString(), List.of()), null, NOW, 1, id -> null));
        assertThat(file.get("paused").asBoolean()).isTrue();
        assertThat(file.get("pausedBy").asText()).isEqualTo("file");
        assertThat(file.get("pausedInFile").asBoolean()).isTrue();
        assertThat(file.get("every").asText()).isEqualTo("PT15M");
        assertThat(file.get("intervalMs").asLong()).isEqualTo(900_000L);
        assertThat(file.has("cron")).isFalse();
        assertThat(file.has("pendingChange")).isFalse();

        SchedulerControl.Command pause = new SchedulerControl.Command(true, "alice", "upgrade", NOW.toString());
        // Written but not applied (no scheduler, or not yet): the status still decides, the change is pending.
        JsonNode pending = json(ScheduleViews.view(JOB, BERLIN, status(BERLIN, null, NOW.toString(), List.of()), pause, NOW, 1,
                id -> null));
        assertThat(pending.get("paused").asBoolean()).isFalse();
        assertThat(pending.get("pendingChange").get("paused").asBoolean()).isTrue();
        assertThat(pending.get("pendingChange").get("pauseOverride").asBoolean()).isTrue();
        assertThat(pending.get("pendingChange").get("actor").asText()).isEqualTo("alice");

        JsonNode applied = json(ScheduleViews.view(JOB, BERLIN, status(BERLIN, true, NOW.toString(), List.of()), pause, NOW, 1,
                id -> null));
        assertThat(applied.get("paused").asBoolean()).isTrue();
        assertThat(applied.get("pausedBy").asText()).isEqualTo("runtime");
        assertThat(applied.get("pauseActor").asText()).isEqualTo("alice");
        assertThat(applied.get("pauseReason").asText()).isEqualTo("upgrade");
        assertThat(applied.has("pendingChange")).isFalse();

        // A resume that cleared the override (tombstone) is pending until the scheduler dropped its override.
        JsonNode clearing = json(ScheduleViews.view(JOB, BERLIN, status(BERLIN, true, NOW.toString(), List.of()), null, NOW, 1,
                id -> null));
        assertThat(clearing.get("pendingChange").get("paused").asBoolean()).isFalse();
        assertThat(clearing.get("pendingChange").has("pauseOverride")).isFalse(); // absent: no override, the file decides

        // A runtime resume of a schedule the file pauses.
        JsonNode resumed = json(ScheduleViews.view(JOB, HELD, status(HELD, false, NOW.toString(), List.of()),
                new SchedulerControl.Command(false, "bob", null, NOW.toString()), NOW, 1, id -> null));
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(resumed.has("pausedBy")).isFalse();
        assertThat(resumed.get("pauseOverride").asBoolean()).isFalse();
    }

    @Test
    void lastTicksAreNewestFirstWithTheReadModelsRunStatusWhenItKnowsTheRun() {
        List<ScheduleStatus.Tick> ticks = List.of(
                new ScheduleStatus.Tick("2026-03-25T01:30:00Z", "REQUESTED", "run-1", "FAILED", null, "2026-03-25T01:30:00.050Z"),
                new ScheduleStatus.Tick("2026-03-26T01:30:00Z", "REQUESTED", "run-2", null, null, "2026-03-26T01:30:00.050Z"),
                new ScheduleStatus.Tick("2026-03-27T01:30:00Z", "MISSED", null, null, "scheduler was down", "2026-03-27T09:00:00Z"));
        JsonNode v = json(ScheduleViews.view(JOB, BERLIN, status(BERLIN, null, "2026-03-27T09:00:00Z", ticks), null, NOW, 0,
                id -> id.equals("run-2") ? "RUNNING" : null));
        assertThat(v.get("nextFireTimes")).isEmpty();
        assertThat(v.get("lastTicks")).extracting(t -> t.get("tick").asText())
                .containsExactly("2026-03-27T01:30:00Z", "2026-03-26T01:30:00Z", "2026-03-25T01:30:00Z");
        assertThat(v.get("lastTicks").get(0).get("outcome").asText()).isEqualTo("MISSED");
        assertThat(v.get("lastTicks").get(0).get("detail").asText()).isEqualTo("scheduler was down");
        assertThat(v.get("lastTicks").get(1).get("runStatus").asText()).isEqualTo("RUNNING");
        assertThat(v.get("lastTicks").get(2).get("runId").asText()).isEqualTo("run-1");
        assertThat(v.get("lastTicks").get(2).get("runStatus").asText()).isEqualTo("FAILED");
        assertThat(v.get("seenByScheduler").asBoolean()).isTrue();
        assertThat(v.get("cursor").asText()).isEqualTo("2026-03-27T09:00:00Z");
    }

    @Test
    void theGatewayCreatesTheControlTopicTheSchedulerReadsAndSchedulerControlWrites() {
        // Topics.standard() (created by the gateway and `baton topics`) and SchedulerTopics spell the name separately.
        Topics topics = new Topics("x.");
        assertThat(topics.schedulerControl()).isEqualTo(SchedulerTopics.control(topics));
    }
}
