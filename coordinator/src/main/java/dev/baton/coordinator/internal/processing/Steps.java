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
 * Steps and attempts: dispatches ready steps (or queues them under a pool limit), skips steps that can no longer run,
 * records failures and schedules retries, and ends the run when nothing else can make progress.
 */
final class Steps {
    private final DeciderSettings settings;
    private final ActionResolver resolver;
    private final RunDecider plans;

    Steps(DeciderSettings settings, ActionResolver resolver, RunDecider plans) {
        this.settings = settings;
        this.resolver = resolver;
        this.plans = plans;
        this.forEach = new ForEach(plans);
    }

    private final ForEach forEach;

    void progress(DecisionContext ctx) {
        RunState s = ctx.state();
        if (s.status() == RunStatus.FAILED) {
            progressHooks(ctx);
            return;
        }
        if (s.status() != RunStatus.RUNNING) {
            return;
        }
        advance(ctx, false);
        s = ctx.state();
        boolean allDone = s.steps().values().stream().filter(x -> !x.hook()).allMatch(x -> x.status().isTerminal());
        if (!allDone) {
            return;
        }
        // A step skipped by its condition (or after one) does not fail the run; a failed or canceled one does.
        List<String> failed = s.steps().values().stream()
                .filter(x -> !x.hook() && (x.status() == StepStatus.FAILED || x.status() == StepStatus.CANCELED))
                .map(StepState::key).toList();
        if (failed.isEmpty()) {
            for (StepState h : List.copyOf(s.steps().values())) {
                if (h.hook() && h.status() == StepStatus.PENDING) {
                    ctx.append(h.key(), new StepSkipped("run succeeded; failure hooks do not run"));
                }
            }
            ctx.append(null, new RunSucceeded(duration(ctx.state(), ctx)));
        } else {
            List<String> reasons = s.steps().values().stream()
                    .filter(x -> !x.hook() && x.status() == StepStatus.FAILED).map(StepState::key).toList();
            ctx.append(null, new RunFailed("step(s) " + String.join(", ", reasons) + " failed", reasons,
                    duration(ctx.state(), ctx), false));
            progressHooks(ctx);
        }
    }

    void progressHooks(DecisionContext ctx) {
        advance(ctx, true);
    }

    /** Dispatches every ready step and skips every step that can no longer run, until nothing changes. */
    private void advance(DecisionContext ctx, boolean hooks) {
        boolean changed = true;
        while (changed) {
            changed = false;
            RunState s = ctx.state();
            for (StepState st : List.copyOf(s.steps().values())) {
                if (st.hook() == hooks && st.forEach() != null && st.status() == StepStatus.RUNNING) {
                    changed |= forEach.fill(st, ctx, this);
                    continue;
                }
                if (st.hook() != hooks || st.status() != StepStatus.PENDING) {
                    continue;
                }
                Plan plan = plans.plan(s.definition());
                Conditions.Decision d = Conditions.decide(ctx.state(), plan, st);
                switch (d.verdict()) {
                    case WAIT -> { }
                    case SKIP -> {
                        ctx.append(st.key(), new StepSkipped(d.reason()));
                        changed = true;
                    }
                    case FAIL -> {
                        ctx.append(st.key(), new StepFailed(0, "", ErrorClass.USER_ERROR, d.reason(), null, false, true, 0));
                        changed = true;
                    }
                    case RUN -> {
                        if (ForEach.isMapped(plan.step(st.key()))) {
                            forEach.start(st, ctx, this);
                        } else {
                            dispatchOrQueue(st, ctx);
                        }
                        changed = true;
                    }
                }
            }
        }
    }

    /** Set once by {@link RunDecider}: the step cache and sub-jobs take a ready step over before any pool does. */
    void dynamic(StepCache cache, SubJobs subJobs) {
        this.cache = cache;
        this.subJobs = subJobs;
    }

    private StepCache cache;
    private SubJobs subJobs;

    void dispatchOrQueue(StepState st, DecisionContext ctx) {
        if (cache != null && cache.intercept(st, ctx)) {
            return;
        }
        // The step as it stands now; a forEach instance that was never dispatched is not in the run's state yet.
        StepState now = ctx.state().step(st.key());
        st = now != null ? now : st;
        if (subJobs != null && SubJobs.isSubJob(plans.plan(ctx.state().definition()).step(st.key()))) {
            subJobs.start(st, ctx);
            return;
        }
        String pool = plans.plan(ctx.state().definition()).step(st.key()).getPool();
        if (settings.poolLimits().containsKey(pool)) {
            ctx.append(st.key(), new StepQueued(pool));
        } else {
            dispatch(st, ctx);
        }
    }

    void dispatch(StepState st, DecisionContext ctx) {
        RunState s = ctx.state();
        Plan plan = plans.plan(s.definition());
        StepDefinition def = plan.step(st.key());
        int attempt = st.attempt() + 1;
        String attemptId = RunDecider.attemptId(s.runId(), st.key(), attempt);
        Map<String, Map<String, String>> outputs = RunDecider.upstreamOutputs(s, plan, st.key(), StepState::outputs);
        Object action;
        try {
            boolean instance = dev.baton.runmodel.state.StepInstances.isInstance(st.key());
            action = resolver.resolve(def.getAction(), new ActionResolver.TemplateScope(s.runId(), s.job(), st.key(),
                    attempt, attemptId, s.params(), outputs, RunPartitions.of(s), def.getUnsafeVerbatimTemplates(),
                    instance ? forEach.item(s, st.key()) : null,
                    instance ? dev.baton.runmodel.state.StepInstances.index(st.key()) : null));
        } catch (RuntimeException e) {
            ctx.append(st.key(), new StepFailed(attempt, attemptId, ErrorClass.USER_ERROR,
                    "cannot resolve templates: " + e.getMessage(), null, false, true, 0));
            return;
        }
        List<UpstreamRef> upstream = new ArrayList<>();
        java.util.Set<String> inRun = new java.util.HashSet<>();
        for (String need : plan.upstreamOf(st.key())) {
            for (Materialized m : s.step(need).materializations()) {
                upstream.add(new UpstreamRef(m.assetKey(), m.partition(), m.id(), m.dataVersion()));
                inRun.add(m.assetKey());
            }
        }
        // Explicit deps on assets made elsewhere (another job, an earlier run): the materialization current now.
        for (var asset : def.getProduces()) {
            for (String dep : asset.getDeps()) {
                if (inRun.add(dep)) {
                    ctx.assets().latest(dep).ifPresent(m ->
                            upstream.add(new UpstreamRef(m.assetKey(), m.partition(), m.id(), m.dataVersion())));
                }
            }
        }
        ctx.resolvedAction(attemptId, action);
        ctx.append(st.key(), new StepDispatched(attempt, attemptId, def.getPool(), upstream));
    }

    void admitStep(Input.AdmitStep a, DecisionContext ctx) {
        RunState s = ctx.state();
        StepState st = s == null ? null : s.step(a.stepKey());
        if (st == null || st.status() != StepStatus.QUEUED || !dispatchAllowed(s, st)) {
            ctx.append(null, new CommandRejected("AdmitStep", s == null ? Rejection.UNKNOWN_RUN : Rejection.INVALID_STATE,
                    st == null ? "unknown step " + a.stepKey() : "step " + a.stepKey() + " is " + st.status(), a.eventId()));
            return;
        }
        dispatch(st, ctx);
        progress(ctx);
    }

    void failed(StepState st, ErrorClass ec, String message, Integer exitCode, boolean retryable, long durationMs,
                        DecisionContext ctx) {
        RunState s = ctx.state();
        RetryPolicy policy = plans.plan(s.definition()).step(st.key()).getRetry();
        boolean infraRetry = retryable && lostToInfrastructure(st, ec) && st.infraRetries() < settings.infraRetries()
                && dispatchAllowed(s, st);
        boolean canRetry = infraRetry
                || retryable && st.policyAttempts() < policy.getMaxAttempts() && dispatchAllowed(s, st);
        ctx.append(st.key(), new StepFailed(st.attempt(), st.attemptId(), ec, message, exitCode, retryable, !canRetry, durationMs));
        if (canRetry) {
            long backoff = RunDecider.backoffMs(policy, s.runId(), st.key(), infraRetry ? st.infraRetries() + 1 : st.policyAttempts());
            ctx.append(st.key(), new StepRetryScheduled(st.attempt() + 1, ctx.now().plusMillis(backoff), backoff, infraRetry));
        } else {
            progress(ctx);
        }
    }

    /**
     * The attempt ended because of its agent, not its work: it went silent (LOST: died or stalled past its heartbeat
     * deadline), or it shut down in order and cut the attempt short (reported CANCELED and retryable although nobody
     * asked to cancel the step; a run being canceled never gets here).
     */
    static boolean lostToInfrastructure(StepState st, ErrorClass ec) {
        return ec == ErrorClass.LOST || ec == ErrorClass.CANCELED && !st.cancelRequested();
    }

    Duration heartbeatTimeout(RunState s, StepState st) {
        Long ms = plans.plan(s.definition()).step(st.key()).getHeartbeatTimeoutMs();
        return ms != null ? Duration.ofMillis(ms) : settings.heartbeatTimeout();
    }

    static boolean dispatchAllowed(RunState s, StepState st) {
        return s.status() == RunStatus.RUNNING || (st.hook() && s.status() == RunStatus.FAILED);
    }

    static long duration(RunState s, DecisionContext ctx) {
        Instant from = s.startedAt() != null ? s.startedAt() : s.requestedAt();
        return Math.max(0, Duration.between(from, ctx.now()).toMillis());
    }
}
