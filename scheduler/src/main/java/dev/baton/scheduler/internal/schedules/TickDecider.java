package dev.baton.scheduler.internal.schedules;

import dev.baton.events.CatchUpPolicy;
import dev.baton.events.JobDefinition;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.ScheduleSpec;
import dev.baton.jobs.JobParams;
import dev.baton.jobs.Problem;
import dev.baton.jobs.ScheduleTick;
import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.Templates;
import dev.baton.scheduler.api.ScheduleTimes;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.CancelRequested;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.Initialized;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.PausedTicksPassed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickFailed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickQueued;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickRequested;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickSkipped;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TicksMissed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TimingChanged;
import dev.baton.scheduler.internal.schedules.ScheduleState.ActiveRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what happens to a schedule at one punctuation: which ticks are due, which of them run under the catch-up
 * and overlap policies, which previous runs to cancel. Pure: time is the punctuation's {@code nowMs}, run ids come
 * from the run key ({@code schedule:<job>/<schedule>@<tick>}), params from the tick.
 *
 * <p>A tick is <em>on time</em> when it is at most {@code misfireGraceMs} old at the punctuation; older due ticks
 * are <em>missed</em> (the scheduler was down, or the schedule's task was moving between instances) and the catch-up
 * policy decides: ALL runs every missed tick inside the catch-up window, LATEST only the newest one (and none when an
 * on-time tick is due as well), NONE none. Ticks older than the catch-up window never run.
 */
public final class TickDecider {

    /**
     * @param misfireGraceMs   how late a tick may be and still count as on time
     * @param maxTicksPerRound bound on the ticks one schedule runs in one punctuation (catch-up ALL continues in the next)
     * @param maxQueued        bound on ticks held by the QUEUE policy; more are SKIPPED
     */
    public record Settings(long misfireGraceMs, int maxTicksPerRound, int maxQueued) {}

    /** Bound on the ticks walked to find or count missed ticks (per-second schedules after a long outage). */
    private static final int MAX_WALK = 1_000_000;

    private final Settings settings;
    private final ScheduleStateApplier applier;

    public TickDecider(Settings settings, ScheduleStateApplier applier) {
        this.settings = settings;
        this.applier = applier;
    }

    /** The fingerprint of what decides tick times; when it changes, past ticks of the old timing are not run. */
    public static String timing(ScheduleSpec spec) {
        return spec.getCron() + "|" + spec.getIntervalMs() + "|" + spec.getTimezone() + "|"
                + (spec.getStartAt() == null ? "" : spec.getStartAt().toEpochMilli());
    }

    /** The effective pause: a runtime override when there is one, else the spec. */
    public static boolean paused(ScheduleSpec spec, ScheduleState state) {
        return state.pauseOverride() != null ? state.pauseOverride() : spec.getPaused();
    }

    public List<ScheduleEvent> decide(String job, ScheduleSpec spec, ScheduleTimes times, ScheduleState state, long nowMs) {
        return decide(job, null, spec, times, state, nowMs);
    }

    /**
     * Like {@link #decide(String, ScheduleSpec, ScheduleTimes, ScheduleState, long)}, and a tick whose params fail the
     * job's declarations ({@link JobParams#check}: type, values, pattern, maxLength, unknown, missing) fails with
     * the reason naming the param instead of requesting a run.
     */
    public List<ScheduleEvent> decide(JobDefinition def, ScheduleSpec spec, ScheduleTimes times, ScheduleState state, long nowMs) {
        return decide(def.getName(), def, spec, times, state, nowMs);
    }

    private List<ScheduleEvent> decide(String job, JobDefinition def, ScheduleSpec spec, ScheduleTimes times,
                                       ScheduleState state, long nowMs) {
        Round r = new Round(job, spec, times, state, nowMs);
        r.def = def;
        String timing = timing(spec);
        if (!state.started()) {
            r.emit(new Initialized(nowMs, timing));
            return r.events;
        }
        if (!Objects.equals(timing, state.timing())) {
            r.emit(new TimingChanged(Math.max(state.cursorMs(), nowMs), timing));
        }
        Instant now = Instant.ofEpochMilli(nowMs);
        if (paused(spec, state)) {
            if (r.next().filter(t -> !t.isAfter(now)).isPresent()) {
                r.emit(new PausedTicksPassed(nowMs));
            }
            return r.events;
        }
        // A previous run ended: the oldest queued tick goes first, before anything newer.
        if (r.state.active().isEmpty() && !r.state.queued().isEmpty()) {
            r.run(Instant.ofEpochMilli(r.state.queued().get(0)), true, "held by overlap QUEUE until the previous run ended");
        }
        long graceStart = nowMs - settings.misfireGraceMs();
        long windowStart = Math.min(nowMs - Math.max(0, spec.getCatchUpWindowMs()), graceStart);
        Optional<Instant> first = r.next();
        if (first.isEmpty() || first.get().isAfter(now)) {
            return r.events;
        }
        if (first.get().toEpochMilli() < windowStart) {
            r.emit(new TicksMissed(first.get().toEpochMilli(), windowStart - 1, -1,
                    "older than the catch-up window (" + Duration.ofMillis(spec.getCatchUpWindowMs()) + ")", nowMs));
            first = r.next();
        }
        if (first.isPresent() && first.get().toEpochMilli() < graceStart) {
            if (!catchUp(r, spec.getCatchUp(), first.get(), graceStart, now)) {
                return r.events; // catch-up continues in the next punctuation
            }
        }
        int n = 0;
        for (Optional<Instant> t = r.next(); t.isPresent() && !t.get().isAfter(now) && n < settings.maxTicksPerRound();
             t = r.next(), n++) {
            r.run(t.get(), false, null);
        }
        return r.events;
    }

    /** Handles the missed ticks in (cursor, graceStart); false when ALL has more than one round of them. */
    private boolean catchUp(Round r, CatchUpPolicy policy, Instant first, long graceStart, Instant now) {
        String reason = "catch-up policy " + policy;
        switch (policy) {
            case ALL -> {
                int n = 0;
                for (Optional<Instant> t = r.next(); t.isPresent() && t.get().toEpochMilli() < graceStart; t = r.next()) {
                    if (n++ == settings.maxTicksPerRound()) {
                        return false;
                    }
                    r.run(t.get(), false, "late by " + Duration.ofMillis(r.nowMs - t.get().toEpochMilli()) + " (catch-up ALL)");
                }
                return true;
            }
            case LATEST -> {
                Instant latest = first;
                long count = 1;
                for (Optional<Instant> t = r.times.next(first); t.isPresent() && t.get().toEpochMilli() < graceStart
                        && count < MAX_WALK; t = r.times.next(t.get())) {
                    latest = t.get();
                    count++;
                }
                boolean onTimeDue = r.times.next(latest).filter(t -> !t.isAfter(now)).isPresent();
                if (onTimeDue) {
                    r.emit(new TicksMissed(first.toEpochMilli(), graceStart - 1, count, reason + ": a newer tick is on time", r.nowMs));
                    return true;
                }
                if (count > 1) {
                    r.emit(new TicksMissed(first.toEpochMilli(), latest.toEpochMilli() - 1, count - 1,
                            reason + " runs only the latest missed tick", r.nowMs));
                }
                r.run(latest, false, "late by " + Duration.ofMillis(r.nowMs - latest.toEpochMilli()) + " (catch-up LATEST)");
                return true;
            }
            default -> {
                long count = 0;
                for (Optional<Instant> t = Optional.of(first); t.isPresent() && t.get().toEpochMilli() < graceStart
                        && count < MAX_WALK; t = r.times.next(t.get())) {
                    count++;
                }
                r.emit(new TicksMissed(first.toEpochMilli(), graceStart - 1, count < MAX_WALK ? count : -1, reason, r.nowMs));
                return true;
            }
        }
    }

    /** One decision in progress: the events so far, and the state they lead to. */
    private final class Round {
        final String job;
        /** For the params check; null when the caller has only the name. */
        JobDefinition def;
        final ScheduleSpec spec;
        final ScheduleTimes times;
        final long nowMs;
        final List<ScheduleEvent> events = new ArrayList<>();
        ScheduleState state;

        Round(String job, ScheduleSpec spec, ScheduleTimes times, ScheduleState state, long nowMs) {
            this.job = job;
            this.spec = spec;
            this.times = times;
            this.state = state;
            this.nowMs = nowMs;
        }

        void emit(ScheduleEvent e) {
            events.add(e);
            state = applier.apply(state, e);
        }

        Optional<Instant> next() {
            return times.next(Instant.ofEpochMilli(state.cursorMs()));
        }

        void run(Instant tick, boolean fromQueue, String detail) {
            long tickMs = tick.toEpochMilli();
            Map<String, String> params;
            try {
                params = Templates.resolveValues(spec.getParams(), TemplateContext.builder()
                        .schedule(new ScheduleTick(spec.getName(), tick, times.zone())).build());
            } catch (RuntimeException e) {
                emit(new TickFailed(tickMs, fromQueue, "schedule params: " + e.getMessage(), nowMs));
                return;
            }
            if (def != null) {
                List<Problem> problems = JobParams.check(def, params);
                if (!problems.isEmpty()) {
                    emit(new TickFailed(tickMs, fromQueue, "schedule params: " + JobParams.reason(problems), nowMs));
                    return;
                }
            }
            String runId = ScheduleIds.runId(job, spec.getName(), tick);
            OverlapPolicy overlap = spec.getOverlap();
            List<ActiveRun> active = state.active();
            switch (overlap) {
                case ALLOW -> emit(new TickRequested(tickMs, runId, params, fromQueue, false, detail, nowMs));
                case SKIP -> {
                    if (!active.isEmpty()) {
                        emit(new TickSkipped(tickMs, active.get(0).runId(), "overlap SKIP: run " + active.get(0).runId()
                                + " of tick " + Instant.ofEpochMilli(active.get(0).tickMs()) + " is still running", nowMs));
                    } else {
                        emit(new TickRequested(tickMs, runId, params, fromQueue, true, detail, nowMs));
                    }
                }
                case QUEUE -> {
                    if (!fromQueue && (!active.isEmpty() || !state.queued().isEmpty())) {
                        String blocking = active.isEmpty() ? null : active.get(0).runId();
                        if (state.queued().size() >= settings.maxQueued()) {
                            emit(new TickSkipped(tickMs, blocking, "overlap QUEUE: " + state.queued().size()
                                    + " ticks already queued (scheduler.max.queued.ticks)", nowMs));
                        } else {
                            emit(new TickQueued(tickMs, blocking, nowMs));
                        }
                    } else {
                        emit(new TickRequested(tickMs, runId, params, fromQueue, true, detail, nowMs));
                    }
                }
                case CANCEL_OTHER -> {
                    List<String> canceled = new ArrayList<>();
                    for (ActiveRun a : active) {
                        if (!a.cancelRequested()) {
                            emit(new CancelRequested(a.runId(), "overlap CANCEL_OTHER: tick " + tick + " of schedule "
                                    + ScheduleIds.of(job, spec.getName()) + " replaces it", nowMs));
                            canceled.add(a.runId());
                        }
                    }
                    String d = canceled.isEmpty() ? detail : "canceled previous run " + String.join(", ", canceled)
                            + (detail == null ? "" : "; " + detail);
                    emit(new TickRequested(tickMs, runId, params, fromQueue, true, d, nowMs));
                }
            }
        }
    }
}
