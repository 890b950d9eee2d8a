package dev.baton.jobs;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The schedule tick a run was requested for: fills {@code ${{ schedule.name }}}, {@code ${{ schedule.time }}}
 * (the tick as an ISO-8601 UTC instant) and {@code ${{ schedule.date }}} (the tick's date in the schedule's time zone,
 * {@code yyyy-MM-dd}) in schedule params.
 */
public record ScheduleTick(String name, Instant time, ZoneId zone) {
    public ScheduleTick {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(zone, "zone");
    }
}
