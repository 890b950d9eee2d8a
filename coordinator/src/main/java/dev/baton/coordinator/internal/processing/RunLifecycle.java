package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import dev.baton.jobs.JobParams;
import dev.baton.jobs.Problem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The run as a whole: requests (params checked, duplicates rejected), admission, start, and the coordinator's own aborts. */
final class RunLifecycle {
    private final Steps steps;

    RunLifecycle(Steps steps) {
        this.steps = steps;
    }

    void request(Input.RequestRun r, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s != null) {
            ctx.append(null, new RunRequestRejected(Rejection.DUPLICATE_RUN,
                    r.runKey() != null ? "run key '" + r.runKey() + "' already started run " + s.runId()
                            : "run " + s.runId() + " already exists",
                    s.runId(), r.runKey(), r.eventId()));
            return;
        }
        JobDefinition def = r.definition();
        if (def == null) {
            ctx.append(null, new RunRequestRejected(Rejection.UNKNOWN_JOB, "no job named '" + r.job() + "' is registered",
                    null, r.runKey(), r.eventId()));
            return;
        }
        List<Problem> problems = JobParams.check(def, r.params());
        List<String> reasons = new ArrayList<>();
        if (!problems.isEmpty()) {
            reasons.add(JobParams.reason(problems));
        }
        String partitionProblem = RunPartitions.problem(def, r.job(), r.partition());
        if (partitionProblem != null) {
            reasons.add(partitionProblem);
        }
        if (!reasons.isEmpty()) {
            ctx.append(null, new RunRequestRejected(Rejection.INVALID_REQUEST, String.join("; ", reasons), null,
                    r.runKey(), r.eventId()));
            return;
        }
        Map<String, String> params = JobParams.withDefaults(def, r.params());
        int priority = r.priority() != null ? r.priority() : def.getPriority();
        ctx.append(null, new RunRequested(r.job(), def, r.runKey(), params, r.tags(), r.origin(), r.parentRunId(),
                r.requestedBy(), priority, r.reuse(), r.partition(), r.traceparent(), r.callChain(), r.noCache()));
        ctx.append(null, new RunQueued(priority));
        if (RunDecider.jobLimit(def) == null) {
            start(ctx);
        }
        // With a concurrency limit the run waits in QUEUED until the admission stage sends ADMIT_RUN.
    }

    void admitRun(Input.AdmitRun a, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null || s.status() != RunStatus.QUEUED) {
            ctx.append(null, new CommandRejected("AdmitRun", s == null ? Rejection.UNKNOWN_RUN : Rejection.INVALID_STATE,
                    s == null ? "unknown run" : "run is " + s.status(), a.eventId()));
            return;
        }
        start(ctx);
    }

    void start(DecisionContext ctx) {
        ctx.append(null, new RunStarted());
        RunState s = ctx.state();
        for (var e : s.reuse().entrySet()) {
            StepState st = s.step(e.getKey());
            if (st != null && !st.hook() && st.status() == StepStatus.PENDING) {
                Reused r = e.getValue();
                ctx.append(e.getKey(), new StepReused(r.fromRunId(), r.attempt(), r.outputs()));
            }
        }
        steps.progress(ctx);
    }

    /**
     * Ends a run the coordinator cannot go on with (a record it would have to write exceeds the size limit, or
     * handling one of its inputs or timers threw): active attempts are asked to stop and recorded canceled,
     * every step that has not run is skipped (failure hooks included: they could hit the same fault) and the run
     * fails with {@code reason}. A request that would create the run is rejected instead. A finished run, or a
     * duplicate request for an existing run, is left alone.
     */
    void abort(DecisionContext ctx, String reason) {
        RunState s = ctx.state();
        if (s == null) {
            if (ctx.input() instanceof Input.RequestRun r) {
                ctx.append(null, new RunRequestRejected(Rejection.INVALID_REQUEST, reason, null, r.runKey(), r.eventId()));
            }
            return;
        }
        if (s.isFinished() || ctx.input() instanceof Input.RequestRun) {
            return;
        }
        for (StepState st : List.copyOf(s.steps().values())) {
            if (st.status().isActive()) {
                if (st.forEach() == null) { // a forEach step has no attempt of its own to stop
                    ctx.append(st.key(), new StepCancelRequested(st.attempt(), st.attemptId(), reason));
                }
                ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), reason));
            } else if (!st.status().isTerminal()) {
                ctx.append(st.key(), new StepSkipped(reason));
            }
        }
        ctx.append(null, new RunFailed(reason, List.of(), Steps.duration(ctx.state(), ctx), false));
    }
}
