package dev.baton.jobs.internal;

import dev.baton.events.DynamicPartitions;
import dev.baton.events.PartitionDimension;
import dev.baton.events.PartitionGranularity;
import dev.baton.events.PartitionsSpec;
import dev.baton.events.StaticPartitions;
import dev.baton.events.TimePartitions;
import dev.baton.jobs.PartitionSet;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.ParsedJob.Ref;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The job's {@code partitions}: one kind ({@code hourly}, {@code daily}, {@code weekly}, {@code monthly} time windows,
 * a {@code static} list of keys, or a {@code dynamic} set of keys kept on Kafka), or {@code dimensions} with two named
 * kinds (date × region).
 */
final class PartitionReader extends ValueReader {
    /** Static partition keys: no '|' (it joins the keys of two dimensions) and nothing a URL or shell would mangle. */
    static final Pattern STATIC_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,99}");
    static final int MAX_STATIC_KEYS = 10_000;
    /** Dimension names appear in templates (partition.<name>.key); key, start and end are taken by the window. */
    private static final Set<String> RESERVED = Set.of("key", "start", "end");
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    PartitionReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    PartitionsSpec read(Node node, String path) {
        MapNode m = object(node, path, "an object with one of " + String.join(", ", Keys.PARTITIONS));
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.PARTITIONS);
        List<String> present = m.entries().keySet().stream().filter(Keys.PARTITIONS::contains).toList();
        if (present.size() != 1) {
            problems.add(path, present.isEmpty()
                    ? "needs one of " + String.join(", ", Keys.PARTITIONS)
                    : "has one kind of partitions, got " + String.join(" and ", present)
                            + "; for two dimensions use dimensions: {<name>: {...}, <name>: {...}}");
            return null;
        }
        String kind = present.get(0);
        List<PartitionDimension> dims = new ArrayList<>();
        if (kind.equals("dimensions")) {
            String dp = Paths.key(path, "dimensions");
            MapNode d = object(m.get("dimensions"), dp, "an object of named dimensions");
            if (d == null) {
                problems.add(dp, "needs two named dimensions, e.g. {date: {daily: {start: 2026-01-01}}, region: {static: [eu, us]}}");
                return null;
            }
            if (d.entries().size() != PartitionSet.MAX_DIMENSIONS) {
                problems.add(dp, "needs exactly " + PartitionSet.MAX_DIMENSIONS + " dimensions (got " + d.entries().size() + ")");
            }
            for (Map.Entry<String, Node> e : d.entries().entrySet()) {
                String p = Paths.key(dp, e.getKey());
                if (!Names.IDENTIFIER.matcher(e.getKey()).matches() || RESERVED.contains(e.getKey())) {
                    problems.add(p, "'" + e.getKey() + "' is not a valid dimension name (an identifier other than"
                            + " key, start and end)");
                }
                MapNode dm = object(e.getValue(), p, "an object with one of " + String.join(", ", Keys.PARTITION_KINDS));
                if (dm == null) {
                    continue;
                }
                keys(dm, p, Keys.PARTITION_KINDS);
                List<String> kinds = dm.entries().keySet().stream().filter(Keys.PARTITION_KINDS::contains).toList();
                if (kinds.size() != 1) {
                    problems.add(p, "needs exactly one of " + String.join(", ", Keys.PARTITION_KINDS));
                    continue;
                }
                Object k = kind(kinds.get(0), dm.get(kinds.get(0)), Paths.key(p, kinds.get(0)));
                if (k != null) {
                    dims.add(new PartitionDimension(e.getKey(), k));
                }
            }
            long time = dims.stream().filter(x -> x.getKind() instanceof TimePartitions).count();
            if (time > 1) {
                problems.add(dp, "at most one dimension can be a time window");
            }
            if (dims.size() != PartitionSet.MAX_DIMENSIONS) {
                return null;
            }
        } else {
            Object k = kind(kind, m.get(kind), Paths.key(path, kind));
            if (k == null) {
                return null;
            }
            dims.add(new PartitionDimension(kind, k));
        }
        PartitionsSpec spec = new PartitionsSpec(dims);
        try {
            PartitionSet.of(spec);
        } catch (RuntimeException e) {
            problems.add(path, e.getMessage());
            return null;
        }
        return spec;
    }

    private Object kind(String kind, Node node, String path) {
        if (kind.equals("static")) {
            return staticKeys(node, path);
        }
        if (kind.equals("dynamic")) {
            return dynamic(node, path);
        }
        return window(PartitionGranularity.valueOf(kind.toUpperCase(Locale.ROOT)), node, path);
    }

    private StaticPartitions staticKeys(Node node, String path) {
        List<Ref> refs = refs(node, path, false);
        if (node == null || isNull(node) || node instanceof Node.ListNode l && l.items().isEmpty()) {
            problems.add(path, "needs at least one key");
            return null;
        }
        if (refs.isEmpty()) {
            return null; // not a list, or no usable item: reported by refs
        }
        if (refs.size() > MAX_STATIC_KEYS) {
            problems.add(path, "at most " + MAX_STATIC_KEYS + " keys (got " + refs.size() + ")");
        }
        int before = problems.size();
        for (Ref r : refs) {
            checkPattern(r.value(), STATIC_KEY, r.path(), "partition key",
                    "letters, digits and _ . : @ + = -, not starting with a symbol, at most 100 characters");
        }
        return problems.size() > before ? null : new StaticPartitions(refs.stream().map(Ref::value).toList());
    }

    private DynamicPartitions dynamic(Node node, String path) {
        MapNode m = object(node, path, "an object {name: <dynamic partition set>}");
        if (m == null) {
            if (node == null || isNull(node)) {
                problems.add(path, "needs the set's name, e.g. dynamic: {name: customers}");
            }
            return null;
        }
        keys(m, path, Keys.DYNAMIC_PARTITIONS);
        String np = Paths.key(path, "name");
        String name = string(m.get("name"), np);
        if (name == null) {
            if (!m.has("name") || isNull(m.get("name"))) {
                problems.add(np, "is required (the dynamic partition set's name, e.g. customers)");
            }
            return null;
        }
        int before = problems.size();
        checkPattern(name, PartitionSet.DYNAMIC_SET_NAME, np, "dynamic partition set name",
                "letters, digits and _ . -, not starting with . or -, at most 100 characters");
        return problems.size() > before ? null : new DynamicPartitions(name);
    }

    private TimePartitions window(PartitionGranularity g, Node node, String path) {
        String kind = g.name().toLowerCase(Locale.ROOT);
        MapNode m = object(node, path, "an object {start, end, timezone, offset}");
        if (m == null) {
            if (node == null || isNull(node)) {
                problems.add(path, "needs a start, e.g. " + kind + ": {start: \"2026-01-01\"}");
            }
            return null;
        }
        keys(m, path, Keys.TIME_WINDOW);
        int before = problems.size();
        String zone = JobDefaults.TIMEZONE;
        String tz = string(m.get("timezone"), Paths.key(path, "timezone"));
        if (tz != null) {
            if (ZONES.contains(tz)) {
                zone = tz;
            } else {
                problems.add(Paths.key(path, "timezone"), "'" + tz + "' is not an IANA time zone (e.g. Europe/Berlin, UTC)"
                        + Suggest.hint(tz, ZONES));
            }
        }
        LocalDateTime start = local(m.get("start"), Paths.key(path, "start"));
        if (start == null && (!m.has("start") || isNull(m.get("start")))) {
            problems.add(Paths.key(path, "start"), "is required (the first window's date, e.g. \"2026-01-01\")");
        }
        LocalDateTime end = local(m.get("end"), Paths.key(path, "end"));
        if (start != null && end != null && !end.isAfter(start)) {
            problems.add(Paths.key(path, "end"), "must be after start (" + start + ")");
        }
        long offsetMs = 0;
        Long offset = duration(m.get("offset"), Paths.key(path, "offset"), true);
        if (offset != null) {
            Duration max = PartitionSet.TimeDimension.maxOffset(g);
            if (offset < 0 || offset >= max.toMillis()) {
                problems.add(Paths.key(path, "offset"), "must be less than " + describe(max) + " for " + kind
                        + " partitions (got " + describe(Duration.ofMillis(offset)) + ")");
            } else if (offset % 60_000 != 0) {
                problems.add(Paths.key(path, "offset"), "must be whole minutes");
            } else {
                offsetMs = offset;
            }
        }
        if (problems.size() > before || start == null) {
            return null;
        }
        return new TimePartitions(g, start.toString(), end == null ? null : end.toString(), zone, offsetMs);
    }

    private static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** A local date or date-time, in the window's zone. */
    private LocalDateTime local(Node node, String path) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        String s = text.strip();
        try {
            return LocalDateTime.parse(s);
        } catch (DateTimeParseException ignored) {
            // a date alone
        }
        try {
            return LocalDate.parse(s).atStartOfDay();
        } catch (DateTimeParseException e) {
            problems.add(path, "'" + s + "' is not a local date or time; use 2026-01-01 or 2026-01-01T06:00"
                    + " (in the partitions' time zone)");
            return null;
        }
    }
}
