package dev.baton.jobs.internal;

import dev.baton.events.CatchUpPolicy;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.ScheduleSpec;
import dev.baton.jobs.CronExpressions;
import dev.baton.jobs.Durations;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.ParamSource;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The job's {@code schedule} or {@code schedules}: cron or interval, time zone, window, catch-up, overlap, params. */
final class ScheduleReader extends ValueReader {
    static final long MIN_INTERVAL_MS = 1_000;
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    private final ParamReader paramReader;

    ScheduleReader(Problems problems, ParsedJob parsed, ParamReader params) {
        super(problems, parsed);
        this.paramReader = params;
    }

    List<ScheduleSpec> read(MapNode job) {
        List<ScheduleSpec> schedules = new ArrayList<>();
        Node single = job.get("schedule");
        Node many = job.get("schedules");
        if (single != null && !isNull(single) && many != null && !isNull(many)) {
            problems.add("schedule", "use either schedule or schedules, not both");
        }
        if (single != null && !isNull(single)) {
            ScheduleSpec spec = schedule(single, "schedule");
            if (spec != null) {
                schedules.add(spec);
            }
        }
        List<Node> items = list(many, "schedules");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                ScheduleSpec spec = schedule(items.get(i), Paths.index("schedules", i));
                if (spec != null) {
                    schedules.add(spec);
                }
            }
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < schedules.size(); i++) {
            String p = single != null && !isNull(single) ? (i == 0 ? "schedule" : Paths.index("schedules", i - 1))
                    : Paths.index("schedules", i);
            String first = seen.putIfAbsent(schedules.get(i).getName(), p);
            if (first != null) {
                problems.add(Paths.key(p, "name"), "duplicate schedule name '" + schedules.get(i).getName()
                        + "' (also at " + first + "); give each schedule its own name");
            }
        }
        return schedules;
    }

    private ScheduleSpec schedule(Node node, String path) {
        ScheduleSpec.Builder spec = ScheduleSpec.newBuilder()
                .setName(JobDefaults.SCHEDULE_NAME)
                .setCron(null)
                .setIntervalMs(null)
                .setTimezone(JobDefaults.TIMEZONE)
                .setStartAt(null)
                .setEndAt(null)
                .setCatchUp(CatchUpPolicy.LATEST)
                .setCatchUpWindowMs(JobDefaults.CATCH_UP_WINDOW_MS)
                .setOverlap(OverlapPolicy.ALLOW)
                .setParams(new LinkedHashMap<>())
                .setPaused(false);
        if (node instanceof ScalarNode s && !s.isNull()) {
            cron(s.text(), path); // schedule: "30 2 * * *"
            parsed.paramSources.add(new ParamSource(path, "schedule '" + JobDefaults.SCHEDULE_NAME + "'", List.of(), true));
            return spec.setCron(s.text().strip()).build();
        }
        MapNode m = object(node, path, "an object {name, cron | every, timezone, ...} or a cron expression");
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.SCHEDULE);
        String name = string(m.get("name"), Paths.key(path, "name"));
        if (name != null) {
            checkPattern(name, Names.NAME, Paths.key(path, "name"), "schedule name",
                    "letters, digits, '_', '.', '-', at most 100 characters");
            spec.setName(name);
        }
        String cron = string(m.get("cron"), Paths.key(path, "cron"));
        Long every = duration(m.get("every"), Paths.key(path, "every"), false);
        boolean hasCron = m.has("cron") && !isNull(m.get("cron"));
        boolean hasEvery = m.has("every") && !isNull(m.get("every"));
        if (hasCron && hasEvery) {
            problems.add(path, "a schedule has either cron or every, not both");
        } else if (!hasCron && !hasEvery) {
            problems.add(path, "a schedule needs cron or every");
        }
        if (cron != null) {
            cron(cron, Paths.key(path, "cron"));
            spec.setCron(cron.strip());
        }
        if (every != null) {
            if (every < MIN_INTERVAL_MS) {
                problems.add(Paths.key(path, "every"), "must be at least 1s (got " + Durations.format(every) + ")");
            }
            spec.setIntervalMs(every);
        }
        ZoneId zone = ZoneOffset.UTC;
        String tz = string(m.get("timezone"), Paths.key(path, "timezone"));
        if (tz != null) {
            if (ZONES.contains(tz)) {
                zone = ZoneId.of(tz);
                spec.setTimezone(tz);
            } else {
                problems.add(Paths.key(path, "timezone"), "'" + tz + "' is not an IANA time zone (e.g. Europe/Berlin, UTC)"
                        + Suggest.hint(tz, ZONES));
            }
        }
        Instant start = instant(m.get("start"), Paths.key(path, "start"), zone);
        Instant end = instant(m.get("end"), Paths.key(path, "end"), zone);
        spec.setStartAt(start).setEndAt(end);
        if (start != null && end != null && !start.isBefore(end)) {
            problems.add(Paths.key(path, "end"), "must be after start (" + start + ")");
        }
        Node cu = m.get("catchUp");
        String cp = Paths.key(path, "catchUp");
        if (cu instanceof MapNode cm) {
            keys(cm, cp, Keys.CATCH_UP);
            spec.setCatchUp(enumValue(cm.get("policy"), Paths.key(cp, "policy"), CatchUpPolicy.class, CatchUpPolicy.LATEST));
            Long window = duration(cm.get("window"), Paths.key(cp, "window"), false);
            if (window != null) {
                spec.setCatchUpWindowMs(window);
            }
        } else if (cu != null) {
            spec.setCatchUp(enumValue(cu, cp, CatchUpPolicy.class, CatchUpPolicy.LATEST));
        }
        spec.setOverlap(enumValue(m.get("overlap"), Paths.key(path, "overlap"), OverlapPolicy.class, OverlapPolicy.ALLOW));
        spec.setParams(paramReader.values(m.get("params"), Paths.key(path, "params"), Scope.SCHEDULE, null,
                "schedule '" + spec.getName() + "'"));
        Boolean paused = bool(m.get("paused"), Paths.key(path, "paused"));
        spec.setPaused(Boolean.TRUE.equals(paused));
        return spec.build();
    }

    private void cron(String expression, String path) {
        try {
            CronExpressions.parse(expression);
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
        }
    }

    private Instant instant(Node node, String path, ZoneId zone) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        String s = text.strip();
        try {
            return OffsetDateTime.parse(s).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        } catch (DateTimeParseException ignored) {
            // fall through to the zone-local forms
        }
        try {
            return LocalDateTime.parse(s).atZone(zone).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        } catch (DateTimeParseException ignored) {
            // fall through
        }
        try {
            return LocalDate.parse(s).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(path, "'" + s + "' is not a date or time; use 2026-01-01, 2026-01-01T02:00 (in the schedule's"
                    + " time zone) or 2026-01-01T02:00:00Z");
            return null;
        }
    }
}
