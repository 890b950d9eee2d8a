package dev.baton.coordinator.internal.timers;

import dev.baton.coordinator.internal.events.Input.Timer;

/**
 * How far one task has read its agent reports, in the reports' own time: the wall-clock time up to which every
 * report written to the task's partition has probably been read.
 *
 * <p>Liveness timers (a heartbeat deadline, a step, run or cancel-grace timeout) fire from wall-clock punctuation,
 * but whether they should fire depends on reports: a heartbeat or a result written before the deadline clears it.
 * When the coordinator is behind (a backlog after a restart or a failover, or under overload), those reports wait
 * unread in its input, and firing on the wall clock alone declares attempts lost or timed out that were alive and on
 * time. Such a timer therefore fires only once the reports are read up to its due time.
 *
 * <p>The estimate: the last report read was {@code lag} ms old when it was read (its record timestamp against this
 * task's wall clock). While reports keep arriving with that lag the task is that far behind; once none has come for a
 * while, the task has caught up by the time that passed (a task with a backlog reads it without pause). So reports
 * are read through {@code now - max(0, lag - (now - readAt))}, never later than now. A task just assigned has read
 * nothing yet: it starts as if one report {@code initialLagMs} old had been read at assignment, so deadlines that
 * passed while it moved wait for the first records instead of firing before them. A quiet partition (a dead agent,
 * no other reports) therefore costs at most {@code initialLagMs} of extra detection time, once, after an assignment.
 * Record timestamps are the agents' clocks: an agent whose clock is behind by d delays detection on its partition
 * by up to d while its reports are the latest read.
 *
 * <p>Not part of the fold: it only decides when the punctuator hands a timer to the decider, which decides as
 * before. Not thread-safe; one per task, used by its stream thread.
 */
public final class ReportWatermark {
    private long lagMs;
    private long readAtMs;

    public ReportWatermark(long assignedAtMs, long initialLagMs) {
        this.lagMs = Math.max(0, initialLagMs);
        this.readAtMs = assignedAtMs;
    }

    /** A report with record timestamp {@code recordTimestampMs} was read at wall-clock {@code nowMs}. */
    public void read(long recordTimestampMs, long nowMs) {
        lagMs = Math.max(0, nowMs - recordTimestampMs);
        readAtMs = nowMs;
    }

    /** The wall-clock time through which reports are (probably) read, at wall-clock {@code nowMs}. */
    public long readThrough(long nowMs) {
        long behind = Math.max(0, lagMs - Math.max(0, nowMs - readAtMs));
        return nowMs - behind;
    }

    /** Timers whose outcome a report of before their due time changes; the others fire on the wall clock alone. */
    public static boolean waitsForReports(Timer.Kind kind) {
        return switch (kind) {
            case HEARTBEAT_DEADLINE, STEP_TIMEOUT, RUN_TIMEOUT, CANCEL_GRACE -> true;
            case RETRY, RETENTION -> false;
        };
    }
}
