package dev.baton.gateway.internal.schedules;

import dev.baton.events.JobDefinition;
import dev.baton.events.ScheduleSpec;
import dev.baton.gateway.internal.api.ScheduleResponses;
import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.ScheduleTimes;
import dev.baton.scheduler.api.SchedulerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the API shows of one schedule: its timing from the job's latest definition, next fire times computed with
 * {@link ScheduleTimes} (the scheduler's own calculator), and pause state and last ticks from the scheduler's
 * published {@link ScheduleStatus}. Pure: everything it needs is passed in.
 */
public final class ScheduleViews {
    /** Fire times shown by default, and at most. */
    public static final int DEFAULT_NEXT = 5;
    public static final int MAX_NEXT = 100;

    private ScheduleViews() {}

    /**
     * @param status    the scheduler's published status; null until the scheduler has seen the schedule
     * @param desired   the latest pause/resume command on the control topic; null when none is in force
     * @param runStatus the API status of a run by id (from the read model), or null when the run is not known there
     */
    public static ScheduleResponses.Schedule view(JobDefinition job, ScheduleSpec spec, ScheduleStatus status,
                                                  SchedulerControl.Command desired, Instant now, int next,
                                                  Function<String, String> runStatus) {
        boolean cron = spec.getCron() != null;

        // As the engine decides (TickDecider.paused): the applied runtime override, else the job file as it is now.
        Boolean override = status == null ? null : status.pauseOverride();
        boolean paused = override != null ? override : spec.getPaused();
        Boolean wanted = desired == null ? null : desired.paused();
        ScheduleResponses.PendingChange pending = Objects.equals(wanted, override) ? null
                : new ScheduleResponses.PendingChange(wanted != null ? wanted : spec.getPaused(), wanted,
                        desired == null ? null : desired.actor(), desired == null ? null : desired.reason(),
                        desired == null ? null : desired.at());

        Instant from = now;
        if (status != null && status.cursor() != null && Instant.parse(status.cursor()).isAfter(now)) {
            from = Instant.parse(status.cursor()); // as the scheduler counts: no tick at or before its cursor runs
        }
        List<String> nextFireTimes;
        String timingError = null;
        try {
            nextFireTimes = ScheduleTimes.of(spec).next(from, next).stream().map(Instant::toString).toList();
        } catch (IllegalArgumentException e) {
            nextFireTimes = List.of();
            timingError = e.getMessage();
        }

        List<ScheduleResponses.Tick> ticks = new ArrayList<>();
        if (status != null) {
            List<ScheduleStatus.Tick> last = status.lastTicks() == null ? List.of() : status.lastTicks();
            for (int i = last.size() - 1; i >= 0; i--) {
                ticks.add(tick(last.get(i), runStatus));
            }
        }
        return new ScheduleResponses.Schedule(job.getName(), spec.getName(), job.getVersion(), cron ? spec.getCron() : null,
                cron ? null : Duration.ofMillis(spec.getIntervalMs()).toString(), cron ? null : spec.getIntervalMs(),
                spec.getTimezone(), spec.getStartAt() == null ? null : spec.getStartAt().toString(),
                spec.getEndAt() == null ? null : spec.getEndAt().toString(), spec.getCatchUp().name(), spec.getCatchUpWindowMs(),
                spec.getOverlap().name(), paused, paused ? (override != null ? "runtime" : "file") : null, spec.getPaused(),
                override, override != null ? status.pauseActor() : null, override != null ? status.pauseReason() : null,
                pending, nextFireTimes, timingError, status != null, status == null ? null : status.cursor(),
                status == null ? null : status.activeRuns() == null ? List.of() : status.activeRuns(),
                status == null ? null : status.queuedTicks() == null ? List.of() : status.queuedTicks(),
                status == null ? null : status.updatedAt(), ticks);
    }

    private static ScheduleResponses.Tick tick(ScheduleStatus.Tick t, Function<String, String> runStatus) {
        String status = null;
        if (t.runId() != null) {
            // The read model's view is current for every run; the scheduler only learns the end of runs it follows.
            String s = runStatus.apply(t.runId());
            status = s != null ? s : t.runStatus();
        }
        return new ScheduleResponses.Tick(t.tick(), t.outcome(), t.runId(), status, t.detail(), t.decidedAt());
    }

    /** The body of a 202 to pause or resume: the desired state just written. */
    public static ScheduleResponses.Desired desired(String job, ScheduleSpec spec, Boolean override, String actor, String reason) {
        return new ScheduleResponses.Desired(job, spec.getName(), override != null ? override : spec.getPaused(), spec.getPaused(),
                override, actor, reason);
    }
}
