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

/** Cancellation: stops new dispatches, asks active attempts to stop, and ends the run canceled when they have. */
final class Cancellation {
    private final DeciderSettings settings;

    Cancellation(DeciderSettings settings) {
        this.settings = settings;
    }

    void cancel(Input.CancelRun c, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null) {
            ctx.append(null, new CommandRejected("CancelRun", Rejection.UNKNOWN_RUN, "unknown run", c.eventId()));
            return;
        }
        if (s.isFinished()) {
            ctx.append(null, new CommandRejected("CancelRun", Rejection.RUN_FINISHED, "run already " + s.status(), c.eventId()));
            return;
        }
        if (s.status() == RunStatus.CANCELING) {
            ctx.append(null, new CommandRejected("CancelRun", Rejection.INVALID_STATE, "run is already canceling", c.eventId()));
            return;
        }
        String reason = c.reason() == null || c.reason().isBlank() ? "canceled" : c.reason();
        long grace = c.graceMs() > 0 ? c.graceMs() : settings.defaultCancelGrace().toMillis();
        ctx.append(null, new RunCancelRequested(reason, c.actor(), ctx.now().plusMillis(grace)));
        for (StepState st : List.copyOf(ctx.state().steps().values())) {
            if (st.forEach() != null && !st.status().isTerminal()) {
                continue; // a forEach step has no attempt of its own: its instances are canceled, then it is
            } else if (st.status().isActive()) {
                ctx.append(st.key(), new StepCancelRequested(st.attempt(), st.attemptId(), reason));
            } else if (!st.status().isTerminal()) {
                ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), "run canceled before the step started"));
            }
        }
        finishCancelIfDone(ctx);
    }

    void finishCancelIfDone(DecisionContext ctx) {
        if (ctx.state().status() == RunStatus.CANCELING) {
            for (StepState st : List.copyOf(ctx.state().steps().values())) {
                if (st.forEach() != null && !st.status().isTerminal() && st.forEach().active() == 0) {
                    ctx.append(st.key(), new StepCanceled(0, "", "run canceled"));
                }
            }
        }
        RunState s = ctx.state();
        if (s.status() == RunStatus.CANCELING && s.steps().values().stream().noneMatch(st -> st.status().isActive())) {
            ctx.append(null, new RunCanceled(s.cancelReason(), Steps.duration(s, ctx)));
        }
    }
}
