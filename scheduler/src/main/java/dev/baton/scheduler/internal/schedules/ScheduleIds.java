package dev.baton.scheduler.internal.schedules;

import dev.baton.platform.RunIds;
import dev.baton.scheduler.api.SchedulerTopics;
import java.time.Instant;

/** Identifiers of schedules and of the runs their ticks request. */
public final class ScheduleIds {
    private ScheduleIds() {}

    /** {@code job/schedule}, the key of the status and control topics ({@link SchedulerTopics#key}). */
    public static String of(String job, String schedule) {
        return SchedulerTopics.key(job, schedule);
    }

    /** {@code job/} — the key prefix of every schedule of a job. */
    public static String prefix(String job) {
        return job + "/";
    }

    public static String runKey(String job, String schedule, Instant tick) {
        return RunIds.scheduleKey(of(job, schedule), tick);
    }

    public static String runId(String job, String schedule, Instant tick) {
        return RunIds.forRunKey(job, runKey(job, schedule, tick));
    }
}
