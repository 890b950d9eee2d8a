package dev.baton.jobs;

import java.time.ZonedDateTime;
import java.util.Map;

/**
 * One partition of a {@link PartitionSet}: its key and, for a time window, {@code [start, end)} in the window's
 * time zone. A partition of a two-dimensional set also has one single-dimension partition per dimension (in
 * declaration order); its {@code start}/{@code end} are those of its time dimension, if it has exactly one.
 *
 * @param start null for a static key (no time window)
 * @param end   exclusive; null when start is
 */
public record Partition(String key, ZonedDateTime start, ZonedDateTime end, Map<String, Partition> dimensions) {
    public Partition {
        dimensions = dimensions == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(dimensions));
    }

    static Partition of(String key) {
        return new Partition(key, null, null, Map.of());
    }

    static Partition window(String key, ZonedDateTime start, ZonedDateTime end) {
        return new Partition(key, start, end, Map.of());
    }

    public boolean hasWindow() {
        return start != null;
    }

    /** The start as ISO-8601 with its UTC offset ({@code 2026-01-01T00:00+01:00}), or null. */
    public String startText() {
        return start == null ? null : start.toOffsetDateTime().toString();
    }

    /** The exclusive end as ISO-8601 with its UTC offset, or null. */
    public String endText() {
        return end == null ? null : end.toOffsetDateTime().toString();
    }
}
