package dev.baton.scheduler.internal.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.CatchUpPolicy;
import dev.baton.events.JobDefinition;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.ParamSpec;
import dev.baton.events.ParamType;
import dev.baton.events.ScheduleSpec;
import dev.baton.platform.RunIds;
import dev.baton.scheduler.api.ScheduleTimes;
import dev.baton.scheduler.TestJobs;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.CancelRequested;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.Initialized;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.PauseChanged;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.PausedTicksPassed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.RunEnded;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickFailed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickQueued;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickRequested;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickSkipped;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TicksMissed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TimingChanged;
import dev.baton.scheduler.internal.schedules.ScheduleState.TickOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TickDeciderTest {
    private static final String JOB = "nightly";
    private static final long GRACE = 60_000;
    private final ScheduleStateApplier applier = new ScheduleStateApplier(10);
    private final TickDecider decider = new TickDecider(new TickDecider.Settings(GRACE, 100, 3), applier);

    private ScheduleState state;
    private List<ScheduleEvent> last;

    private static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private List<ScheduleEvent> decide(ScheduleSpec spec, String nowIso) {
        if (state == null) {
            state = ScheduleState.empty(JOB, spec.getName());
        }
        last = decider.decide(JOB, spec, ScheduleTimes.of(spec), state, ms(nowIso));
        state = applier.applyAll(state, last);
        return last;
    }

    private void apply(ScheduleEvent e) {
        state = applier.apply(state, e);
    }

    private static List<Instant> requested(List<ScheduleEvent> events) {
        return events.stream().filter(e -> e instanceof TickRequested).map(e -> Instant.ofEpochMilli(((TickRequested) e).tickMs())).toList();
    }

    private static ScheduleSpec hourly(CatchUpPolicy catchUp, OverlapPolicy overlap) {
        return TestJobs.cron("hourly", "0 * * * *", "UTC").setCatchUp(catchUp).setOverlap(overlap).build();
    }

    @Test
    void aNewScheduleStartsNowAndDoesNotRunPastTicks() {
        ScheduleSpec spec = hourly(CatchUpPolicy.ALL, OverlapPolicy.ALLOW);
        assertThat(decide(spec, "2026-01-01T10:30:00Z")).singleElement().isInstanceOf(Initialized.class);
        assertThat(state.cursorMs()).isEqualTo(ms("2026-01-01T10:30:00Z"));
        assertThat(decide(spec, "2026-01-01T10:59:59Z")).isEmpty();
    }

    @Test
    void aDueTickIsRequestedOnceWithTheRunIdOfItsRunKey() {
        ScheduleSpec spec = hourly(CatchUpPolicy.LATEST, OverlapPolicy.ALLOW);
        decide(spec, "2026-01-01T10:30:00Z");
        assertThat(requested(decide(spec, "2026-01-01T11:00:00.150Z"))).containsExactly(Instant.parse("2026-01-01T11:00:00Z"));
        TickRequested r = (TickRequested) last.get(0);
        assertThat(r.runId()).isEqualTo(RunIds.forRunKey(JOB, "schedule:nightly/hourly@2026-01-01T11:00:00Z"));
        assertThat(decide(spec, "2026-01-01T11:00:00.350Z")).isEmpty();
        assertThat(state.history()).extracting(ScheduleState.TickRecord::outcome).containsExactly(TickOutcome.REQUESTED);
    }

    @Test
    void catchUpAllRunsEveryMissedTickInsideTheWindow() {
        ScheduleSpec spec = TestJobs.cron("hourly", "0 * * * *", "UTC").setCatchUp(CatchUpPolicy.ALL)
                .setCatchUpWindowMs(Duration.ofHours(3).toMillis()).build();
        decide(spec, "2026-01-01T00:30:00Z");
        // Down from 00:30 to 06:10: ticks 01..06; the window (3 h) keeps 04, 05, 06.
        List<ScheduleEvent> events = decide(spec, "2026-01-01T06:10:00Z");
        assertThat(requested(events)).containsExactly(Instant.parse("2026-01-01T04:00:00Z"),
                Instant.parse("2026-01-01T05:00:00Z"), Instant.parse("2026-01-01T06:00:00Z"));
        assertThat(events.get(0)).isInstanceOf(TicksMissed.class);
        assertThat(state.cursorMs()).isEqualTo(ms("2026-01-01T06:00:00Z"));
    }

    @Test
    void catchUpLatestRunsOnlyTheNewestMissedTick() {
        ScheduleSpec spec = hourly(CatchUpPolicy.LATEST, OverlapPolicy.ALLOW);
        decide(spec, "2026-01-01T00:30:00Z");
        List<ScheduleEvent> events = decide(spec, "2026-01-01T05:20:00Z");
        assertThat(requested(events)).containsExactly(Instant.parse("2026-01-01T05:00:00Z"));
        assertThat(events).filteredOn(e -> e instanceof TicksMissed).singleElement()
                .satisfies(e -> assertThat(((TicksMissed) e).count()).isEqualTo(4));
    }

    @Test
    void catchUpLatestRunsNothingOldWhenATickIsOnTime() {
        ScheduleSpec spec = hourly(CatchUpPolicy.LATEST, OverlapPolicy.ALLOW);
        decide(spec, "2026-01-01T00:30:00Z");
        assertThat(requested(decide(spec, "2026-01-01T05:00:30Z"))).containsExactly(Instant.parse("2026-01-01T05:00:00Z"));
        assertThat(last).filteredOn(e -> e instanceof TicksMissed).singleElement()
                .satisfies(e -> assertThat(((TicksMissed) e).count()).isEqualTo(4));
    }

    @Test
    void catchUpNoneRunsNoMissedTick() {
        ScheduleSpec spec = hourly(CatchUpPolicy.NONE, OverlapPolicy.ALLOW);
        decide(spec, "2026-01-01T00:30:00Z");
        assertThat(requested(decide(spec, "2026-01-01T05:20:00Z"))).isEmpty();
        assertThat(state.history()).singleElement().satisfies(h -> {
            assertThat(h.outcome()).isEqualTo(TickOutcome.MISSED);
            assertThat(h.detail()).startsWith("5 ticks");
        });
        assertThat(requested(decide(spec, "2026-01-01T06:00:01Z"))).containsExactly(Instant.parse("2026-01-01T06:00:00Z"));
    }

    @Test
    void overlapSkipRecordsTheTickWhileThePreviousRunIsGoing() {
        ScheduleSpec spec = hourly(CatchUpPolicy.LATEST, OverlapPolicy.SKIP);
        decide(spec, "2026-01-01T00:30:00Z");
        decide(spec, "2026-01-01T01:00:00Z");
        String first = ((TickRequested) last.get(0)).runId();
        assertThat(decide(spec, "2026-01-01T02:00:00Z")).singleElement().isInstanceOf(TickSkipped.class);
        assertThat(((TickSkipped) last.get(0)).blockingRunId()).isEqualTo(first);
        apply(new RunEnded(first, "SUCCEEDED"));
        assertThat(requested(decide(spec, "2026-01-01T03:00:00Z"))).containsExactly(Instant.parse("2026-01-01T03:00:00Z"));
        assertThat(state.history()).extracting(ScheduleState.TickRecord::outcome)
                .containsExactly(TickOutcome.REQUESTED, TickOutcome.SKIPPED, TickOutcome.REQUESTED);
        assertThat(state.history().get(0).runStatus()).isEqualTo("SUCCEEDED");
    }

    @Test
    void overlapQueueHoldsTicksUntilThePreviousRunEnds() {
        ScheduleSpec spec = hourly(CatchUpPolicy.LATEST, OverlapPolicy.QUEUE);
        decide(spec, "2026-01-01T00:30:00Z");
        decide(spec, "2026-01-01T01:00:00Z");
        String first = ((TickRequested) last.get(0)).runId();
        assertThat(decide(spec, "2026-01-01T02:00:00Z")).singleElement().isInstanceOf(TickQueued.class);
        assertThat(decide(spec, "2026-01-01T02:30:00Z")).isEmpty();
        apply(new RunEnded(first, "FAILED"));
        List<ScheduleEvent> events = decide(spec, "2026-01-01T02:30:00.200Z");
        assertThat(requested(events)).containsExactly(Instant.parse("2026-01-01T02:00:00Z"));
        TickRequested r = (TickRequested) events.get(0);
        assertThat(r.fromQueue()).isTrue();
        assertThat(r.runId()).isEqualTo(ScheduleIds.runId(JOB, "hourly", Instant.parse("2026-01-01T02:00:00Z")));
        assertThat(state.queued()).isEmpty();
        assertThat(state.cursorMs()).isEqualTo(ms("2026-01-01T02:00:00Z"));
    }

    @Test
    void overlapQueueIsBounded() {
        ScheduleSpec spec = TestJobs.every("fast", 1000).setOverlap(OverlapPolicy.QUEUE).build();
        decide(spec, "2026-01-01T00:00:00.500Z");
        decide(spec, "2026-01-01T00:00:01Z");
        decide(spec, "2026-01-01T00:00:05Z"); // 2, 3, 4 queued (max 3), 5 skipped
        assertThat(state.queued()).hasSize(3);
        assertThat(last).filteredOn(e -> e instanceof TickSkipped).hasSize(1);
    }

    @Test
    void overlapCancelOtherCancelsThePreviousRunThenRequests() {
        ScheduleSpec spec = hourly(CatchUpPolicy.LATEST, OverlapPolicy.CANCEL_OTHER);
        decide(spec, "2026-01-01T00:30:00Z");
        decide(spec, "2026-01-01T01:00:00Z");
        String first = ((TickRequested) last.get(0)).runId();
        List<ScheduleEvent> events = decide(spec, "2026-01-01T02:00:00Z");
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOfSatisfying(CancelRequested.class, c -> assertThat(c.runId()).isEqualTo(first));
        assertThat(requested(events)).containsExactly(Instant.parse("2026-01-01T02:00:00Z"));
        // The canceled run is not canceled twice while it winds down.
        assertThat(decide(spec, "2026-01-01T03:00:00Z")).filteredOn(e -> e instanceof CancelRequested)
                .extracting(e -> ((CancelRequested) e).runId()).doesNotContain(first);
    }

    @Test
    void ticksDueWhilePausedAreNotRunAfterResume() {
        ScheduleSpec spec = hourly(CatchUpPolicy.ALL, OverlapPolicy.ALLOW);
        decide(spec, "2026-01-01T00:30:00Z");
        apply(new PauseChanged(true, "ops", "maintenance", ms("2026-01-01T00:40:00Z")));
        assertThat(decide(spec, "2026-01-01T01:00:00Z")).singleElement().isInstanceOf(PausedTicksPassed.class);
        assertThat(decide(spec, "2026-01-01T02:00:00Z")).singleElement().isInstanceOf(PausedTicksPassed.class);
        apply(new PauseChanged(false, "ops", null, ms("2026-01-01T02:10:00Z")));
        assertThat(decide(spec, "2026-01-01T02:10:00Z")).isEmpty();
        assertThat(requested(decide(spec, "2026-01-01T03:00:00Z"))).containsExactly(Instant.parse("2026-01-01T03:00:00Z"));
    }

    @Test
    void runtimeResumeOverridesThePausedFlagOfTheSpec() {
        ScheduleSpec spec = TestJobs.cron("hourly", "0 * * * *", "UTC").setPaused(true).build();
        decide(spec, "2026-01-01T00:30:00Z");
        assertThat(requested(decide(spec, "2026-01-01T01:00:00Z"))).isEmpty();
        apply(new PauseChanged(false, "ops", null, 0));
        assertThat(requested(decide(spec, "2026-01-01T02:00:00Z"))).hasSize(1);
        apply(new PauseChanged(null, null, null, 0)); // override cleared: the spec's pause applies again
        assertThat(requested(decide(spec, "2026-01-01T03:00:00Z"))).isEmpty();
    }

    @Test
    void aTimingChangeDoesNotRunPastTicksOfTheNewTiming() {
        decide(hourly(CatchUpPolicy.ALL, OverlapPolicy.ALLOW), "2026-01-01T00:30:00Z");
        ScheduleSpec minutely = TestJobs.cron("hourly", "* * * * *", "UTC").setCatchUp(CatchUpPolicy.ALL).build();
        List<ScheduleEvent> events = decide(minutely, "2026-01-01T00:45:10Z");
        assertThat(events).singleElement().isInstanceOf(TimingChanged.class);
        assertThat(requested(decide(minutely, "2026-01-01T00:46:00Z"))).containsExactly(Instant.parse("2026-01-01T00:46:00Z"));
    }

    @Test
    void paramsAreTemplatedFromTheTickInTheScheduleZone() {
        ScheduleSpec spec = TestJobs.cron("daily", "30 0 * * *", "Europe/Berlin")
                .setParams(Map.of("day", "${{ schedule.date }}", "at", "${{ schedule.time }}", "name", "${{ schedule.name }}")).build();
        decide(spec, "2026-03-28T12:00:00Z");
        List<ScheduleEvent> events = decide(spec, "2026-03-28T23:30:01Z"); // 00:30 CET on the 29th
        assertThat(events).singleElement().isInstanceOfSatisfying(TickRequested.class, r -> assertThat(r.params())
                .containsEntry("day", "2026-03-29").containsEntry("at", "2026-03-28T23:30:00Z").containsEntry("name", "daily"));
    }

    @Test
    void aTemplateThatCannotResolveFailsTheTickAndMovesOn() {
        ScheduleSpec spec = TestJobs.cron("daily", "0 * * * *", "UTC").setParams(Map.of("x", "${{ trigger.key }}")).build();
        decide(spec, "2026-01-01T00:30:00Z");
        assertThat(decide(spec, "2026-01-01T01:00:00Z")).singleElement().isInstanceOf(TickFailed.class);
        assertThat(state.cursorMs()).isEqualTo(ms("2026-01-01T01:00:00Z"));
    }

    @Test
    void aTickWhoseParamsFailTheirDeclarationsFailsNamingTheParamAndRequestsNoRun() {
        ScheduleSpec spec = TestJobs.cron("daily", "0 * * * *", "UTC")
                .setParams(Map.of("day", "${{ schedule.date }}", "n", "${{ schedule.name }}")).build();
        JobDefinition def = TestJobs.job(JOB).setSchedules(new java.util.ArrayList<>(List.of(spec))).setParams(Map.of(
                "day", ParamSpec.newBuilder().setType(ParamType.DATE).build(),
                "n", ParamSpec.newBuilder().setType(ParamType.INT).build())).build();
        state = ScheduleState.empty(JOB, spec.getName());
        state = applier.applyAll(state, decider.decide(def, spec, ScheduleTimes.of(spec), state, ms("2026-01-01T00:30:00Z")));
        List<ScheduleEvent> events = decider.decide(def, spec, ScheduleTimes.of(spec), state, ms("2026-01-01T01:00:00Z"));
        assertThat(events).singleElement().isInstanceOfSatisfying(TickFailed.class, f ->
                assertThat(f.reason()).contains("params.n: 'daily' is not an integer").doesNotContain("params.day"));
    }

    @Test
    void noTicksAfterTheEnd() {
        ScheduleSpec spec = TestJobs.cron("hourly", "0 * * * *", "UTC").setEndAt(Instant.parse("2026-01-01T02:00:00Z")).build();
        decide(spec, "2026-01-01T00:30:00Z");
        assertThat(requested(decide(spec, "2026-01-01T01:00:00Z"))).hasSize(1);
        assertThat(decide(spec, "2026-01-01T02:00:00Z")).isEmpty();
    }
}
