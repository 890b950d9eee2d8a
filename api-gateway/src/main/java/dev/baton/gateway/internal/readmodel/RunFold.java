package dev.baton.gateway.internal.readmodel;

import dev.baton.events.JobDefinition;
import dev.baton.events.RunEvent;
import dev.baton.events.StepDefinition;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.events.RunEventMapper;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStateApplier;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds one {@code baton.run-events} record into a run's view with the coordinator's own fold: the record is read
 * into the shared event model ({@link RunEventMapper}), and the run and the step it is about go through
 * {@link RunStateApplier}, which decides their status, attempts, times, outputs and last error exactly as the
 * coordinator's state has them. On top, the view keeps what only the API shows (pools, hosts, durations, exit codes,
 * rejections, skip reasons, who canceled). Pure: no clock, no I/O; times come from the events.
 *
 * <p>What a view must tolerate beyond the coordinator's fold: events replayed after a restart (at-least-once) are
 * recognised by their sequence and skipped; a request rejected before it became a run shows as {@link #REJECTED};
 * an event for a step the definition did not list still shows that step; a payload type newer than this gateway
 * moves the sequence and shows nothing new.
 */
public final class RunFold {
    /** Most failed step keys kept in a run's record ({@code failedStepCount} tells the full number beyond it). */
    public static final int MAX_FAILED_STEPS = 1000;
    /** The view status of a request that never became a run (the coordinator keeps no state for it). */
    public static final String REJECTED = "REJECTED";
    /** The key a step event without a step key is shown under. */
    static final String UNKNOWN_STEP = "?";

    private RunFold() {}

    /**
     * @param view the run's view before the event (a fresh copy the fold may change), or null when none exists
     * @return the view after the event, or null when the event leaves no run behind
     */
    public static RunView apply(RunView view, RunEvent record) {
        Event event = eventOf(record);
        boolean rejected = view != null && REJECTED.equals(view.status);
        if (event instanceof RunRequested) {
            if (view != null && !rejected) {
                return view; // replayed: the run exists already
            }
            return created(envelope(record, event));
        }
        if (view == null) {
            return event instanceof RunRequestRejected r ? rejected(record, r) : null; // else a command for an unknown run
        }
        if (record.getSequence() <= view.lastSequence && !rejected) {
            return view; // replayed after a restart
        }
        view.lastSequence = Math.max(view.lastSequence, record.getSequence());
        view.updatedAt = record.getTimestamp().toEpochMilli();
        if (event == null) {
            return view; // a payload type newer than this gateway: keep the sequence, show nothing new
        }
        Envelope e = envelope(record, event);
        if (rejected) {
            // No run behind it: as in the coordinator, only the request's own rejections and commands change it.
            if (event instanceof RunLevel) {
                details(view, e);
            }
            return view;
        }
        if (event instanceof StepLevel && instanceOf(view, e.stepKey()) != null) {
            return instance(view, e, instanceOf(view, e.stepKey()));
        }
        StepView step = event instanceof StepLevel ? step(view, e.stepKey()) : null;
        RunState after = RunStateApplier.apply(core(view, step), e);
        copy(after, view);
        if (step != null) {
            copy(after.step(step.key), step);
        }
        details(view, e);
        return view;
    }

    /** The mapped step an instance key belongs to, when the view has it as a forEach step. */
    private static StepView instanceOf(RunView view, String key) {
        String parent = dev.baton.runmodel.state.StepInstances.parent(key);
        StepView p = parent == null ? null : view.steps.get(parent);
        return p != null && p.forEach != null ? p : null;
    }

    /** An instance's event: through the same fold, with its mapped step; it shows under the step while in flight. */
    private static RunView instance(RunView view, Envelope e, StepView parent) {
        StepView inst = parent.forEach.running.get(e.stepKey());
        Map<String, StepState> steps = new LinkedHashMap<>();
        steps.put(parent.key, core(parent));
        if (inst != null) {
            steps.put(inst.key, core(inst));
        }
        RunState after = RunStateApplier.apply(core(view, null).withStepsForView(steps), e);
        copy(after, view);
        copy(after.step(parent.key), parent);
        StepState is = after.step(e.stepKey());
        if (is == null) {
            parent.forEach.running.remove(e.stepKey());
        } else {
            if (inst == null) {
                inst = new StepView();
                inst.key = e.stepKey();
                inst.pool = parent.pool;
                parent.forEach.running.put(inst.key, inst);
            }
            copy(is, inst);
            if (e.event() instanceof StepDispatched d) {
                inst.pool = d.pool();
            }
        }
        return view;
    }

    private static Event eventOf(RunEvent record) {
        try {
            return RunEventMapper.event(record.getPayload());
        } catch (IllegalArgumentException newer) {
            return null;
        }
    }

    private static Envelope envelope(RunEvent r, Event event) {
        String stepKey = event instanceof StepLevel && r.getStepKey() == null ? UNKNOWN_STEP : r.getStepKey();
        return new Envelope(r.getEventId(), r.getRunId(), r.getTimestamp(), r.getTraceId(), r.getJob(), r.getSequence(),
                stepKey, event);
    }

    // ---- the shared fold's state, from and back to the view ----

    /**
     * The run's state as the coordinator's fold sees it, from the view: the run and the one step the event is about
     * (the fold changes no other). What the fold carries but the view does not keep (the definition, the reuse plan,
     * the cancel reason and deadline, the failure reason, a step's upstream) stays empty: the fold only carries it
     * along. The view's own {@code reason} says why the run failed, was canceled or rejected.
     */
    private static RunState core(RunView v, StepView step) {
        Map<String, StepState> steps = step == null ? Map.of() : Map.of(step.key, core(step));
        return new RunState(v.runId, v.job, null, RunStatus.valueOf(v.status), v.runKey, orEmpty(v.params), orEmpty(v.tags),
                v.origin == null ? Origin.UNKNOWN : Origin.valueOf(v.origin), v.parentRunId, v.requestedBy,
                v.priority == null ? 0 : v.priority, v.traceId, Instant.ofEpochMilli(v.requestedAt), instant(v.startedAt),
                instant(v.endedAt), v.lastSequence, steps, Map.of(), null, null, null, Boolean.TRUE.equals(v.timedOut),
                v.retriedAs == null ? List.of() : List.copyOf(v.retriedAs), v.partition);
    }

    private static StepState core(StepView s) {
        List<Materialized> mats = new ArrayList<>();
        for (StepView.Materialization m : s.materializations) {
            mats.add(new Materialized(m.assetKey, m.partition, m.materializationId, m.dataVersion));
        }
        return new StepState(s.key, s.hook, StepStatus.valueOf(s.status), s.attempt, s.attemptId, s.agentId,
                instant(s.dispatchedAt), instant(s.startedAt), instant(s.lastHeartbeat), instant(s.endedAt), orEmpty(s.outputs),
                orEmpty(s.outputRefs), mats, s.error == null ? null : ErrorClass.valueOf(s.error.errorClass),
                s.error == null ? null : s.error.message, s.cancelRequested, instant(s.retryAt), s.reusedFrom, List.of(), 0,
                s.childRunId,
                s.forEach == null ? null : new dev.baton.runmodel.state.ForEachProgress(s.forEach.count,
                        s.forEach.maxParallel, s.forEach.started, s.forEach.succeeded, s.forEach.failed, s.forEach.canceled));
    }

    private static void copy(RunState s, RunView v) {
        v.status = s.status().name();
        v.startedAt = millis(s.startedAt());
        v.endedAt = millis(s.endedAt());
        v.lastSequence = s.sequence();
        v.timedOut = s.timedOut() ? Boolean.TRUE : null;
        v.retriedAs = new ArrayList<>(s.retriedAs());
    }

    private static void copy(StepState s, StepView v) {
        v.status = s.status().name();
        v.attempt = s.attempt();
        v.attemptId = s.attemptId();
        v.agentId = s.agentId();
        v.dispatchedAt = millis(s.dispatchedAt());
        v.startedAt = millis(s.startedAt());
        v.lastHeartbeat = millis(s.lastHeartbeat());
        v.endedAt = millis(s.endedAt());
        v.retryAt = millis(s.retryDueAt());
        v.outputs = new TreeMap<>(s.outputs());
        v.outputRefs = new TreeMap<>(s.outputRefs());
        v.materializations = new ArrayList<>();
        for (Materialized m : s.materializations()) {
            StepView.Materialization x = new StepView.Materialization();
            x.assetKey = m.assetKey();
            x.partition = m.partition();
            x.materializationId = m.id();
            x.dataVersion = m.dataVersion();
            v.materializations.add(x);
        }
        v.cancelRequested = s.cancelRequested();
        v.reusedFrom = s.reusedFrom();
        v.childRunId = s.childRunId();
        if (s.forEach() != null) {
            v.forEach = v.forEach == null ? new StepView.ForEach() : v.forEach;
            v.forEach.count = s.forEach().count();
            v.forEach.maxParallel = s.forEach().maxParallel();
            v.forEach.started = s.forEach().started();
            v.forEach.succeeded = s.forEach().succeeded();
            v.forEach.failed = s.forEach().failed();
            v.forEach.canceled = s.forEach().canceled();
        }
        if (s.lastError() == null) {
            v.error = null;
        } else {
            v.error = v.error == null ? new StepView.Error() : v.error;
            v.error.errorClass = s.lastError().name();
            v.error.message = s.lastMessage();
        }
    }

    // ---- what only the view shows ----

    private static void details(RunView view, Envelope e) {
        long at = e.timestamp().toEpochMilli();
        switch (e.event()) {
            case RunRequested r -> { }
            case RunQueued q -> { }
            case RunStarted s -> { }
            case RunSucceeded s -> duration(view, at, s.durationMs());
            case RunFailed f -> {
                duration(view, at, f.durationMs());
                view.reason = f.reason();
                // Bounded: the run record must stay small whatever the job's size; the steps themselves show every failure.
                view.failedSteps = new ArrayList<>(f.failedSteps().subList(0, Math.min(MAX_FAILED_STEPS, f.failedSteps().size())));
                view.failedStepCount = f.failedSteps().size() > MAX_FAILED_STEPS ? f.failedSteps().size() : null;
            }
            case RunCancelRequested c -> {
                view.reason = c.reason();
                view.cancelRequestedBy = c.actor();
            }
            case RunCanceled c -> {
                duration(view, at, c.durationMs());
                if (c.reason() != null && !c.reason().isBlank()) {
                    view.reason = c.reason();
                }
            }
            case RunRequestRejected r -> {
                if (REJECTED.equals(view.status)) {
                    view.rejection = rejection(r.rejection().name(), r.reason(), r.existingRunId(), null, at);
                    view.reason = r.reason();
                } else {
                    view.duplicateRequests++;
                }
            }
            case RunRetried r -> { }
            case RunExpired x -> { }
            case CommandRejected c -> view.lastCommandRejection =
                    rejection(c.rejection().name(), c.reason(), null, c.commandType(), at);
            case ReportRejected r -> { }
            case StepQueued q -> { }
            case StepDispatched d -> {
                StepView s = view.steps.get(e.stepKey());
                s.pool = d.pool();
                s.host = null;
            }
            case StepStarted st -> view.steps.get(e.stepKey()).host = st.host() == null || st.host().isEmpty() ? null : st.host();
            case StepHeartbeat h -> { }
            case StepSucceeded x -> view.steps.get(e.stepKey()).durationMs = x.durationMs() > 0 ? Long.valueOf(x.durationMs()) : null;
            case StepFailed f -> {
                StepView s = view.steps.get(e.stepKey());
                errorDetails(s, f.exitCode(), f.retryable(), f.attempt());
                s.durationMs = f.durationMs() > 0 ? Long.valueOf(f.durationMs()) : s.durationMs;
            }
            case StepRetryScheduled r -> { }
            case StepLost l -> errorDetails(view.steps.get(e.stepKey()), null, null, l.attempt());
            case StepTimedOut t -> errorDetails(view.steps.get(e.stepKey()), null, null, t.attempt());
            case StepCancelRequested c -> { }
            case StepCanceled c -> { }
            case StepSkipped x -> view.steps.get(e.stepKey()).skipReason = x.reason();
            case StepReused r -> { }
            case StepSubJobStarted x -> view.steps.get(e.stepKey()).host = null;
            case StepCacheLookup x -> { }
            case StepCacheHit x -> { }
            case StepCacheMiss x -> { }
            case StepMapped m -> { }
        }
    }

    private static RunView created(Envelope e) {
        RunState s = RunStateApplier.apply(null, e);
        JobDefinition def = s.definition();
        RunView v = new RunView();
        v.runId = s.runId();
        v.job = s.job();
        v.jobVersion = def.getVersion();
        v.runKey = s.runKey();
        v.partition = s.partition();
        v.params = new TreeMap<>(s.params());
        v.tags = new TreeMap<>(s.tags());
        v.origin = s.origin().name();
        v.parentRunId = s.parentRunId();
        v.requestedBy = s.requestedBy();
        v.priority = s.priority();
        v.traceId = s.traceId();
        v.requestedAt = s.requestedAt().toEpochMilli();
        v.updatedAt = v.requestedAt;
        copy(s, v);
        List<StepDefinition> defined = new ArrayList<>(def.getSteps());
        defined.addAll(def.getOnFailure());
        for (StepDefinition d : defined) {
            StepView sv = new StepView();
            sv.key = d.getKey();
            sv.index = v.steps.size();
            sv.hook = s.step(d.getKey()).hook();
            sv.pool = d.getPool();
            sv.needs = new ArrayList<>(d.getNeeds());
            copy(s.step(d.getKey()), sv);
            v.steps.put(sv.key, sv);
        }
        return v;
    }

    private static RunView rejected(RunEvent e, RunRequestRejected r) {
        RunView v = new RunView();
        v.runId = e.getRunId();
        v.job = e.getJob();
        v.status = REJECTED;
        v.runKey = r.runKey();
        v.traceId = e.getTraceId();
        v.requestedAt = e.getTimestamp().toEpochMilli();
        v.updatedAt = v.requestedAt;
        v.endedAt = v.requestedAt;
        v.lastSequence = e.getSequence();
        v.reason = r.reason();
        v.rejection = rejection(r.rejection().name(), r.reason(), r.existingRunId(), null, v.requestedAt);
        return v;
    }

    private static StepView step(RunView view, String key) {
        // Defensive: an event for a step the definition did not list still shows up.
        return view.steps.computeIfAbsent(key, k -> {
            StepView s = new StepView();
            s.key = k;
            return s;
        });
    }

    private static void duration(RunView v, long at, long durationMs) {
        v.durationMs = durationMs > 0 ? durationMs : (v.startedAt != null ? at - v.startedAt : at - v.requestedAt);
    }

    private static RunView.Rejection rejection(String type, String reason, String existing, String command, long at) {
        RunView.Rejection r = new RunView.Rejection();
        r.type = type;
        r.reason = reason;
        r.existingRunId = existing;
        r.command = command;
        r.at = at;
        return r;
    }

    /** The details of the error the fold has just set: the report's exit code and retryability, and its attempt. */
    private static void errorDetails(StepView s, Integer exitCode, Boolean retryable, int attempt) {
        s.error.exitCode = exitCode;
        s.error.retryable = retryable;
        s.error.attempt = attempt;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }
}
