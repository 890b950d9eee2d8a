package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.DynamicPartitions;
import dev.baton.events.PartitionDimension;
import dev.baton.events.PartitionGranularity;
import dev.baton.events.PartitionsSpec;
import dev.baton.events.StaticPartitions;
import dev.baton.events.TimePartitions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys, windows and enumeration of partition sets: time zones, DST days, month ends, offsets, two dimensions. */
class PartitionSetTest {
    private static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");

    static PartitionSet time(PartitionGranularity g, String start, String end, String zone, long offsetMs) {
        return PartitionSet.of(new PartitionsSpec(List.of(new PartitionDimension(g.name().toLowerCase(),
                new TimePartitions(g, start, end, zone, offsetMs)))));
    }

    static PartitionSet daily(String zone) {
        return time(PartitionGranularity.DAILY, "2026-01-01T00:00", null, zone, 0);
    }

    static List<String> keys(Iterator<Partition> it) {
        List<String> keys = new ArrayList<>();
        it.forEachRemaining(p -> keys.add(p.key()));
        return keys;
    }

    static Duration length(Partition p) {
        return Duration.between(p.start(), p.end());
    }

    @Test
    void dailyWindowsInBerlinLast23And25HoursOnDstDays() {
        PartitionSet set = daily("Europe/Berlin");
        Partition spring = set.partition("2026-03-29");
        assertThat(spring.startText()).isEqualTo("2026-03-29T00:00+01:00");
        assertThat(spring.endText()).isEqualTo("2026-03-30T00:00+02:00");
        assertThat(length(spring)).isEqualTo(Duration.ofHours(23));
        Partition fall = set.partition("2026-10-25");
        assertThat(fall.startText()).isEqualTo("2026-10-25T00:00+02:00");
        assertThat(fall.endText()).isEqualTo("2026-10-26T00:00+01:00");
        assertThat(length(fall)).isEqualTo(Duration.ofHours(25));
        assertThat(length(set.partition("2026-06-01"))).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void dailyWindowsInNewYorkOnDstDays() {
        PartitionSet set = daily("America/New_York");
        assertThat(length(set.partition("2026-03-08"))).isEqualTo(Duration.ofHours(23));
        assertThat(length(set.partition("2026-11-01"))).isEqualTo(Duration.ofHours(25));
        assertThat(set.partition("2026-03-08").startText()).isEqualTo("2026-03-08T00:00-05:00");
        assertThat(set.partition("2026-03-08").endText()).isEqualTo("2026-03-09T00:00-04:00");
    }

    @Test
    void consecutiveWindowsTouchAcrossDstChanges() {
        PartitionSet set = daily("Europe/Berlin");
        Partition previous = null;
        int n = 0;
        for (Iterator<Partition> it = set.range("2026-03-25", "2026-11-02", NOW); it.hasNext(); n++) {
            Partition p = it.next();
            if (previous != null) {
                assertThat(p.start().toInstant()).isEqualTo(previous.end().toInstant());
            }
            previous = p;
        }
        assertThat(n).isEqualTo(223);
    }

    @Test
    void hourlyKeysCarryTheOffsetSoTheRepeatedFallBackHourHasTwoKeys() {
        PartitionSet set = time(PartitionGranularity.HOURLY, "2026-10-25T00:00", "2026-10-25T05:00", "Europe/Berlin", 0);
        assertThat(keys(set.range(null, null, NOW))).containsExactly(
                "2026-10-25T00:00+02:00", "2026-10-25T01:00+02:00", "2026-10-25T02:00+02:00",
                "2026-10-25T02:00+01:00", "2026-10-25T03:00+01:00", "2026-10-25T04:00+01:00");
        assertThat(length(set.partition("2026-10-25T02:00+01:00"))).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void hourlyWindowsSkipTheMissingSpringForwardHour() {
        PartitionSet set = time(PartitionGranularity.HOURLY, "2026-03-29T00:00", "2026-03-29T05:00", "Europe/Berlin", 0);
        assertThat(keys(set.range(null, null, NOW))).containsExactly(
                "2026-03-29T00:00+01:00", "2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00");
        assertThatThrownBy(() -> set.partition("2026-03-29T02:00+02:00"))
                .hasMessageContaining("'2026-03-29T02:00+02:00' is not the start of an hourly window");
    }

    @Test
    void hourlyKeyWithTheWrongOffsetIsRejected() {
        PartitionSet set = time(PartitionGranularity.HOURLY, "2026-01-01T00:00", null, "Europe/Berlin", 0);
        assertThat(set.partition("2026-01-01T05:00+01:00").start().toInstant()).isEqualTo(Instant.parse("2026-01-01T04:00:00Z"));
        assertThatThrownBy(() -> set.partition("2026-01-01T05:00Z")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.partition("2026-01-01T05:30+01:00")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void monthlyWindowsEndAtMonthEndsIncludingLeapFebruary() {
        PartitionSet set = time(PartitionGranularity.MONTHLY, "2027-12-15T00:00", null, "UTC", 0);
        assertThat(keys(set.range(null, "2028-04-01", NOW))).containsExactly("2028-01-01", "2028-02-01", "2028-03-01", "2028-04-01");
        Partition feb = set.partition("2028-02-01");
        assertThat(feb.endText()).isEqualTo("2028-03-01T00:00Z");
        assertThat(length(feb)).isEqualTo(Duration.ofDays(29));
        assertThatThrownBy(() -> set.partition("2028-02-15")).hasMessageContaining("not the first day of a monthly window");
        assertThatThrownBy(() -> set.partition("2027-12-01")).hasMessageContaining("outside the monthly partitions from 2027-12-15T00:00");
    }

    @Test
    void monthlyWithADayOffsetStartsOnThatDay() {
        PartitionSet set = time(PartitionGranularity.MONTHLY, "2026-01-01T00:00", null, "UTC", Duration.ofDays(4).toMillis());
        assertThat(keys(set.range(null, "2026-03-05", NOW))).containsExactly("2026-01-05", "2026-02-05", "2026-03-05");
        assertThat(set.partition("2026-01-05").endText()).isEqualTo("2026-02-05T00:00Z");
    }

    @Test
    void weeksStartOnMondayAndTheFirstWeekIsTheFirstFullOne() {
        PartitionSet set = time(PartitionGranularity.WEEKLY, "2026-01-01T00:00", null, "UTC", 0); // a Thursday
        assertThat(keys(set.range(null, "2026-01-19", NOW))).containsExactly("2026-01-05", "2026-01-12", "2026-01-19");
        assertThatThrownBy(() -> set.partition("2026-01-06")).hasMessageContaining("not the first day of a weekly window");
    }

    @Test
    void dailyOffsetShiftsTheWindowsButKeepsTheDateAsKey() {
        PartitionSet set = time(PartitionGranularity.DAILY, "2026-01-01T00:00", null, "Europe/Berlin", Duration.ofHours(6).toMillis());
        Partition p = set.partition("2026-01-01");
        assertThat(p.startText()).isEqualTo("2026-01-01T06:00+01:00");
        assertThat(p.endText()).isEqualTo("2026-01-02T06:00+01:00");
        assertThat(set.lastComplete(Instant.parse("2026-01-02T05:30:00Z"))).map(Partition::key).contains("2026-01-01");
        assertThat(set.lastComplete(Instant.parse("2026-01-02T04:30:00Z"))).as("05:30 in Berlin: the first day is not over").isEmpty();
    }

    @Test
    void endIsExclusiveAndOpenEndedSetsStopAtTheLastCompleteWindow() {
        PartitionSet bounded = time(PartitionGranularity.DAILY, "2026-01-01T00:00", "2026-02-01T00:00", "UTC", 0);
        List<String> january = keys(bounded.range(null, null, Instant.parse("2026-01-10T00:00:00Z")));
        assertThat(january).hasSize(31).startsWith("2026-01-01").endsWith("2026-01-31");
        assertThatThrownBy(() -> bounded.partition("2026-02-01")).hasMessageContaining("outside");

        PartitionSet open = daily("UTC");
        assertThat(keys(open.range(null, null, Instant.parse("2026-01-04T12:00:00Z"))))
                .containsExactly("2026-01-01", "2026-01-02", "2026-01-03");
        assertThat(open.contains("2030-01-01")).as("a single key is not bounded by now").isTrue();
    }

    @Test
    void yesterdaysPartitionAtTwoInTheMorningInTheZone() {
        PartitionSet set = daily("Europe/Berlin");
        // 02:00 in Berlin on the day after the fall-back day (CET, UTC+1)
        assertThat(set.lastComplete(Instant.parse("2026-10-26T01:00:00Z"))).map(Partition::key).contains("2026-10-25");
        // 02:00 in Berlin on the day after the spring-forward day (CEST, UTC+2)
        assertThat(set.lastComplete(Instant.parse("2026-03-30T00:00:00Z"))).map(Partition::key).contains("2026-03-29");
        assertThat(set.lastComplete(Instant.parse("2025-12-31T23:30:00Z"))).isEmpty();
    }

    @Test
    void rangesAreLazySoFiftyThousandCostNothingUpFront() {
        PartitionSet set = time(PartitionGranularity.HOURLY, "2020-01-01T00:00", null, "America/New_York", 0);
        Iterator<Partition> it = set.range(null, null, NOW);
        assertThat(it.next().key()).isEqualTo("2020-01-01T00:00-05:00");
        assertThat(set.count(null, "2025-09-14T08:00-04:00", NOW)).isEqualTo(50_000);
    }

    @Test
    void staticKeysInDeclaredOrder() {
        PartitionSet set = PartitionSet.of(new PartitionsSpec(List.of(
                new PartitionDimension("static", new StaticPartitions(List.of("us", "eu", "apac"))))));
        assertThat(keys(set.range(null, null, NOW))).containsExactly("us", "eu", "apac");
        assertThat(keys(set.range("eu", null, NOW))).containsExactly("eu", "apac");
        assertThat(set.partition("eu").hasWindow()).isFalse();
        assertThatThrownBy(() -> set.partition("latam")).hasMessage("unknown partition 'latam' (keys: us, eu, apac)");
        assertThatThrownBy(() -> set.range("apac", "us", NOW)).hasMessage("from 'apac' is after to 'us'");
    }

    @Test
    void twoDimensionsJoinKeysAndExposeEachDimension() {
        PartitionSet set = PartitionSet.of(new PartitionsSpec(List.of(
                new PartitionDimension("date", new TimePartitions(PartitionGranularity.DAILY, "2026-01-01T00:00", null,
                        "Europe/Berlin", 0L)),
                new PartitionDimension("region", new StaticPartitions(List.of("eu", "us"))))));
        Partition p = set.partition("2026-03-29|us");
        assertThat(p.dimensions().keySet()).containsExactly("date", "region");
        assertThat(p.dimensions().get("region").key()).isEqualTo("us");
        assertThat(p.dimensions().get("date").key()).isEqualTo("2026-03-29");
        assertThat(p.startText()).isEqualTo("2026-03-29T00:00+01:00");
        assertThat(length(p)).isEqualTo(Duration.ofHours(23));
        assertThat(keys(set.range("2026-01-01", "2026-01-02", NOW)))
                .containsExactly("2026-01-01|eu", "2026-01-01|us", "2026-01-02|eu", "2026-01-02|us");
        assertThatThrownBy(() -> set.partition("2026-01-01")).hasMessageContaining("needs one key per dimension (<date>|<region>)");
        assertThatThrownBy(() -> set.partition("2026-01-01|latam")).hasMessageContaining("dimension region: unknown partition 'latam'");
    }

    @Test
    void staticThenTimeDimensionRangesOverTheTimeDimension() {
        PartitionSet set = PartitionSet.of(new PartitionsSpec(List.of(
                new PartitionDimension("region", new StaticPartitions(List.of("eu", "us"))),
                new PartitionDimension("date", new TimePartitions(PartitionGranularity.DAILY, "2026-01-01T00:00", null, "UTC", 0L)))));
        assertThat(keys(set.range("2026-01-01", "2026-01-02", NOW)))
                .containsExactly("eu|2026-01-01", "us|2026-01-01", "eu|2026-01-02", "us|2026-01-02");
    }

    @Test
    void notADateIsExplained() {
        assertThatThrownBy(() -> daily("UTC").partition("yesterday"))
                .hasMessage("'yesterday' is not a daily partition key (a date, e.g. 2026-01-01)");
    }

    /** A key source over a sorted set of keys per set name, as the gateway's store answers. */
    static PartitionSet.DynamicKeys keysOf(java.util.Map<String, java.util.SortedSet<String>> sets) {
        return new PartitionSet.DynamicKeys() {
            @Override
            public boolean contains(String set, String key) {
                return sets.getOrDefault(set, new java.util.TreeSet<>()).contains(key);
            }

            @Override
            public Iterator<String> keys(String set) {
                return sets.getOrDefault(set, new java.util.TreeSet<>()).iterator();
            }
        };
    }

    @Test
    void dynamicKeysAreTheSetsCurrentKeysInKeyOrder() {
        PartitionsSpec spec = new PartitionsSpec(List.of(new PartitionDimension("dynamic", new DynamicPartitions("customers"))));
        java.util.SortedSet<String> customers = new java.util.TreeSet<>(List.of("globex", "acme"));
        PartitionSet set = PartitionSet.of(spec, keysOf(java.util.Map.of("customers", customers)));
        assertThat(set.dynamic()).isTrue();
        assertThat(keys(set.range(null, null, NOW))).containsExactly("acme", "globex");
        assertThat(set.partition("acme").hasWindow()).isFalse();
        assertThatThrownBy(() -> set.partition("initech")).hasMessage("'initech' is not a current key of dynamic partition"
                + " set 'customers' (add it with: baton partitions add customers initech)");
        customers.add("initech");
        assertThat(set.partition("initech").key()).isEqualTo("initech");
        customers.remove("acme");
        assertThat(set.contains("acme")).isFalse();
        assertThat(keys(set.range(null, null, NOW))).containsExactly("globex", "initech");
        assertThat(keys(set.range("globex", "initech", NOW))).containsExactly("globex", "initech");
        assertThatThrownBy(() -> set.range("acme", null, NOW)).hasMessageContaining("'acme' is not a current key");
    }

    @Test
    void withoutAKeySourceADynamicKeyIsCheckedForItsFormOnly() {
        PartitionSet set = PartitionSet.of(new PartitionsSpec(List.of(new PartitionDimension("dynamic", new DynamicPartitions("customers")))));
        assertThat(set.partition("anyone").key()).isEqualTo("anyone");
        assertThatThrownBy(() -> set.partition("a|b")).hasMessageContaining("must not contain '|'");
        assertThatThrownBy(() -> set.range(null, null, NOW)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dynamic partition set 'customers'");
    }

    @Test
    void aDailyTimesDynamicSetCombinesEveryCurrentKeyWithEachDay() {
        PartitionsSpec spec = new PartitionsSpec(List.of(
                new PartitionDimension("date", new TimePartitions(PartitionGranularity.DAILY, "2026-01-01T00:00", null, "UTC", 0L)),
                new PartitionDimension("customer", new DynamicPartitions("customers"))));
        PartitionSet set = PartitionSet.of(spec, keysOf(java.util.Map.of("customers", new java.util.TreeSet<>(List.of("b", "a")))));
        assertThat(keys(set.range("2026-01-01", "2026-01-02", NOW)))
                .containsExactly("2026-01-01|a", "2026-01-01|b", "2026-01-02|a", "2026-01-02|b");
        Partition p = set.partition("2026-01-02|b");
        assertThat(p.dimensions().get("customer").key()).isEqualTo("b");
        assertThat(p.startText()).isEqualTo("2026-01-02T00:00Z");
        assertThatThrownBy(() -> set.partition("2026-01-02|c")).hasMessageContaining("dimension customer: 'c' is not a current key");
    }

    /** Issue 15: the partition-status cursor is the last key seen; {@code after} continues the order from it. */
    @Test
    void afterAKeyTheOrderContinuesWhereThatKeyIsEvenWhenTheKeyWasRemovedMeanwhile() {
        PartitionSet days = time(PartitionGranularity.DAILY, "2026-01-01T00:00", "2026-01-05T00:00", "Europe/Berlin", 0);
        assertThat(keys(days.after("2026-01-02", NOW))).containsExactly("2026-01-03", "2026-01-04");
        assertThat(keys(days.after("2026-01-04", NOW))).isEmpty();
        // Hours across the fall-back in Berlin: the repeated 02:00 has two keys, both in order.
        PartitionSet hours = time(PartitionGranularity.HOURLY, "2026-10-25T01:00", "2026-10-25T04:00", "Europe/Berlin", 0);
        assertThat(keys(hours.after("2026-10-25T02:00+02:00", NOW)))
                .containsExactly("2026-10-25T02:00+01:00", "2026-10-25T03:00+01:00");

        java.util.SortedSet<String> customers = new java.util.TreeSet<>(List.of("acme", "globex", "hooli"));
        PartitionsSpec dyn = new PartitionsSpec(List.of(new PartitionDimension("customer", new DynamicPartitions("customers"))));
        PartitionSet set = PartitionSet.of(dyn, keysOf(java.util.Map.of("customers", customers)));
        assertThat(keys(set.after("acme", NOW))).containsExactly("globex", "hooli");
        customers.remove("globex"); // the last key of a page removed before the next page: the order goes on after it
        customers.add("aaa");       // added before the cursor: not on the next page
        customers.add("initech");
        assertThat(keys(set.after("globex", NOW))).containsExactly("hooli", "initech");
        assertThatThrownBy(() -> set.after("bad|key", NOW)).isInstanceOf(IllegalArgumentException.class);

        PartitionsSpec both = new PartitionsSpec(List.of(
                new PartitionDimension("date", new TimePartitions(PartitionGranularity.DAILY, "2026-01-01T00:00", "2026-01-03T00:00", "UTC", 0L)),
                new PartitionDimension("customer", new DynamicPartitions("customers"))));
        PartitionSet grid = PartitionSet.of(both, keysOf(java.util.Map.of("customers", customers)));
        assertThat(keys(grid.after("2026-01-01|hooli", NOW)))
                .containsExactly("2026-01-01|initech", "2026-01-02|aaa", "2026-01-02|acme", "2026-01-02|hooli", "2026-01-02|initech");
        assertThat(keys(grid.after("2026-01-01|zzz", NOW))).first().isEqualTo("2026-01-02|aaa");
        assertThatThrownBy(() -> grid.after("2026-01-01", NOW)).hasMessageContaining("one key per dimension");

        PartitionSet regions = PartitionSet.of(new PartitionsSpec(List.of(new PartitionDimension("region",
                new StaticPartitions(List.of("eu", "us", "apac"))))));
        assertThat(keys(regions.after("eu", NOW))).containsExactly("us", "apac");
        assertThatThrownBy(() -> regions.after("mars", NOW)).hasMessageContaining("unknown partition 'mars'");
    }
}
