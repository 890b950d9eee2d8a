package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Decides what an input means for a run and appends the resulting events to the context. It reads
 * state only through the context and never changes it itself: every change is an event applied by
 * {@code RunStateApplier}. No clock, no randomness: time is the input's, ids and jitter derive from it.
 *
 * <p>One decider per domain, behind this entry point and the one {@link DecisionContext}: {@link RunLifecycle}
 * (requests, admission, start, aborts), {@link Steps} (dispatch, attempts, retries, progress),
 * {@link Reports} (agent reports), {@link Liveness} (timers), {@link Cancellation}, {@link Reexecution} and
 * {@link Checks} (materializations and asset checks).
 */
public final class RunDecider {
    private final DeciderSettings settings;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    private final Steps steps;
    private final RunLifecycle lifecycle;
    private final Cancellation cancellation;
    private final Reexecution reexecution;
    private final Reports reports;
    private final Liveness liveness;
    private final Checks checks;
    private final SubJobs subJobs;
    private final StepCache stepCache;

    public RunDecider(DeciderSettings settings, ActionResolver resolver) {
        this.settings = settings;
        this.steps = new Steps(settings, resolver, this);
        this.checks = new Checks(this);
        this.cancellation = new Cancellation(settings);
        this.lifecycle = new RunLifecycle(steps);
        this.reexecution = new Reexecution();
        this.reports = new Reports(settings, steps, checks, cancellation);
        this.liveness = new Liveness(this, steps, cancellation);
        this.subJobs = new SubJobs(this, resolver, steps, cancellation);
        this.stepCache = new StepCache(this, resolver, steps);
        steps.dynamic(stepCache, subJobs);
    }

    /** The cache key of a step with a cache (for the effects that store its result), when it resolves. */
    public java.util.Optional<String> cacheKeyOf(RunState s, String stepKey) {
        return stepCache.cacheKeyOf(s, stepKey);
    }

    /** Where a step's result is stored in the step cache. */
    public static String cacheIndexKey(RunState s, StepDefinition def, String cacheKey) {
        return StepCache.indexKey(s, def, cacheKey);
    }

    public DeciderSettings settings() { return settings; }

    /** Routes an input to the decider of its domain; all of them decide through the one {@link DecisionContext}. */
    public void handle(Input input, DecisionContext ctx) {
        switch (input) {
            case Input.RequestRun r -> lifecycle.request(r, ctx);
            case Input.CancelRun c -> cancellation.cancel(c, ctx);
            case Input.RetryRun r -> reexecution.retry(r, ctx);
            case Input.AdmitRun a -> lifecycle.admitRun(a, ctx);
            case Input.AdmitStep a -> steps.admitStep(a, ctx);
            case Input.Report r -> reports.report(r, ctx);
            case Input.TimerFired t -> liveness.timer(t.timer(), ctx);
            case Input.ChildRunEnded c -> subJobs.childEnded(c, ctx);
            case Input.CacheAnswer a -> stepCache.answer(a, ctx);
        }
    }

    public Plan plan(JobDefinition def) {
        String key = def.getName() + "@" + def.getVersion() + "@" + def.getRegisteredAt().toEpochMilli();
        return plans.computeIfAbsent(key, k -> new Plan(def));
    }

    public static Integer jobLimit(JobDefinition def) {
        return def.getConcurrency() == null ? null : def.getConcurrency().getMaxRuns();
    }

    /**
     * Ends a run the coordinator cannot go on with (a record it would have to write exceeds the size limit, or
     * handling one of its inputs or timers threw): active attempts are asked to stop and recorded canceled,
     * every step that has not run is skipped (failure hooks included: they could hit the same fault) and the run
     * fails with {@code reason}. A request that would create the run is rejected instead. A finished run, or a
     * duplicate request for an existing run, is left alone.
     */
    public void abort(DecisionContext ctx, String reason) {
        lifecycle.abort(ctx, reason);
    }

    /** Results of the checks of every asset the step declares, on this attempt's metadata. */
    public List<AssetChecks.Result> checks(RunState s, String stepKey, Map<String, String> outputs,
                                           List<MaterializationReport> reported) {
        return checks.checks(s, stepKey, outputs, reported);
    }

    /**
     * Backoff before attempt {@code failedAttempt + 1}: initial * multiplier^(failedAttempt-1), capped, spread by
     * +/- jitter with a fraction derived from (run, step, attempt) so a replay computes the same delay.
     */
    public static long backoffMs(RetryPolicy p, String runId, String step, int failedAttempt) {
        double base = p.getInitialBackoffMs() * Math.pow(p.getMultiplier(), Math.max(0, failedAttempt - 1));
        base = Math.min(base, p.getMaxBackoffMs());
        if (p.getJitter() > 0) {
            long h = DecisionContext.uuid(runId + "/" + step + "/" + failedAttempt).hashCode() & 0x7fffffffL;
            double u = (h % 10_000) / 10_000.0;
            base = base * (1 - p.getJitter() + 2 * p.getJitter() * u);
            base = Math.min(base, p.getMaxBackoffMs());
        }
        return Math.max(0, Math.round(base));
    }

    public Duration heartbeatTimeoutOf(RunState s, String stepKey) {
        return steps.heartbeatTimeout(s, s.step(stepKey));
    }

    public static Map<String, Map<String, String>> upstreamOutputs(RunState s, Plan plan, String key,
                                                                   Function<StepState, Map<String, String>> f) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String need : plan.upstreamOf(key)) {
            StepState u = s.step(need);
            if (u != null && u.status() == StepStatus.SUCCEEDED) {
                out.put(need, f.apply(u));
            }
        }
        return out;
    }

    public static String attemptId(String runId, String step, int attempt) {
        return DecisionContext.uuid(runId + "/" + step + "/" + attempt);
    }
}
