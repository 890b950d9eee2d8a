package dev.baton.scheduler.internal.schedules;

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
import dev.baton.scheduler.internal.schedules.ScheduleState.ActiveRun;
import dev.baton.scheduler.internal.schedules.ScheduleState.TickOutcome;
import dev.baton.scheduler.internal.schedules.ScheduleState.TickRecord;
import java.util.ArrayList;
import java.util.List;

/** The only code that changes a {@link ScheduleState}. Pure: no clock, no I/O. */
public final class ScheduleStateApplier {
    private final int historySize;

    public ScheduleStateApplier(int historySize) {
        this.historySize = Math.max(1, historySize);
    }

    public ScheduleState applyAll(ScheduleState state, List<ScheduleEvent> events) {
        ScheduleState s = state;
        for (ScheduleEvent e : events) {
            s = apply(s, e);
        }
        return s;
    }

    public ScheduleState apply(ScheduleState s, ScheduleEvent event) {
        return switch (event) {
            case Initialized e -> with(s, e.cursorMs(), e.timing(), s.active(), s.queued(), s.history());
            case TimingChanged e -> with(s, e.cursorMs(), e.timing(), s.active(), s.queued(), s.history());
            case TickRequested e -> {
                List<ActiveRun> active = s.active();
                if (e.track()) {
                    active = new ArrayList<>(active);
                    active.add(new ActiveRun(e.runId(), e.tickMs(), false));
                }
                List<Long> queued = s.queued();
                if (e.fromQueue()) {
                    queued = new ArrayList<>(queued);
                    queued.remove(Long.valueOf(e.tickMs()));
                }
                long cursor = e.fromQueue() ? s.cursorMs() : Math.max(s.cursorMs(), e.tickMs());
                yield with(s, cursor, s.timing(), active, queued,
                        record(s.history(), new TickRecord(e.tickMs(), TickOutcome.REQUESTED, e.runId(), e.detail(), e.atMs(), null)));
            }
            case TickSkipped e -> with(s, Math.max(s.cursorMs(), e.tickMs()), s.timing(), s.active(), s.queued(),
                    record(s.history(), new TickRecord(e.tickMs(), TickOutcome.SKIPPED, e.blockingRunId(), e.reason(), e.atMs(), null)));
            case TickQueued e -> {
                List<Long> queued = new ArrayList<>(s.queued());
                queued.add(e.tickMs());
                yield with(s, Math.max(s.cursorMs(), e.tickMs()), s.timing(), s.active(), queued,
                        record(s.history(), new TickRecord(e.tickMs(), TickOutcome.QUEUED, e.blockingRunId(),
                                "waiting for run " + e.blockingRunId() + " to end", e.atMs(), null)));
            }
            case TickFailed e -> {
                List<Long> queued = s.queued();
                if (e.fromQueue()) {
                    queued = new ArrayList<>(queued);
                    queued.remove(Long.valueOf(e.tickMs()));
                }
                yield with(s, e.fromQueue() ? s.cursorMs() : Math.max(s.cursorMs(), e.tickMs()), s.timing(), s.active(), queued,
                        record(s.history(), new TickRecord(e.tickMs(), TickOutcome.FAILED, null, e.reason(), e.atMs(), null)));
            }
            case TicksMissed e -> with(s, Math.max(s.cursorMs(), e.cursorMs()), s.timing(), s.active(), s.queued(),
                    record(s.history(), new TickRecord(e.firstTickMs(), TickOutcome.MISSED, null,
                            (e.count() < 0 ? "ticks" : e.count() + (e.count() == 1 ? " tick" : " ticks")) + " up to "
                                    + java.time.Instant.ofEpochMilli(e.cursorMs()) + " not run: " + e.reason(), e.atMs(), null)));
            case PausedTicksPassed e -> with(s, Math.max(s.cursorMs(), e.cursorMs()), s.timing(), s.active(), s.queued(), s.history());
            case CancelRequested e -> {
                List<ActiveRun> active = new ArrayList<>();
                for (ActiveRun r : s.active()) {
                    active.add(r.runId().equals(e.runId()) ? new ActiveRun(r.runId(), r.tickMs(), true) : r);
                }
                yield with(s, s.cursorMs(), s.timing(), active, s.queued(), s.history());
            }
            case PauseChanged e -> new ScheduleState(s.job(), s.schedule(), s.cursorMs(), s.timing(), e.paused(),
                    e.actor(), e.reason(), e.atMs(), s.active(), s.queued(), s.history());
            case RunEnded e -> {
                List<ActiveRun> active = s.active().stream().filter(r -> !r.runId().equals(e.runId())).toList();
                List<TickRecord> history = s.history().stream()
                        .map(r -> e.runId().equals(r.runId()) && r.outcome() == TickOutcome.REQUESTED ? r.withRunStatus(e.status()) : r)
                        .toList();
                yield with(s, s.cursorMs(), s.timing(), active, s.queued(), history);
            }
        };
    }

    private static ScheduleState with(ScheduleState s, Long cursor, String timing, List<ActiveRun> active, List<Long> queued,
                                      List<TickRecord> history) {
        return new ScheduleState(s.job(), s.schedule(), cursor, timing, s.pauseOverride(), s.pauseActor(), s.pauseReason(),
                s.pauseChangedMs(), active, queued, history);
    }

    private List<TickRecord> record(List<TickRecord> history, TickRecord r) {
        List<TickRecord> h = new ArrayList<>(history);
        h.add(r);
        return h.size() > historySize ? h.subList(h.size() - historySize, h.size()) : h;
    }
}
