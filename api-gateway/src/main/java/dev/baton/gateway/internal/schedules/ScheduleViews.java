package dev.baton.gateway.internal.schedules;

import dev.baton.events.JobDefinition;
import dev.baton.events.ScheduleSpec;
import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.ScheduleTimes;
import dev.baton.scheduler.api.SchedulerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the API shows of one schedule: its timing from the job's latest definition, next fire times computed with
 * {@link ScheduleTimes} (the scheduler's own calculator), and pause state and last ticks from the scheduler's
 * published {@link ScheduleStatus}. Pure: everything it needs is passed in.
 */
public final class ScheduleViews {
    /** Fire times shown by default, and at most. */
    public static final int DEFAULT_NEXT = 5;
    public static final int MAX_NEXT = 100;

    private ScheduleViews() {}

    /**
     * @param status    the scheduler's published status; null until the scheduler has seen the schedule
     * @param desired   the latest pause/resume command on the control topic; null when none is in force
     * @param runStatus the API status of a run by id (from the read model), or null when the run is not known there
     */
    public static Map<String, Object> view(JobDefinition job, ScheduleSpec spec, ScheduleStatus status,
                                           SchedulerControl.Command desired, Instant now, int next,
                                           Function<String, String> runStatus) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job.getName());
        m.put("schedule", spec.getName());
        m.put("jobVersion", job.getVersion());
        if (spec.getCron() != null) {
            m.put("cron", spec.getCron());
        } else {
            m.put("every", Duration.ofMillis(spec.getIntervalMs()).toString());
            m.put("intervalMs", spec.getIntervalMs());
        }
        m.put("timezone", spec.getTimezone());
        if (spec.getStartAt() != null) {
            m.put("start", spec.getStartAt().toString());
        }
        if (spec.getEndAt() != null) {
            m.put("end", spec.getEndAt().toString());
        }
        m.put("catchUp", spec.getCatchUp().name());
        m.put("catchUpWindowMs", spec.getCatchUpWindowMs());
        m.put("overlap", spec.getOverlap().name());

        // As the engine decides (TickDecider.paused): the applied runtime override, else the job file as it is now.
        Boolean override = status == null ? null : status.pauseOverride();
        boolean paused = override != null ? override : spec.getPaused();
        m.put("paused", paused);
        if (paused) {
            m.put("pausedBy", override != null ? "runtime" : "file");
        }
        m.put("pausedInFile", spec.getPaused());
        m.put("pauseOverride", override);
        if (override != null) {
            putIfNotNull(m, "pauseActor", status.pauseActor());
            putIfNotNull(m, "pauseReason", status.pauseReason());
        }
        Boolean wanted = desired == null ? null : desired.paused();
        if (!Objects.equals(wanted, override)) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("paused", wanted != null ? wanted : spec.getPaused());
            p.put("pauseOverride", wanted);
            if (desired != null) {
                putIfNotNull(p, "actor", desired.actor());
                putIfNotNull(p, "reason", desired.reason());
                putIfNotNull(p, "requestedAt", desired.at());
            }
            m.put("pendingChange", p);
        }

        Instant from = now;
        if (status != null && status.cursor() != null && Instant.parse(status.cursor()).isAfter(now)) {
            from = Instant.parse(status.cursor()); // as the scheduler counts: no tick at or before its cursor runs
        }
        try {
            m.put("nextFireTimes", ScheduleTimes.of(spec).next(from, next).stream().map(Instant::toString).toList());
        } catch (IllegalArgumentException e) {
            m.put("nextFireTimes", List.of());
            m.put("timingError", e.getMessage());
        }

        m.put("seenByScheduler", status != null);
        List<Map<String, Object>> ticks = new ArrayList<>();
        if (status != null) {
            List<ScheduleStatus.Tick> last = status.lastTicks() == null ? List.of() : status.lastTicks();
            for (int i = last.size() - 1; i >= 0; i--) {
                ticks.add(tick(last.get(i), runStatus));
            }
            putIfNotNull(m, "cursor", status.cursor());
            m.put("activeRuns", status.activeRuns() == null ? List.of() : status.activeRuns());
            m.put("queuedTicks", status.queuedTicks() == null ? List.of() : status.queuedTicks());
            putIfNotNull(m, "statusUpdatedAt", status.updatedAt());
        }
        m.put("lastTicks", ticks);
        return m;
    }

    private static Map<String, Object> tick(ScheduleStatus.Tick t, Function<String, String> runStatus) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tick", t.tick());
        m.put("outcome", t.outcome());
        if (t.runId() != null) {
            m.put("runId", t.runId());
            // The read model's view is current for every run; the scheduler only learns the end of runs it follows.
            String s = runStatus.apply(t.runId());
            putIfNotNull(m, "runStatus", s != null ? s : t.runStatus());
        }
        putIfNotNull(m, "detail", t.detail());
        putIfNotNull(m, "decidedAt", t.decidedAt());
        return m;
    }

    /** The body of a 202 to pause or resume: the desired state just written. */
    public static Map<String, Object> desired(String job, ScheduleSpec spec, Boolean override, String actor, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job);
        m.put("schedule", spec.getName());
        m.put("paused", override != null ? override : spec.getPaused());
        m.put("pausedInFile", spec.getPaused());
        m.put("pauseOverride", override);
        putIfNotNull(m, "actor", actor);
        putIfNotNull(m, "reason", reason);
        return m;
    }

    private static void putIfNotNull(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
