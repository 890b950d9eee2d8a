package dev.baton.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cronutils.model.time.ExecutionTime;
import dev.baton.jobs.CronExpressions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTimesTest {

    private static List<Instant> ticks(String cron, String zone, String fromIso, int n) {
        return ScheduleTimes.of(cron, null, zone, null, null).next(Instant.parse(fromIso), n);
    }

    // ---- a daily 02:30 schedule across both DST transitions, in both zones ----

    @Test
    void berlinSpringForwardRunsTheMissing0230OnceAt0330Local() {
        // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; 02:30 does not exist.
        List<Instant> t = ticks("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 4);
        assertThat(t).containsExactly(
                Instant.parse("2026-03-28T01:30:00Z"),   // 02:30 CET
                Instant.parse("2026-03-29T01:30:00Z"),   // 03:30 CEST: the gap time shifted by one hour
                Instant.parse("2026-03-30T00:30:00Z"),   // 02:30 CEST
                Instant.parse("2026-03-31T00:30:00Z"));
        assertThat(t.get(1).atZone(ZoneId.of("Europe/Berlin")).toLocalTime().toString()).isEqualTo("03:30");
    }

    @Test
    void berlinFallBackRunsTheRepeated0230OnceAtItsFirstOccurrence() {
        // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
        List<Instant> t = ticks("30 2 * * *", "Europe/Berlin", "2026-10-23T12:00:00Z", 4);
        assertThat(t).containsExactly(
                Instant.parse("2026-10-24T00:30:00Z"),   // 02:30 CEST
                Instant.parse("2026-10-25T00:30:00Z"),   // first 02:30 (CEST); not again at 01:30Z (CET)
                Instant.parse("2026-10-26T01:30:00Z"),   // 02:30 CET
                Instant.parse("2026-10-27T01:30:00Z"));
    }

    @Test
    void newYorkSpringForwardRunsTheMissing0230OnceAt0330Local() {
        // 2026-03-08: 02:00 EST -> 03:00 EDT.
        List<Instant> t = ticks("30 2 * * *", "America/New_York", "2026-03-06T12:00:00Z", 3);
        assertThat(t).containsExactly(
                Instant.parse("2026-03-07T07:30:00Z"),   // 02:30 EST
                Instant.parse("2026-03-08T07:30:00Z"),   // 03:30 EDT
                Instant.parse("2026-03-09T06:30:00Z"));  // 02:30 EDT
    }

    @Test
    void newYorkFallBackRunsTheRepeated0230OnceAtItsFirstOccurrence() {
        // 2026-11-01: 02:00 EDT -> 01:00 EST. 02:30 local exists once there, but 01:30 happens twice: test both.
        assertThat(ticks("30 2 * * *", "America/New_York", "2026-10-30T12:00:00Z", 3)).containsExactly(
                Instant.parse("2026-10-31T06:30:00Z"),   // 02:30 EDT
                Instant.parse("2026-11-01T07:30:00Z"),   // 02:30 EST (after the repeated hour)
                Instant.parse("2026-11-02T07:30:00Z"));
        assertThat(ticks("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2)).containsExactly(
                Instant.parse("2026-11-01T05:30:00Z"),   // first 01:30 (EDT); not again at 06:30Z (EST)
                Instant.parse("2026-11-02T06:30:00Z"));
    }

    @Test
    void everyDayOfAYearHasExactlyOneDailyTickInBothZones() {
        for (String zone : List.of("Europe/Berlin", "America/New_York")) {
            List<Instant> t = ticks("30 2 * * *", zone, "2025-12-31T12:00:00Z", 365);
            assertThat(t).hasSize(365);
            assertThat(t.stream().map(i -> LocalDate.ofInstant(i, ZoneId.of(zone))).distinct()).hasSize(365);
        }
    }

    @Test
    void cronUtilsAloneWouldSkipTheSpringForwardDay() {
        // Why ScheduleTimes evaluates cron on local date-times: the library's zoned evaluation loses the tick.
        ExecutionTime et = ExecutionTime.forCron(CronExpressions.parse("30 2 * * *"));
        ZonedDateTime next = et.nextExecution(ZonedDateTime.parse("2026-03-28T12:00:00+01:00[Europe/Berlin]")).orElseThrow();
        assertThat(next.toLocalDate()).isEqualTo(LocalDate.parse("2026-03-30"));
    }

    @Test
    void hourlyScheduleCollapsesTheGapAndFiresOnceInTheRepeatedHour() {
        List<Instant> spring = ticks("30 * * * *", "Europe/Berlin", "2026-03-29T00:00:00Z", 3);
        assertThat(spring).containsExactly(
                Instant.parse("2026-03-29T00:30:00Z"),   // 01:30 CET
                Instant.parse("2026-03-29T01:30:00Z"),   // 02:30 (gap) shifted to 03:30 CEST, which is also a match
                Instant.parse("2026-03-29T02:30:00Z"));  // 04:30 CEST
        List<Instant> fall = ticks("30 * * * *", "Europe/Berlin", "2026-10-24T23:00:00Z", 3);
        assertThat(fall).containsExactly(
                Instant.parse("2026-10-24T23:30:00Z"),   // 01:30 CEST
                Instant.parse("2026-10-25T00:30:00Z"),   // 02:30 CEST (first occurrence)
                Instant.parse("2026-10-25T02:30:00Z"));  // 03:30 CET: 02:30 CET (01:30Z) is not repeated
    }

    @Test
    void nextStartingInsideTheRepeatedHourMovesForward() {
        // A cursor may sit in the second occurrence (e.g. a schedule registered then); the next tick is after it.
        Instant inside = Instant.parse("2026-10-25T01:10:00Z"); // 02:10 CET, second occurrence
        assertThat(ScheduleTimes.of("*/20 * * * *", null, "Europe/Berlin", null, null).next(inside))
                .contains(Instant.parse("2026-10-25T02:00:00Z")); // 03:00 CET
    }

    // ---- other forms ----

    @Test
    void sixFieldCronHasSeconds() {
        assertThat(ticks("*/15 * * * * *", "UTC", "2026-01-01T00:00:00.500Z", 3)).containsExactly(
                Instant.parse("2026-01-01T00:00:15Z"), Instant.parse("2026-01-01T00:00:30Z"), Instant.parse("2026-01-01T00:00:45Z"));
    }

    @Test
    void nextIsStrictlyAfter() {
        assertThat(ticks("0 * * * *", "UTC", "2026-01-01T00:00:00Z", 1)).containsExactly(Instant.parse("2026-01-01T01:00:00Z"));
    }

    @Test
    void intervalsAreAlignedToTheEpochOrToStart() {
        assertThat(ScheduleTimes.of(null, 3_600_000L, "Europe/Berlin", null, null).next(Instant.parse("2026-03-29T00:59:59Z"), 3))
                .containsExactly(Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-29T02:00:00Z"),
                        Instant.parse("2026-03-29T03:00:00Z"));
        Instant start = Instant.parse("2026-01-01T00:00:07Z");
        assertThat(ScheduleTimes.of(null, 10_000L, "UTC", start, null).next(Instant.parse("2025-01-01T00:00:00Z"), 2))
                .containsExactly(start, start.plusSeconds(10));
    }

    @Test
    void startIsInclusiveAndEndExclusive() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Instant end = Instant.parse("2026-01-01T03:00:00Z");
        ScheduleTimes times = ScheduleTimes.of("0 * * * *", null, "UTC", start, end);
        assertThat(times.next(Instant.parse("2025-06-01T00:00:00Z"), 10)).containsExactly(
                start, Instant.parse("2026-01-01T01:00:00Z"), Instant.parse("2026-01-01T02:00:00Z"));
        assertThat(times.next(Instant.parse("2026-01-01T02:00:00Z"))).isEmpty();
    }

    @Test
    void rejectsBrokenSpecs() {
        assertThatThrownBy(() -> ScheduleTimes.of(null, null, "UTC", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScheduleTimes.of("* * *", null, "UTC", null, null)).hasMessageContaining("fields");
        assertThatThrownBy(() -> ScheduleTimes.of("* * * * *", null, "Mars/Olympus", null, null)).hasMessageContaining("time zone");
    }
}
