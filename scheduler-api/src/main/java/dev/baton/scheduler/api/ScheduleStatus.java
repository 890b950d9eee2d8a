package dev.baton.scheduler.api;

import java.util.List;

/**
 * The published state of one schedule: value of {@code Topics.schedulerState()} (compacted, key {@code job/schedule},
 * JSON; a tombstone when the schedule is gone). Written in the same transaction as the ticks it reports. Times are
 * ISO-8601 UTC instants.
 *
 * @param paused      whether ticks run now: {@code pauseOverride} when set, else {@code pausedInSpec}
 * @param cursor      the last tick handled (or when the schedule started); ticks after it are to come
 * @param nextTicks   the next fire times as of {@code updatedAt} (see {@link ScheduleTimes} for fresh ones)
 * @param activeRuns  runs requested by ticks that have not ended (tracked unless overlap is ALLOW)
 * @param queuedTicks ticks held by overlap QUEUE
 * @param lastTicks   the last ticks with their outcome and run, newest last
 */
public record ScheduleStatus(String job, String schedule, String cron, Long intervalMs, String timezone,
                             String overlap, String catchUp, boolean paused, boolean pausedInSpec, Boolean pauseOverride,
                             String pauseActor, String pauseReason, String cursor, List<String> nextTicks,
                             List<String> activeRuns, List<String> queuedTicks, List<Tick> lastTicks, String updatedAt) {

    /**
     * One handled tick.
     *
     * @param outcome   REQUESTED, SKIPPED, QUEUED, MISSED or FAILED
     * @param runId     the requested run (REQUESTED), or the run that was still going (SKIPPED, QUEUED)
     * @param runStatus the requested run's end (SUCCEEDED, FAILED, CANCELED, REJECTED) once known
     */
    public record Tick(String tick, String outcome, String runId, String runStatus, String detail, String decidedAt) {}
}
