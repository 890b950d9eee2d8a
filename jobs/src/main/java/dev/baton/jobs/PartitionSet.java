package dev.baton.jobs;

import dev.baton.events.DynamicPartitions;
import dev.baton.events.PartitionDimension;
import dev.baton.events.PartitionGranularity;
import dev.baton.events.PartitionsSpec;
import dev.baton.events.StaticPartitions;
import dev.baton.events.TimePartitions;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The partitions a job declares ({@code partitions:} in the job file, {@link PartitionsSpec} in the model): key
 * validation, key to time window, and lazy enumeration. Pure: the current time is always a parameter (it only
 * bounds open-ended time windows), nothing is read from the clock.
 *
 * <p>Time windows follow the calendar of their zone: a daily window runs from local midnight (plus the offset) to
 * the next local midnight, so it lasts 23 or 25 hours on DST days; an hourly window is one hour of elapsed time and
 * its key carries the UTC offset, so the repeated hour of a DST fall-back gets two distinct keys.
 *
 * <p>Enumeration never builds the whole list: {@link #range} returns an iterator that computes each partition from
 * the previous one, so 50,000 partitions cost the same memory as one.
 */
public final class PartitionSet {
    /** Joins the keys of a two-dimensional partition, in the order the dimensions are declared. */
    public static final String SEPARATOR = "|";
    /** At most this many dimensions. */
    public static final int MAX_DIMENSIONS = 2;

    /** The name of a dynamic partition set: letters, digits and {@code . _ -}, not starting with {@code . -}. */
    public static final java.util.regex.Pattern DYNAMIC_SET_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
    /** A dynamic partition key is at most this many characters. */
    public static final int MAX_DYNAMIC_KEY_LENGTH = 200;

    private static final DateTimeFormatter HOUR_KEY = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mmXXX");

    private final List<Dimension> dimensions;

    private PartitionSet(List<Dimension> dimensions) {
        this.dimensions = List.copyOf(dimensions);
    }

    /**
     * The current keys of dynamic partition sets (the gateway reads them from {@code baton.partition-keys}). Blocking.
     */
    public interface DynamicKeys {
        /** Whether the set holds the key now. */
        boolean contains(String set, String key);

        /** The set's keys now, in key order (lazily where the source can). */
        Iterator<String> keys(String set);
    }

    /**
     * Why a key cannot be a key of a dynamic partition set, or empty when it can: 1 to 200 characters without
     * {@code /} (it joins set and key on the topic), {@code |} (it joins the keys of two dimensions), control
     * characters or surrounding whitespace.
     */
    public static Optional<String> invalidDynamicKey(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("a partition key must not be empty");
        }
        if (key.length() > MAX_DYNAMIC_KEY_LENGTH) {
            return Optional.of("partition key '" + key.substring(0, 20) + "...' is longer than " + MAX_DYNAMIC_KEY_LENGTH + " characters");
        }
        if (key.contains("/")) {
            return Optional.of("partition key '" + key + "' must not contain '/'");
        }
        if (key.contains(SEPARATOR)) {
            return Optional.of("partition key '" + key + "' must not contain '|' (it joins the keys of two dimensions)");
        }
        if (key.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("partition key must not contain control characters");
        }
        if (!key.strip().equals(key)) {
            return Optional.of("partition key '" + key + "' must not start or end with whitespace");
        }
        return Optional.empty();
    }

    /**
     * The set of a spec without the keys of its dynamic dimensions: a dynamic key is then checked for its form only
     * (the coordinator, the scheduler, the job reader), and enumerating a dynamic dimension fails. Use
     * {@link #of(PartitionsSpec, DynamicKeys)} where the current keys matter (run requests, backfills, status).
     *
     * @throws IllegalArgumentException when the spec is not valid (the job reader reports the same problems with paths)
     */
    public static PartitionSet of(PartitionsSpec spec) {
        return of(spec, null);
    }

    /**
     * The set with the current keys of its dynamic dimensions read from {@code keys}: a key of a dynamic dimension
     * must be one of the set's keys now.
     *
     * @param keys null: dynamic keys are checked for their form only
     * @throws IllegalArgumentException when the spec is not valid
     */
    public static PartitionSet of(PartitionsSpec spec, DynamicKeys keys) {
        if (spec.getDimensions().isEmpty() || spec.getDimensions().size() > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("partitions have 1 or " + MAX_DIMENSIONS + " dimensions (got "
                    + spec.getDimensions().size() + ")");
        }
        List<Dimension> dims = new ArrayList<>();
        for (PartitionDimension d : spec.getDimensions()) {
            dims.add(switch (d.getKind()) {
                case TimePartitions t -> new TimeDimension(d.getName(), t);
                case StaticPartitions s -> new StaticDimension(d.getName(), s.getKeys());
                case DynamicPartitions y -> new DynamicDimension(d.getName(), y.getName(), keys);
                default -> throw new IllegalArgumentException("unknown partition kind " + d.getKind().getClass().getSimpleName());
            });
        }
        return new PartitionSet(dims);
    }

    /** Whether a dimension is a dynamic set (its keys are on Kafka, not in the job). */
    public boolean dynamic() {
        return dimensions.stream().anyMatch(d -> d instanceof DynamicDimension);
    }

    /** The set of a job, or empty when the job is not partitioned. */
    public static Optional<PartitionSet> of(dev.baton.events.JobDefinition job) {
        return job.getPartitions() == null ? Optional.empty() : Optional.of(of(job.getPartitions()));
    }

    public List<Dimension> dimensions() {
        return dimensions;
    }

    public boolean multiDimensional() {
        return dimensions.size() > 1;
    }

    /** The one time dimension (whose window a partition's start/end are), if there is exactly one. */
    public Optional<TimeDimension> timeDimension() {
        List<TimeDimension> time = dimensions.stream().filter(d -> d instanceof TimeDimension)
                .map(d -> (TimeDimension) d).toList();
        return time.size() == 1 ? Optional.of(time.get(0)) : Optional.empty();
    }

    /**
     * The partition with this key.
     *
     * @throws IllegalArgumentException naming the key and why it is not one of the set
     */
    public Partition partition(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty partition key");
        }
        if (!multiDimensional()) {
            return dimensions.get(0).parse(key);
        }
        String[] parts = key.split(java.util.regex.Pattern.quote(SEPARATOR), -1);
        if (parts.length != dimensions.size()) {
            throw new IllegalArgumentException("partition '" + key + "' needs one key per dimension ("
                    + String.join(SEPARATOR, dimensions.stream().map(d -> "<" + d.name() + ">").toList()) + ")");
        }
        List<Partition> each = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            Dimension d = dimensions.get(i);
            try {
                each.add(d.parse(parts[i]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("partition '" + key + "': dimension " + d.name() + ": " + e.getMessage());
            }
        }
        return combine(each);
    }

    /** Whether the key names a partition of this set. */
    public boolean contains(String key) {
        try {
            partition(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The partitions from {@code from} to {@code to} (both inclusive), lazily, in key order. For two dimensions the
     * range applies to the {@linkplain #rangeDimension() range dimension} and every key of the other one is included
     * (range-dimension-major).
     *
     * @param from first key of the range dimension; null: its first partition
     * @param to   last key of the range dimension; null: its last one (for an open-ended time dimension, the last
     *             window that ended at or before {@code now})
     * @throws IllegalArgumentException when from or to is not a key of the range dimension, or from is after to
     */
    public Iterator<Partition> range(String from, String to, Instant now) {
        int r = dimensions.indexOf(rangeDimension());
        Dimension rd = dimensions.get(r);
        Partition first = from == null ? null : rd.parse(from);
        Partition last = to == null ? null : rd.parse(to);
        if (first != null && last != null && rd.compare(first, last) > 0) {
            throw new IllegalArgumentException("from '" + from + "' is after to '" + to + "'");
        }
        if (!multiDimensional()) {
            return rd.iterate(first, last, now);
        }
        Dimension other = dimensions.get(1 - r);
        return new Iterator<>() {
            private final Iterator<Partition> outer = rd.iterate(first, last, now);
            private Partition current;
            private Iterator<Partition> inner = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!inner.hasNext()) {
                    if (!outer.hasNext()) {
                        return false;
                    }
                    current = outer.next();
                    inner = other.iterate(null, null, now);
                }
                return true;
            }

            @Override
            public Partition next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Partition o = inner.next();
                return r == 0 ? combine(List.of(current, o)) : combine(List.of(o, current));
            }
        };
    }

    /**
     * Every partition after {@code key} in the order of {@link #range}{@code (null, null, now)}, lazily: what a page
     * that ended at {@code key} continues with. The key need not be in the set any more (a dynamic key removed since,
     * a time window the set's bounds exclude now): it only needs the set's form, and the partitions after its place
     * follow. Partitions added before that place since are not listed; those added after it are.
     *
     * @throws IllegalArgumentException when the key does not have the form of the set's keys (or names a static key
     *                                  the set no longer has)
     */
    public Iterator<Partition> after(String key, Instant now) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty partition key");
        }
        if (!multiDimensional()) {
            return after(dimensions.get(0), key, now);
        }
        String[] parts = key.split(java.util.regex.Pattern.quote(SEPARATOR), -1);
        if (parts.length != dimensions.size()) {
            throw new IllegalArgumentException("partition '" + key + "' needs one key per dimension");
        }
        int r = dimensions.indexOf(rangeDimension());
        Dimension rd = dimensions.get(r);
        Dimension other = dimensions.get(1 - r);
        Partition outerFirst = place(rd, parts[r]);
        String innerLast = parts[1 - r];
        place(other, innerLast); // the form of the other part is checked too
        // The other dimension is the small one (a list or a set): one of its runs is buffered at a time.
        return stream(rd.iterate(outerFirst, null, now)).flatMap(current -> {
            Iterator<Partition> inner = rd.compare(current, outerFirst) == 0 ? after(other, innerLast, now)
                    : other.iterate(null, null, now);
            return stream(inner).map(o -> r == 0 ? combine(List.of(current, o)) : combine(List.of(o, current)));
        }).iterator();
    }

    /** The partitions of one dimension after {@code key} (which has the dimension's form). */
    private static Iterator<Partition> after(Dimension d, String key, Instant now) {
        Partition from = place(d, key);
        return stream(d.iterate(from, null, now)).filter(p -> d.compare(p, from) > 0).iterator();
    }

    /** A lazy, ordered stream over an iterator (its iterator() pulls from {@code it} only as far as asked). */
    private static <T> java.util.stream.Stream<T> stream(Iterator<T> it) {
        return java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(it, java.util.Spliterator.ORDERED), false);
    }

    /** A key's place in a dimension's order: parsed, except that a dynamic key need not be in the set any more. */
    private static Partition place(Dimension d, String key) {
        if (d instanceof DynamicDimension) {
            invalidDynamicKey(key).ifPresent(why -> {
                throw new IllegalArgumentException(why);
            });
            return Partition.of(key);
        }
        return d.parse(key);
    }

    /** The dimension {@link #range} ranges over: the first time dimension, else the first one. */
    public Dimension rangeDimension() {
        return dimensions.stream().filter(d -> d instanceof TimeDimension).findFirst().orElse(dimensions.get(0));
    }

    /** How many partitions {@link #range} yields (counted by walking it: no list is built). */
    public long count(String from, String to, Instant now) {
        long n = 0;
        for (Iterator<Partition> it = range(from, to, now); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /**
     * The latest window of a one-dimensional time set that ended at or before {@code at}: the partition a schedule
     * ticking at {@code at} runs (at 02:00 on 2 January, the daily partition of 1 January). Empty for other sets, or
     * when no window of the set has ended by then.
     */
    public Optional<Partition> lastComplete(Instant at) {
        if (multiDimensional() || !(dimensions.get(0) instanceof TimeDimension t)) {
            return Optional.empty();
        }
        return t.lastComplete(at);
    }

    private Partition combine(List<Partition> each) {
        Map<String, Partition> dims = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < each.size(); i++) {
            dims.put(dimensions.get(i).name(), each.get(i));
            keys.add(each.get(i).key());
        }
        Partition window = timeDimension().map(t -> dims.get(t.name())).orElse(null);
        return new Partition(String.join(SEPARATOR, keys), window == null ? null : window.start(),
                window == null ? null : window.end(), dims);
    }

    /** One dimension of a partition set. */
    public sealed interface Dimension permits TimeDimension, StaticDimension, DynamicDimension {
        String name();

        /** @throws IllegalArgumentException naming the key and why it is not one of this dimension */
        Partition parse(String key);

        /** Partitions from first to last inclusive (nulls: the dimension's ends), lazily. */
        Iterator<Partition> iterate(Partition first, Partition last, Instant now);

        int compare(Partition a, Partition b);
    }

    /** A fixed list of keys. */
    public static final class StaticDimension implements Dimension {
        private final String name;
        private final List<String> keys;
        private final Map<String, Integer> index = new HashMap<>();

        StaticDimension(String name, List<String> keys) {
            this.name = name;
            this.keys = List.copyOf(keys);
            for (int i = 0; i < this.keys.size(); i++) {
                index.putIfAbsent(this.keys.get(i), i);
            }
        }

        @Override
        public String name() {
            return name;
        }

        public List<String> keys() {
            return keys;
        }

        @Override
        public Partition parse(String key) {
            if (!index.containsKey(key)) {
                throw new IllegalArgumentException("unknown partition '" + key + "' (keys: "
                        + (keys.size() <= 10 ? String.join(", ", keys) : String.join(", ", keys.subList(0, 10)) + ", ...")
                        + ")");
            }
            return Partition.of(key);
        }

        @Override
        public Iterator<Partition> iterate(Partition first, Partition last, Instant now) {
            int from = first == null ? 0 : index.get(first.key());
            int to = last == null ? keys.size() - 1 : index.get(last.key());
            return keys.subList(from, Math.max(from, to + 1)).stream().map(Partition::of).iterator();
        }

        @Override
        public int compare(Partition a, Partition b) {
            return Integer.compare(index.get(a.key()), index.get(b.key()));
        }
    }

    /**
     * The keys currently in a named dynamic partition set, in key order. Without a key source a key is checked for
     * its form only and the dimension cannot be enumerated.
     */
    public static final class DynamicDimension implements Dimension {
        private final String name;
        private final String set;
        private final DynamicKeys keys;

        DynamicDimension(String name, String set, DynamicKeys keys) {
            if (set == null || !DYNAMIC_SET_NAME.matcher(set).matches()) {
                throw new IllegalArgumentException("'" + set + "' is not a dynamic partition set name (1 to 100 letters,"
                        + " digits, '.', '_' or '-', not starting with '.' or '-')");
            }
            this.name = name;
            this.set = set;
            this.keys = keys;
        }

        @Override
        public String name() {
            return name;
        }

        /** The dynamic partition set's name. */
        public String set() {
            return set;
        }

        @Override
        public Partition parse(String key) {
            invalidDynamicKey(key).ifPresent(why -> {
                throw new IllegalArgumentException(why);
            });
            if (keys != null && !keys.contains(set, key)) {
                throw new IllegalArgumentException("'" + key + "' is not a current key of dynamic partition set '" + set
                        + "' (add it with: baton partitions add " + set + " " + key + ")");
            }
            return Partition.of(key);
        }

        @Override
        public Iterator<Partition> iterate(Partition first, Partition last, Instant now) {
            if (keys == null) {
                throw new IllegalStateException("the keys of dynamic partition set '" + set + "' are on Kafka;"
                        + " enumerate it from PartitionSet.of(spec, keys)");
            }
            // The keys come sorted: skip those before first, stop at the first after last.
            return stream(keys.keys(set)).filter(k -> first == null || k.compareTo(first.key()) >= 0)
                    .takeWhile(k -> last == null || k.compareTo(last.key()) <= 0).map(Partition::of).iterator();
        }

        @Override
        public int compare(Partition a, Partition b) {
            return a.key().compareTo(b.key());
        }
    }

    /** Calendar-aligned time windows in a zone. */
    public static final class TimeDimension implements Dimension {
        private final String name;
        private final PartitionGranularity granularity;
        private final ZoneId zone;
        private final LocalDateTime startBound;
        private final LocalDateTime endBound;
        private final Duration offset;

        TimeDimension(String name, TimePartitions spec) {
            this.name = name;
            this.granularity = spec.getGranularity();
            this.zone = ZoneId.of(spec.getTimezone());
            this.startBound = LocalDateTime.parse(spec.getStart());
            this.endBound = spec.getEnd() == null ? null : LocalDateTime.parse(spec.getEnd());
            this.offset = Duration.ofMillis(spec.getOffsetMs());
            if (offset.isNegative() || offset.compareTo(maxOffset(granularity)) >= 0) {
                throw new IllegalArgumentException("offset must be at least 0 and less than " + maxOffset(granularity));
            }
        }

        /** The offsets a granularity allows are below this (a window must not skip a period). */
        public static Duration maxOffset(PartitionGranularity g) {
            return switch (g) {
                case HOURLY -> Duration.ofHours(1);
                case DAILY -> Duration.ofDays(1);
                case WEEKLY -> Duration.ofDays(7);
                case MONTHLY -> Duration.ofDays(28);
            };
        }

        @Override
        public String name() {
            return name;
        }

        public PartitionGranularity granularity() {
            return granularity;
        }

        public ZoneId zone() {
            return zone;
        }

        // ---- periods: a calendar period is named by its aligned local date, an hour by its start instant ----

        private LocalDate align(LocalDate d) {
            return switch (granularity) {
                case WEEKLY -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                case MONTHLY -> d.withDayOfMonth(1);
                default -> d;
            };
        }

        private LocalDate nextPeriod(LocalDate d, long n) {
            return switch (granularity) {
                case WEEKLY -> d.plusWeeks(n);
                case MONTHLY -> d.plusMonths(n);
                default -> d.plusDays(n);
            };
        }

        private LocalDateTime localStart(LocalDate period) {
            return period.atStartOfDay().plus(offset);
        }

        private Partition calendarWindow(LocalDate period) {
            LocalDateTime s = localStart(period);
            ZonedDateTime start = s.atZone(zone);
            ZonedDateTime end = localStart(nextPeriod(period, 1)).atZone(zone);
            return Partition.window(s.toLocalDate().toString(), start, end);
        }

        private Partition hourWindow(Instant start) {
            ZonedDateTime s = start.atZone(zone);
            return Partition.window(HOUR_KEY.format(s), s, start.plus(Duration.ofHours(1)).atZone(zone));
        }

        /** The hour-aligned (plus offset) instant at or before t in this zone's local time. */
        private Instant floorHour(Instant t) {
            long zoneOffset = zone.getRules().getOffset(t).getTotalSeconds();
            long local = t.getEpochSecond() + zoneOffset - offset.toSeconds();
            long floored = Math.floorDiv(local, 3600) * 3600;
            return Instant.ofEpochSecond(floored - zoneOffset + offset.toSeconds());
        }

        private boolean inBounds(Partition p) {
            LocalDateTime s = p.start().toLocalDateTime();
            if (granularity == PartitionGranularity.HOURLY) {
                if (p.start().toInstant().isBefore(startBound.atZone(zone).toInstant())) {
                    return false;
                }
                return endBound == null || !p.end().toInstant().isAfter(endBound.atZone(zone).toInstant());
            }
            if (s.isBefore(startBound)) {
                return false;
            }
            return endBound == null || !p.end().toLocalDateTime().isAfter(endBound);
        }

        private String describeBounds() {
            return "from " + startBound + (endBound == null ? "" : " to " + endBound) + " in " + zone;
        }

        @Override
        public Partition parse(String key) {
            Partition p = granularity == PartitionGranularity.HOURLY ? parseHour(key) : parseCalendar(key);
            if (!inBounds(p)) {
                throw new IllegalArgumentException("partition '" + key + "' is outside the " + granularity.name().toLowerCase()
                        + " partitions " + describeBounds());
            }
            return p;
        }

        private Partition parseHour(String key) {
            OffsetDateTime t;
            try {
                t = OffsetDateTime.parse(key, HOUR_KEY);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + key + "' is not an hourly partition key (e.g. "
                        + HOUR_KEY.format(startBound.atZone(zone)) + ")");
            }
            Instant start = t.toInstant();
            Partition p = hourWindow(start);
            if (!floorHour(start).equals(start) || !p.key().equals(key)) {
                throw new IllegalArgumentException("'" + key + "' is not the start of an hourly window in " + zone
                        + " (e.g. " + p.key() + ")");
            }
            return p;
        }

        private Partition parseCalendar(String key) {
            LocalDate k;
            try {
                k = LocalDate.parse(key);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + key + "' is not a " + granularity.name().toLowerCase()
                        + " partition key (a date, e.g. " + calendarWindow(firstPeriod()).key() + ")");
            }
            LocalDate period = k.minusDays(offset.toDays());
            if (!align(period).equals(period) || !calendarWindow(period).key().equals(key)) {
                throw new IllegalArgumentException("'" + key + "' is not the first day of a " + granularity.name().toLowerCase()
                        + " window (e.g. " + calendarWindow(align(period)).key() + ")");
            }
            return calendarWindow(period);
        }

        private LocalDate firstPeriod() {
            LocalDate d = align(startBound.toLocalDate().minusDays(offset.toDays() + 1));
            while (localStart(d).isBefore(startBound)) {
                d = nextPeriod(d, 1);
            }
            return d;
        }

        /** The period of a valid calendar key: the key is the local start date, offset days after the period. */
        private LocalDate periodOf(Partition p) {
            return LocalDate.parse(p.key()).minusDays(offset.toDays());
        }

        /** Whether the window is over at {@code now} (open-ended sets enumerate only those). */
        private boolean ended(Partition p, Instant now) {
            return !p.end().toInstant().isAfter(now);
        }

        @Override
        public Iterator<Partition> iterate(Partition first, Partition last, Instant now) {
            Partition start = first != null ? first
                    : granularity == PartitionGranularity.HOURLY ? hourWindow(ceilHour(startBound.atZone(zone).toInstant()))
                    : calendarWindow(firstPeriod());
            return new Iterator<>() {
                private Partition next = start;
                private LocalDate period = granularity == PartitionGranularity.HOURLY ? null : periodOf(start);

                @Override
                public boolean hasNext() {
                    if (next == null) {
                        return false;
                    }
                    boolean ok = inBounds(next)
                            && (last != null ? compare(next, last) <= 0 : endBound != null || ended(next, now));
                    if (!ok) {
                        next = null;
                    }
                    return ok;
                }

                @Override
                public Partition next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Partition p = next;
                    if (granularity == PartitionGranularity.HOURLY) {
                        next = hourWindow(p.end().toInstant());
                    } else {
                        period = nextPeriod(period, 1);
                        next = calendarWindow(period);
                    }
                    return p;
                }
            };
        }

        private Instant ceilHour(Instant t) {
            Instant f = floorHour(t);
            return f.equals(t) ? f : floorHour(t.plus(Duration.ofHours(1)));
        }

        @Override
        public int compare(Partition a, Partition b) {
            return a.start().toInstant().compareTo(b.start().toInstant());
        }

        Optional<Partition> lastComplete(Instant at) {
            Partition p;
            if (granularity == PartitionGranularity.HOURLY) {
                p = hourWindow(floorHour(at).minus(Duration.ofHours(1)));
            } else {
                LocalDate d = nextPeriod(align(at.atZone(zone).toLocalDate().minusDays(offset.toDays())), 1);
                p = calendarWindow(d);
                while (!ended(p, at)) {
                    d = nextPeriod(d, -1);
                    p = calendarWindow(d);
                }
            }
            return inBounds(p) ? Optional.of(p) : Optional.empty();
        }
    }
}
