package dev.baton.gateway.internal.api;

import java.util.List;

/** Bodies of the schedule routes ({@code /api/v1/schedules}, {@code /api/v1/jobs/{name}/schedules...}). */
public final class ScheduleResponses {
    private ScheduleResponses() {}

    /**
     * One schedule: its timing from the job's latest definition ({@code cron}, or {@code every} with {@code intervalMs}),
     * whether it is paused and by whom ({@code pausedBy}: {@code file} or {@code runtime}), a pause or resume not applied
     * yet ({@code pendingChange}), its next fire times, and what the scheduler published about it (its last ticks
     * newest first, and, once {@code seenByScheduler}, its cursor, active runs and queued ticks).
     */
    public record Schedule(String job, String schedule, int jobVersion, String cron, String every, Long intervalMs,
                           String timezone, String start, String end, String catchUp, long catchUpWindowMs, String overlap,
                           boolean paused, String pausedBy, boolean pausedInFile, Boolean pauseOverride, String pauseActor,
                           String pauseReason, PendingChange pendingChange, List<String> nextFireTimes, String timingError,
                           boolean seenByScheduler, String cursor, List<String> activeRuns, List<String> queuedTicks,
                           String statusUpdatedAt, List<Tick> lastTicks) {}

    /** A pause or resume written to the control topic that the scheduler has not applied yet. */
    public record PendingChange(boolean paused, Boolean pauseOverride, String actor, String reason, String requestedAt) {}

    /** One handled tick, with the run's status as the read model knows it (else as the scheduler last heard). */
    public record Tick(String tick, String outcome, String runId, String runStatus, String detail, String decidedAt) {}

    /** 202 to a pause or resume: the desired state just written ({@code pauseOverride} absent: the file decides). */
    public record Desired(String job, String schedule, boolean paused, boolean pausedInFile, Boolean pauseOverride,
                          String actor, String reason) {}

    /** {@code GET /jobs/{name}/schedules}: the job's schedules in the order of its file. */
    public record OfJob(String job, int jobVersion, List<Schedule> items) {}
}
