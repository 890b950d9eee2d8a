package dev.baton.gateway.internal.readmodel;

import dev.baton.events.CommandRejected;
import dev.baton.events.JobDefinition;
import dev.baton.events.ReportRejected;
import dev.baton.events.RunCancelRequested;
import dev.baton.events.RunCanceled;
import dev.baton.events.RunEvent;
import dev.baton.events.RunExpired;
import dev.baton.events.RunFailed;
import dev.baton.events.RunQueued;
import dev.baton.events.RunRequestRejected;
import dev.baton.events.RunRequested;
import dev.baton.events.RunRetried;
import dev.baton.events.RunStarted;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepCancelRequested;
import dev.baton.events.StepCanceled;
import dev.baton.events.StepDefinition;
import dev.baton.events.StepDispatched;
import dev.baton.events.StepFailed;
import dev.baton.events.StepHeartbeat;
import dev.baton.events.StepLost;
import dev.baton.events.StepQueued;
import dev.baton.events.StepRetryScheduled;
import dev.baton.events.StepReused;
import dev.baton.events.StepSkipped;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.events.StepTimedOut;
import dev.baton.events.UpstreamRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * Folds one {@code baton.run-events} record into a run's view. Pure: no clock, no I/O; times come from the
 * events. It mirrors the coordinator's applier for what the API shows, and tolerates what a view must
 * tolerate: events replayed after a restart (at-least-once) are recognised by their sequence and skipped.
 */
public final class RunFold {
    /** Most failed step keys kept in a run's record ({@code failedStepCount} tells the full number beyond it). */
    public static final int MAX_FAILED_STEPS = 1000;

    private RunFold() {}

    /**
     * @param view the run's view before the event (a fresh copy the fold may change), or null when none exists
     * @return the view after the event, or null when the event leaves no run behind
     */
    public static RunView apply(RunView view, RunEvent e) {
        Object p = e.getPayload();
        long at = e.getTimestamp().toEpochMilli();
        if (p instanceof RunRequested r) {
            if (view != null && !"REJECTED".equals(view.status)) {
                return view; // replayed: the run exists already
            }
            return created(e, r);
        }
        if (view == null) {
            if (p instanceof RunRequestRejected r) {
                return rejected(e, r);
            }
            return null; // a command for an unknown run: nothing to show
        }
        if (e.getSequence() <= view.lastSequence && !"REJECTED".equals(view.status)) {
            return view; // replayed after a restart
        }
        view.lastSequence = Math.max(view.lastSequence, e.getSequence());
        view.updatedAt = at;
        String stepKey = e.getStepKey();
        switch (p) {
            case RunQueued q -> view.status = "QUEUED";
            case RunStarted s -> {
                view.status = "RUNNING";
                view.startedAt = at;
            }
            case RunSucceeded s -> end(view, "SUCCEEDED", at, s.getDurationMs());
            case RunFailed f -> {
                end(view, "FAILED", at, f.getDurationMs());
                view.reason = f.getReason();
                // Bounded: the run record must stay small whatever the job's size; the steps themselves show every failure.
                view.failedSteps = new ArrayList<>(f.getFailedSteps().subList(0, Math.min(MAX_FAILED_STEPS, f.getFailedSteps().size())));
                view.failedStepCount = f.getFailedSteps().size() > MAX_FAILED_STEPS ? f.getFailedSteps().size() : null;
                view.timedOut = f.getTimedOut() ? Boolean.TRUE : null;
            }
            case RunCancelRequested c -> {
                view.status = "CANCELING";
                view.reason = c.getReason();
                view.cancelRequestedBy = c.getActor();
            }
            case RunCanceled c -> {
                end(view, "CANCELED", at, c.getDurationMs());
                if (c.getReason() != null && !c.getReason().isBlank()) {
                    view.reason = c.getReason();
                }
            }
            case RunRequestRejected r -> {
                if ("REJECTED".equals(view.status)) {
                    view.rejection = rejection(r.getRejectionType().name(), r.getReason(), r.getExistingRunId(), null, at);
                    view.reason = r.getReason();
                } else {
                    view.duplicateRequests++;
                }
            }
            case RunRetried r -> {
                if (!view.retriedAs.contains(r.getNewRunId())) {
                    view.retriedAs.add(r.getNewRunId());
                }
            }
            case RunExpired x -> { }
            case CommandRejected c -> view.lastCommandRejection =
                    rejection(c.getRejectionType().name(), c.getReason(), null, c.getCommandType(), at);
            case ReportRejected r -> { }
            case StepQueued q -> step(view, stepKey).status = "QUEUED";
            case StepDispatched d -> {
                StepView s = step(view, stepKey);
                s.status = "DISPATCHED";
                s.attempt = d.getAttempt();
                s.attemptId = d.getAttemptId();
                s.pool = d.getPool();
                s.dispatchedAt = at;
                s.agentId = null;
                s.host = null;
                s.startedAt = null;
                s.endedAt = null;
                s.lastHeartbeat = null;
                s.retryAt = null;
                s.cancelRequested = false;
            }
            case StepStarted st -> {
                StepView s = step(view, stepKey);
                s.status = "RUNNING";
                s.agentId = st.getAgentId();
                s.host = st.getHost() == null || st.getHost().isEmpty() ? null : st.getHost();
                s.startedAt = at;
                s.lastHeartbeat = at;
            }
            case StepHeartbeat h -> step(view, stepKey).lastHeartbeat = at;
            case StepSucceeded x -> {
                StepView s = step(view, stepKey);
                s.status = "SUCCEEDED";
                s.outputs = new LinkedHashMap<>(x.getOutputs());
                s.outputRefs = new LinkedHashMap<>(x.getOutputRefs());
                s.materializations = new ArrayList<>();
                for (UpstreamRef m : x.getMaterializations()) {
                    StepView.Materialization v = new StepView.Materialization();
                    v.assetKey = m.getAssetKey();
                    v.partition = m.getPartition();
                    v.materializationId = m.getMaterializationId();
                    v.dataVersion = m.getDataVersion();
                    s.materializations.add(v);
                }
                s.endedAt = at;
                s.durationMs = x.getDurationMs() > 0 ? Long.valueOf(x.getDurationMs()) : null;
                s.error = null;
                s.retryAt = null;
            }
            case StepFailed f -> {
                StepView s = step(view, stepKey);
                s.error = error(f.getErrorClass().name(), f.getMessage(), f.getExitCode(), f.getRetryable(), f.getAttempt());
                if (f.getFinal$()) {
                    s.status = "FAILED";
                    s.endedAt = at;
                }
                s.durationMs = f.getDurationMs() > 0 ? Long.valueOf(f.getDurationMs()) : s.durationMs;
            }
            case StepRetryScheduled r -> {
                StepView s = step(view, stepKey);
                s.status = "RETRY_WAIT";
                s.retryAt = r.getDueAt().toEpochMilli();
                s.cancelRequested = false;
            }
            case StepLost l -> step(view, stepKey).error = error("LOST",
                    "no heartbeat since " + l.getLastHeartbeat(), null, null, l.getAttempt());
            case StepTimedOut t -> step(view, stepKey).error = error("TIMEOUT",
                    "timed out after " + Duration.ofMillis(t.getTimeoutMs()), null, null, t.getAttempt());
            case StepCancelRequested c -> step(view, stepKey).cancelRequested = true;
            case StepCanceled c -> {
                StepView s = step(view, stepKey);
                s.status = "CANCELED";
                s.endedAt = at;
                s.retryAt = null;
            }
            case StepSkipped x -> {
                StepView s = step(view, stepKey);
                s.status = "SKIPPED";
                s.endedAt = at;
                s.skipReason = x.getReason();
            }
            case StepReused r -> {
                StepView s = step(view, stepKey);
                s.status = "SUCCEEDED";
                s.outputs = new LinkedHashMap<>(r.getOutputs());
                s.reusedFrom = r.getFromRunId();
                s.attempt = r.getAttempt();
                s.endedAt = at;
            }
            default -> { } // a payload type newer than this gateway: keep the sequence, show nothing new
        }
        return view;
    }

    private static RunView created(RunEvent e, RunRequested r) {
        RunView v = new RunView();
        v.runId = e.getRunId();
        v.job = r.getJob();
        JobDefinition def = r.getDefinition();
        v.jobVersion = def.getVersion();
        v.status = "REQUESTED";
        v.runKey = r.getRunKey();
        v.partition = r.getPartition();
        v.params = new LinkedHashMap<>(r.getParams());
        v.tags = new LinkedHashMap<>(r.getTags());
        v.origin = r.getOrigin().name();
        v.parentRunId = r.getParentRunId();
        v.requestedBy = r.getRequestedBy();
        v.priority = r.getPriority();
        v.traceId = e.getTraceId();
        v.requestedAt = e.getTimestamp().toEpochMilli();
        v.updatedAt = v.requestedAt;
        v.lastSequence = e.getSequence();
        for (StepDefinition d : def.getSteps()) {
            v.steps.put(d.getKey(), stepOf(d, false, v.steps.size()));
        }
        for (StepDefinition d : def.getOnFailure()) {
            v.steps.put(d.getKey(), stepOf(d, true, v.steps.size()));
        }
        return v;
    }

    private static RunView rejected(RunEvent e, RunRequestRejected r) {
        RunView v = new RunView();
        v.runId = e.getRunId();
        v.job = e.getJob();
        v.status = "REJECTED";
        v.runKey = r.getRunKey();
        v.traceId = e.getTraceId();
        v.requestedAt = e.getTimestamp().toEpochMilli();
        v.updatedAt = v.requestedAt;
        v.endedAt = v.requestedAt;
        v.lastSequence = e.getSequence();
        v.reason = r.getReason();
        v.rejection = rejection(r.getRejectionType().name(), r.getReason(), r.getExistingRunId(), null, v.requestedAt);
        return v;
    }

    private static StepView stepOf(StepDefinition d, boolean hook, int index) {
        StepView s = new StepView();
        s.key = d.getKey();
        s.index = index;
        s.hook = hook;
        s.pool = d.getPool();
        s.needs = new ArrayList<>(d.getNeeds());
        return s;
    }

    private static StepView step(RunView view, String key) {
        // Defensive: an event for a step the definition did not list still shows up.
        return view.steps.computeIfAbsent(key == null ? "?" : key, k -> {
            StepView s = new StepView();
            s.key = k;
            return s;
        });
    }

    private static void end(RunView v, String status, long at, long durationMs) {
        v.status = status;
        v.endedAt = at;
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

    private static StepView.Error error(String cls, String message, Integer exitCode, Boolean retryable, int attempt) {
        StepView.Error x = new StepView.Error();
        x.errorClass = cls;
        x.message = message;
        x.exitCode = exitCode;
        x.retryable = retryable;
        x.attempt = attempt;
        return x;
    }
}
