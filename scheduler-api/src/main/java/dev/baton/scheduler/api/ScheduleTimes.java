package dev.baton.scheduler.api;

import com.cronutils.model.time.ExecutionTime;
import dev.baton.events.ScheduleSpec;
import dev.baton.jobs.CronExpressions;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The tick times of one schedule: a pure function of its spec (cron or interval, time zone, start, end).
 * Shared by the scheduler and by anything that shows "next fire times" (gateway, CLI), so what is shown is what runs.
 *
 * <h2>Cron schedules: local wall-clock semantics</h2>
 * The cron expression ({@link CronExpressions}: five fields, or six with seconds first) is matched against the local
 * date-time of the schedule's IANA time zone. Each local date-time the expression matches is one tick, mapped to an
 * instant as follows:
 * <ul>
 *   <li><b>Spring forward (gap)</b>: a local time that does not exist on that day (02:30 in Europe/Berlin on the last
 *       Sunday of March) fires once, shifted forward by the length of the gap (03:30 local, i.e. the instant
 *       {@code 2026-03-29T01:30:00Z}) — the resolution of {@link ZonedDateTime#ofLocal}. If the shifted instant is
 *       also matched on its own (an hourly {@code 30 * * * *} matches 03:30 as well), the two collapse into that one
 *       tick.</li>
 *   <li><b>Fall back (overlap)</b>: a local time that occurs twice (02:30 in Europe/Berlin on the last Sunday of
 *       October) fires once, at its first occurrence (the earlier offset, {@code 2026-10-25T00:30:00Z}). The repeated
 *       hour does not fire again, so an hourly schedule has one two-hour interval that night.</li>
 * </ul>
 * cron-utils' own {@code ExecutionTime.nextExecution(ZonedDateTime)} skips the nonexistent time altogether and picks
 * the first or the second occurrence of a repeated time depending on the zone, which is why it is only evaluated on
 * plain local date-times here. Schedules that need evenly spaced ticks in elapsed time use an interval or UTC.
 *
 * <h2>Interval schedules</h2>
 * Ticks at {@code anchor + k * interval} where the anchor is {@code startAt}, or the Unix epoch when there is no
 * start: elapsed time, independent of the time zone, and the same on every instance and after every restart
 * (an hourly interval without a start fires on the hour, UTC).
 *
 * <h2>Window</h2>
 * Only ticks {@code t} with {@code startAt <= t < endAt} exist (either bound optional).
 */
public final class ScheduleTimes {
    /** Bound on consecutive local candidates that map before {@code after} (only the repeated hour does that). */
    private static final int MAX_CANDIDATES = 100_000;

    private final ExecutionTime cron;
    private final Long intervalMs;
    private final ZoneId zone;
    private final Instant startAt;
    private final Instant endAt;

    private ScheduleTimes(ExecutionTime cron, Long intervalMs, ZoneId zone, Instant startAt, Instant endAt) {
        this.cron = cron;
        this.intervalMs = intervalMs;
        this.zone = zone;
        this.startAt = startAt;
        this.endAt = endAt;
    }

    /**
     * The tick times of a schedule spec.
     *
     * @throws IllegalArgumentException when the spec has neither or both of cron and interval, an invalid cron
     *                                  expression, a non-positive interval or an unknown time zone
     */
    public static ScheduleTimes of(ScheduleSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return of(spec.getCron(), spec.getIntervalMs(), spec.getTimezone(), spec.getStartAt(), spec.getEndAt());
    }

    public static ScheduleTimes of(String cron, Long intervalMs, String timezone, Instant startAt, Instant endAt) {
        if ((cron == null) == (intervalMs == null)) {
            throw new IllegalArgumentException("a schedule has exactly one of cron and interval");
        }
        if (intervalMs != null && intervalMs <= 0) {
            throw new IllegalArgumentException("interval must be positive, got " + intervalMs + " ms");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(timezone == null ? "UTC" : timezone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + timezone + "'");
        }
        ExecutionTime execution = cron == null ? null : ExecutionTime.forCron(CronExpressions.parse(cron));
        return new ScheduleTimes(execution, intervalMs, zone, startAt, endAt);
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first tick strictly after {@code after}, if the schedule has one. */
    public Optional<Instant> next(Instant after) {
        Objects.requireNonNull(after, "after");
        Instant from = after;
        if (startAt != null && from.isBefore(startAt)) {
            from = startAt.minusNanos(1); // ticks at exactly startAt count
        }
        Instant tick = intervalMs != null ? nextInterval(from) : nextCron(from);
        if (tick == null || endAt != null && !tick.isBefore(endAt)) {
            return Optional.empty();
        }
        return Optional.of(tick);
    }

    /** Up to {@code n} ticks strictly after {@code after}, in order. */
    public List<Instant> next(Instant after, int n) {
        List<Instant> ticks = new ArrayList<>(Math.max(0, n));
        Instant t = after;
        for (int i = 0; i < n; i++) {
            Optional<Instant> next = next(t);
            if (next.isEmpty()) {
                break;
            }
            t = next.get();
            ticks.add(t);
        }
        return ticks;
    }

    private Instant nextInterval(Instant after) {
        long anchor = startAt != null ? startAt.toEpochMilli() : 0L;
        long a = after.toEpochMilli();
        if (a < anchor) {
            return Instant.ofEpochMilli(anchor);
        }
        // Ticks are whole milliseconds; an `after` with sub-millisecond digits is past its millisecond tick.
        long k = Math.floorDiv(a - anchor, intervalMs) + 1;
        return Instant.ofEpochMilli(anchor + k * intervalMs);
    }

    private Instant nextCron(Instant after) {
        // Evaluate cron on the plain local date-time (a zone without transitions), then map each local match to an
        // instant with java.time's gap/overlap rules. Candidates that land at or before `after` (the repeated hour
        // of a fall-back night, or a gap time shifted onto an already handled instant) are passed over.
        ZonedDateTime local = after.atZone(zone).toLocalDateTime().atZone(ZoneOffset.UTC);
        for (int i = 0; i < MAX_CANDIDATES; i++) {
            Optional<ZonedDateTime> candidate = cron.nextExecution(local);
            if (candidate.isEmpty()) {
                return null;
            }
            LocalDateTime ldt = candidate.get().toLocalDateTime();
            Instant tick = ZonedDateTime.ofLocal(ldt, zone, null).toInstant();
            if (tick.isAfter(after)) {
                return tick;
            }
            local = candidate.get();
        }
        return null;
    }

    @Override
    public String toString() {
        return "ScheduleTimes[" + (intervalMs != null ? "every " + intervalMs + " ms" : "cron") + ", " + zone
                + (startAt != null ? ", from " + startAt : "") + (endAt != null ? ", until " + endAt : "") + "]";
    }
}
