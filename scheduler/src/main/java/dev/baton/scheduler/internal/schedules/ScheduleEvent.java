package dev.baton.scheduler.internal.schedules;

import java.util.Map;

/**
 * What the {@link TickDecider} decided about a schedule, and the inputs it folds (pause changes, run ends).
 * {@link ScheduleStateApplier} applies each to the state; the processor turns {@link TickRequested} and
 * {@link CancelRequested} into records after they are applied. Times are epoch milliseconds.
 */
public sealed interface ScheduleEvent {

    /** First sight of the schedule: ticks after {@code cursorMs} (the time it was first seen) will run. */
    record Initialized(long cursorMs, String timing) implements ScheduleEvent {}

    /** Cron, interval, zone or start changed: ticks of the old timing that are still in the past are not run. */
    record TimingChanged(long cursorMs, String timing) implements ScheduleEvent {}

    /**
     * A run request for the tick.
     *
     * @param fromQueue the tick was held by the QUEUE policy (the cursor is already past it)
     * @param track     follow the run until it ends (every overlap policy except ALLOW)
     */
    record TickRequested(long tickMs, String runId, Map<String, String> params, boolean fromQueue, boolean track,
                         String detail, long atMs) implements ScheduleEvent {}

    record TickSkipped(long tickMs, String blockingRunId, String reason, long atMs) implements ScheduleEvent {}

    record TickQueued(long tickMs, String blockingRunId, long atMs) implements ScheduleEvent {}

    /** The request for the tick could not be built; the tick is passed over (and leaves the queue if it was queued). */
    record TickFailed(long tickMs, boolean fromQueue, String reason, long atMs) implements ScheduleEvent {}

    /**
     * Ticks from {@code firstTickMs} up to {@code cursorMs} are given up by the catch-up policy.
     *
     * @param count how many, or -1 when they were not counted (dropped in bulk before the catch-up window)
     */
    record TicksMissed(long firstTickMs, long cursorMs, long count, String reason, long atMs) implements ScheduleEvent {}

    /** The schedule is paused: due ticks pass without runs. */
    record PausedTicksPassed(long cursorMs) implements ScheduleEvent {}

    /** CANCEL_OTHER: a control command cancels a previous run of the schedule. */
    record CancelRequested(String runId, String reason, long atMs) implements ScheduleEvent {}

    /** Runtime pause (true), resume (false) or removal of the override (null), from the control topic. */
    record PauseChanged(Boolean paused, String actor, String reason, long atMs) implements ScheduleEvent {}

    /** A run this schedule requested reached a terminal state (or was never created). */
    record RunEnded(String runId, String status) implements ScheduleEvent {}
}
