package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Agent reports: only a report for the current attempt of an active step is acted on (started, heartbeat, succeeded
 * with its outputs checked against the cap and its assets' checks, failed); everything else is rejected with a type.
 */
final class Reports {
    private final DeciderSettings settings;
    private final Steps steps;
    private final Checks checks;
    private final Cancellation cancellation;

    Reports(DeciderSettings settings, Steps steps, Checks checks, Cancellation cancellation) {
        this.settings = settings;
        this.steps = steps;
        this.checks = checks;
        this.cancellation = cancellation;
    }

    void report(Input.Report r, DecisionContext ctx) {
        RunState s = ctx.state();
        String type = reportType(r);
        if (s == null) {
            reject(ctx, r, type, Rejection.UNKNOWN_RUN, "unknown run " + r.runId());
            return;
        }
        StepState st = s.step(r.stepKey());
        if (st == null) {
            reject(ctx, r, type, Rejection.UNKNOWN_STEP, "run " + s.runId() + " has no step '" + r.stepKey() + "'");
            return;
        }
        boolean hookAfterFailure = st.hook() && s.status() == RunStatus.FAILED;
        if (s.isFinished() && !hookAfterFailure) {
            reject(ctx, r, type, s.status() == RunStatus.CANCELED ? Rejection.RUN_CANCELED : Rejection.RUN_FINISHED,
                    "run already " + s.status());
            return;
        }
        if (st.attempt() != r.attempt() || st.attemptId() == null || !st.attemptId().equals(r.attemptId())) {
            reject(ctx, r, type, Rejection.STALE_ATTEMPT,
                    "attempt " + r.attempt() + " (" + r.attemptId() + ") is not current; current is attempt " + st.attempt());
            return;
        }
        switch (r) {
            case Input.Started x -> {
                if (st.status() == StepStatus.DISPATCHED) {
                    ctx.append(st.key(), new StepStarted(x.attempt(), x.attemptId(), x.agentId(), x.host(), x.region()));
                } else {
                    reject(ctx, r, type, st.status() == StepStatus.RUNNING ? Rejection.DUPLICATE_REPORT : Rejection.INVALID_STATE,
                            "step is " + st.status() + (st.agentId() != null ? " on agent " + st.agentId() : ""));
                }
            }
            case Input.Heartbeat h -> {
                if (st.status() == StepStatus.RUNNING) {
                    ctx.append(st.key(), new StepHeartbeat(h.attempt(), h.attemptId(), h.agentId()));
                } else {
                    reject(ctx, r, type, Rejection.INVALID_STATE, "step is " + st.status());
                }
            }
            case Input.Succeeded x -> {
                if (!st.status().isActive()) {
                    reject(ctx, r, type, st.status().isTerminal() ? Rejection.DUPLICATE_REPORT : Rejection.INVALID_STATE,
                            "step is " + st.status());
                } else if (s.status() == RunStatus.CANCELING) {
                    reject(ctx, r, type, Rejection.RUN_CANCELED, "run is canceling; the result is not used");
                    ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), "run canceled (attempt had succeeded)"));
                    cancellation.finishCancelIfDone(ctx);
                } else {
                    succeeded(x, st, ctx);
                }
            }
            case Input.Failed f -> {
                if (!st.status().isActive()) {
                    reject(ctx, r, type, st.status().isTerminal() ? Rejection.DUPLICATE_REPORT : Rejection.INVALID_STATE,
                            "step is " + st.status());
                } else if (s.status() == RunStatus.CANCELING) {
                    ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), "run canceled: " + f.message()));
                    cancellation.finishCancelIfDone(ctx);
                } else {
                    steps.failed(st, f.errorClass(), f.message(), f.exitCode(), f.retryable(), f.durationMs(), ctx);
                }
            }
        }
    }

    private static String reportType(Input.Report r) {
        return switch (r) {
            case Input.Started x -> "STARTED";
            case Input.Heartbeat x -> "HEARTBEAT";
            case Input.Succeeded x -> "SUCCEEDED";
            case Input.Failed x -> "FAILED";
        };
    }

    private static void reject(DecisionContext ctx, Input.Report r, String type, Rejection rejection, String reason) {
        ctx.append(null, new ReportRejected(r.stepKey(), r.attempt(), r.attemptId(), r.agentId(), type, rejection, reason, r.eventId()));
    }

    private void succeeded(Input.Succeeded x, StepState st, DecisionContext ctx) {
        int size = 0;
        for (var e : x.outputs().entrySet()) {
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > settings.maxOutputBytes()) {
            ctx.append(st.key(), new StepFailed(st.attempt(), st.attemptId(), ErrorClass.USER_ERROR,
                    "outputs are " + size + " bytes, over the " + settings.maxOutputBytes()
                            + "-byte cap; pass large results by reference (a URI in outputRefs)",
                    null, false, true, x.durationMs()));
            steps.progress(ctx);
            return;
        }
        ctx.append(st.key(), new StepSucceeded(st.attempt(), st.attemptId(), x.outputs(), x.outputRefs(), x.durationMs(),
                checks.materializations(ctx.state(), st, x.materializations())));
        List<AssetChecks.Result> results = checks.checks(ctx.state(), st.key(), x.outputs(), x.materializations());
        ctx.checkResults(st.attemptId(), results);
        List<AssetChecks.Result> blocking = results.stream().filter(AssetChecks.Result::blocks).toList();
        if (!blocking.isEmpty()) {
            // The step ran, but what it produced failed an ERROR check: nothing downstream may use it.
            AssetChecks.Result r = blocking.getFirst();
            ctx.append(st.key(), new StepFailed(st.attempt(), st.attemptId(), ErrorClass.USER_ERROR,
                    "asset check '" + r.check() + "' (ERROR) on " + r.asset() + " " + r.outcome() + ": " + r.message()
                            + (blocking.size() > 1 ? " (and " + (blocking.size() - 1) + " more)" : ""),
                    null, false, true, x.durationMs()));
        }
        steps.progress(ctx);
    }
}
