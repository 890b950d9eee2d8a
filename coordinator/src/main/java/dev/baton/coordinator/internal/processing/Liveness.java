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
 * Timers and liveness: heartbeat deadlines (lost agents), step and run timeouts, retry backoff, cancel grace periods
 * and retention. A timer whose condition no longer holds does nothing.
 */
final class Liveness {
    private final RunDecider plans;
    private final Steps steps;
    private final Cancellation cancellation;

    Liveness(RunDecider plans, Steps steps, Cancellation cancellation) {
        this.plans = plans;
        this.steps = steps;
        this.cancellation = cancellation;
    }

    void timer(Timer t, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null) {
            return;
        }
        StepState st = t.stepKey() == null ? null : s.step(t.stepKey());
        if (st != null && st.forEach() != null) {
            return; // a forEach step has no attempt of its own: its instances have the timers
        }
        switch (t.kind()) {
            case HEARTBEAT_DEADLINE -> {
                if (st == null || st.status() != StepStatus.RUNNING || st.attempt() != t.attempt()) {
                    return;
                }
                Instant deadline = st.lastHeartbeat().plus(steps.heartbeatTimeout(s, st));
                if (ctx.now().isBefore(deadline)) {
                    ctx.rearm(new Timer(Timer.Kind.HEARTBEAT_DEADLINE, s.runId(), st.key(), st.attempt(), deadline));
                    return;
                }
                ctx.append(st.key(), new StepLost(st.attempt(), st.attemptId(), st.lastHeartbeat()));
                if (s.status() == RunStatus.CANCELING) {
                    ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), "run canceled; agent lost"));
                    cancellation.finishCancelIfDone(ctx);
                } else {
                    steps.failed(ctx.state().step(st.key()), ErrorClass.LOST,
                            "agent " + st.agentId() + " sent no heartbeat since " + st.lastHeartbeat(), null, true, 0, ctx);
                }
            }
            case STEP_TIMEOUT -> {
                if (st == null || st.status() != StepStatus.RUNNING || st.attempt() != t.attempt() || s.status() == RunStatus.CANCELING) {
                    return;
                }
                Long timeout = plans.plan(s.definition()).step(st.key()).getTimeoutMs();
                if (timeout == null) {
                    return; // a stale timer of a step that has no timeout
                }
                ctx.append(st.key(), new StepTimedOut(st.attempt(), st.attemptId(), timeout));
                steps.failed(ctx.state().step(st.key()), ErrorClass.TIMEOUT,
                        "step timed out after " + Duration.ofMillis(timeout), null, true, timeout, ctx);
            }
            case RETRY -> {
                if (st != null && st.status() == StepStatus.RETRY_WAIT && st.attempt() + 1 == t.attempt() && Steps.dispatchAllowed(s, st)) {
                    steps.dispatchOrQueue(st, ctx);
                    steps.progress(ctx);
                }
            }
            case RUN_TIMEOUT -> {
                if (s.status() != RunStatus.RUNNING || s.definition().getRunTimeoutMs() == null) {
                    return;
                }
                String reason = "run timed out after " + Duration.ofMillis(s.definition().getRunTimeoutMs());
                List<String> interrupted = new ArrayList<>();
                for (StepState x : List.copyOf(s.steps().values())) {
                    if (x.hook()) {
                        continue;
                    }
                    if (x.status().isActive()) {
                        if (x.forEach() == null) { // a forEach step has no attempt of its own to stop
                            ctx.append(x.key(), new StepCancelRequested(x.attempt(), x.attemptId(), reason));
                        }
                        ctx.append(x.key(), new StepCanceled(x.attempt(), x.attemptId(), reason));
                        interrupted.add(x.key());
                    } else if (!x.status().isTerminal()) {
                        ctx.append(x.key(), new StepSkipped(reason));
                    }
                }
                ctx.append(null, new RunFailed(reason, interrupted, Steps.duration(ctx.state(), ctx), true));
                steps.progressHooks(ctx);
            }
            case CANCEL_GRACE -> {
                if (s.status() != RunStatus.CANCELING) {
                    return;
                }
                for (StepState x : List.copyOf(s.steps().values())) {
                    if (x.status().isActive()) {
                        ctx.append(x.key(), new StepCanceled(x.attempt(), x.attemptId(), "cancel grace period expired"));
                    }
                }
                cancellation.finishCancelIfDone(ctx);
            }
            case RETENTION -> {
                if (s.isFinished()) {
                    ctx.append(null, new RunExpired());
                }
            }
        }
    }
}
