package dev.baton.scheduler.internal.schedules;

import java.util.List;

/**
 * What the scheduler remembers about one schedule (store {@code Names.SCHEDULE_STORE}, key {@code job/schedule}).
 * Changed only by {@link ScheduleStateApplier}; committed in the same Kafka transaction as the run requests the
 * change stands for.
 *
 * @param cursorMs       the last tick handled (requested, skipped, queued, failed or given up), or where the schedule
 *                       started; ticks strictly after it are still to come. Null until a punctuation first sees the
 *                       schedule (a pause may arrive before the job is registered).
 * @param timing         fingerprint of the fields that decide tick times; a change moves the cursor to "now"
 * @param pauseOverride  runtime pause (true) or resume (false) that wins over the spec's {@code paused}; null: none
 * @param active         runs this schedule requested that have not ended (tracked unless the overlap policy is ALLOW)
 * @param queued         ticks held back by the QUEUE overlap policy, oldest first
 * @param history        the last ticks with their outcome, newest last
 */
public record ScheduleState(String job, String schedule, Long cursorMs, String timing,
                            Boolean pauseOverride, String pauseActor, String pauseReason, Long pauseChangedMs,
                            List<ActiveRun> active, List<Long> queued, List<TickRecord> history) {

    public ScheduleState {
        active = active == null ? List.of() : List.copyOf(active);
        queued = queued == null ? List.of() : List.copyOf(queued);
        history = history == null ? List.of() : List.copyOf(history);
    }

    public static ScheduleState empty(String job, String schedule) {
        return new ScheduleState(job, schedule, null, null, null, null, null, null, List.of(), List.of(), List.of());
    }

    public String id() {
        return ScheduleIds.of(job, schedule);
    }

    public boolean started() {
        return cursorMs != null;
    }

    /** A run requested by a tick, followed until its terminal event arrives on run-events. */
    public record ActiveRun(String runId, long tickMs, boolean cancelRequested) {}

    /**
     * One entry of a schedule's tick history.
     *
     * @param runId     the run requested for the tick (REQUESTED), or the run that caused a skip/queue
     * @param runStatus the run's terminal status once known (SUCCEEDED, FAILED, CANCELED, REJECTED)
     */
    public record TickRecord(long tickMs, TickOutcome outcome, String runId, String detail, long decidedMs,
                             String runStatus) {
        TickRecord withRunStatus(String status) {
            return new TickRecord(tickMs, outcome, runId, detail, decidedMs, status);
        }
    }

    /** What became of a tick. */
    public enum TickOutcome {
        /** A run request was sent for the tick. */
        REQUESTED,
        /** Overlap policy SKIP (or a full QUEUE): the previous run was still going. */
        SKIPPED,
        /** Overlap policy QUEUE: held until the previous run ends, then REQUESTED. */
        QUEUED,
        /** Catch-up policy: the tick was due while the scheduler was down and is not run (detail says how many). */
        MISSED,
        /** The run request could not be built (e.g. a schedule param template failed); detail has the reason. */
        FAILED
    }
}
