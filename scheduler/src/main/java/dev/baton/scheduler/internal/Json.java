package dev.baton.scheduler.internal;

import dev.baton.scheduler.api.ScheduleJson;

/**
 * The scheduler's JSON for its own state and its published status (not for user payloads): the schedule contract's
 * format ({@link ScheduleJson}), so what the scheduler keeps and what it publishes read alike.
 */
public final class Json {
    private Json() {}

    public static byte[] write(Object value) {
        return ScheduleJson.write(value);
    }

    public static <T> T read(byte[] bytes, Class<T> type) {
        return ScheduleJson.read(bytes, type);
    }
}
