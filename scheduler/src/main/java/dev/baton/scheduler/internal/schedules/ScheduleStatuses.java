package dev.baton.scheduler.internal.schedules;

import dev.baton.events.ScheduleSpec;
import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.ScheduleTimes;
import java.time.Instant;
import java.util.List;

/** Builds the published {@link ScheduleStatus} from a schedule's state and spec. */
public final class ScheduleStatuses {
    private ScheduleStatuses() {}

    /**
     * @param spec  null when the job or schedule is not registered (yet): a pause may come first
     * @param times null when spec is null or cannot tick
     */
    public static ScheduleStatus of(ScheduleState s, ScheduleSpec spec, ScheduleTimes times, long nowMs, int nextShown) {
        boolean inSpec = spec != null && spec.getPaused();
        boolean paused = s.pauseOverride() != null ? s.pauseOverride() : inSpec;
        List<String> next = List.of();
        if (times != null) {
            Instant from = Instant.ofEpochMilli(Math.max(nowMs, s.cursorMs() == null ? nowMs : s.cursorMs()));
            next = times.next(from, nextShown).stream().map(Instant::toString).toList();
        }
        return new ScheduleStatus(s.job(), s.schedule(),
                spec == null ? null : spec.getCron(),
                spec == null ? null : spec.getIntervalMs(),
                spec == null ? null : spec.getTimezone(),
                spec == null ? null : spec.getOverlap().name(),
                spec == null ? null : spec.getCatchUp().name(),
                paused, inSpec, s.pauseOverride(), s.pauseActor(), s.pauseReason(),
                s.cursorMs() == null ? null : Instant.ofEpochMilli(s.cursorMs()).toString(),
                next,
                s.active().stream().map(ScheduleState.ActiveRun::runId).toList(),
                s.queued().stream().map(t -> Instant.ofEpochMilli(t).toString()).toList(),
                s.history().stream().map(h -> new ScheduleStatus.Tick(Instant.ofEpochMilli(h.tickMs()).toString(),
                        h.outcome().name(), h.runId(), h.runStatus(), h.detail(), Instant.ofEpochMilli(h.decidedMs()).toString()))
                        .toList(),
                Instant.ofEpochMilli(nowMs).toString());
    }
}
