package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Event;
import dev.baton.coordinator.internal.events.Event.*;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.coordinator.internal.state.RunState;
import dev.baton.coordinator.internal.state.RunStatus;
import dev.baton.coordinator.internal.state.StepState;
import dev.baton.coordinator.internal.state.StepStatus;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.events.UpstreamRef;
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
 */
public final class RunDecider {
    private final DeciderSettings settings;
    private final ActionResolver resolver;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();

    public RunDecider(DeciderSettings settings, ActionResolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
    }

    public DeciderSettings settings() { return settings; }

    public void handle(Input input, DecisionContext ctx) {
        switch (input) {
            case Input.RequestRun r -> request(r, ctx);
            case Input.CancelRun c -> cancel(c, ctx);
            case Input.RetryRun r -> retry(r, ctx);
            case Input.AdmitRun a -> admitRun(a, ctx);
            case Input.AdmitStep a -> admitStep(a, ctx);
            case Input.Report r -> report(r, ctx);
            case Input.TimerFired t -> timer(t.timer(), ctx);
        }
    }

    public Plan plan(JobDefinition def) {
        String key = def.getName() + "@" + def.getVersion() + "@" + def.getRegisteredAt().toEpochMilli();
        return plans.computeIfAbsent(key, k -> new Plan(def));
    }

    // ---- run requests ----

    private void request(Input.RequestRun r, DecisionContext ctx) {
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
        Map<String, String> params = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (var e : def.getParams().entrySet()) {
            ParamSpec p = e.getValue();
            String given = r.params().get(e.getKey());
            if (given != null) {
                params.put(e.getKey(), given);
            } else if (p.getDefault$() != null) {
                params.put(e.getKey(), p.getDefault$());
            } else if (p.getRequired()) {
                problems.add("missing required param '" + e.getKey() + "'");
            }
        }
        for (String k : r.params().keySet()) {
            if (!def.getParams().containsKey(k)) {
                problems.add("unknown param '" + k + "' (declared: " + def.getParams().keySet() + ")");
            }
        }
        if (!problems.isEmpty()) {
            ctx.append(null, new RunRequestRejected(Rejection.INVALID_REQUEST, String.join("; ", problems), null,
                    r.runKey(), r.eventId()));
            return;
        }
        int priority = r.priority() != null ? r.priority() : def.getPriority();
        ctx.append(null, new RunRequested(r.job(), def, r.runKey(), params, r.tags(), r.origin(), r.parentRunId(),
                r.requestedBy(), priority, r.reuse()));
        ctx.append(null, new RunQueued(priority));
        if (jobLimit(def) == null) {
            start(ctx);
        }
        // With a concurrency limit the run waits in QUEUED until the admission stage sends ADMIT_RUN.
    }

    public static Integer jobLimit(JobDefinition def) {
        return def.getConcurrency() == null ? null : def.getConcurrency().getMaxRuns();
    }

    private void admitRun(Input.AdmitRun a, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null || s.status() != RunStatus.QUEUED) {
            ctx.append(null, new CommandRejected("AdmitRun", s == null ? Rejection.UNKNOWN_RUN : Rejection.INVALID_STATE,
                    s == null ? "unknown run" : "run is " + s.status(), a.eventId()));
            return;
        }
        start(ctx);
    }

    private void start(DecisionContext ctx) {
        ctx.append(null, new RunStarted());
        RunState s = ctx.state();
        for (var e : s.reuse().entrySet()) {
            StepState st = s.step(e.getKey());
            if (st != null && !st.hook() && st.status() == StepStatus.PENDING) {
                Reused r = e.getValue();
                ctx.append(e.getKey(), new StepReused(r.fromRunId(), r.attempt(), r.outputs()));
            }
        }
        progress(ctx);
    }

    // ---- failures of the coordinator itself ----

    /**
     * Ends a run the coordinator cannot go on with (a record it would have to write exceeds the size limit, or
     * handling one of its inputs or timers threw): active attempts are asked to stop and recorded canceled,
     * every step that has not run is skipped (failure hooks included: they could hit the same fault) and the run
     * fails with {@code reason}. A request that would create the run is rejected instead. A finished run, or a
     * duplicate request for an existing run, is left alone.
     */
    public void abort(DecisionContext ctx, String reason) {
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
                ctx.append(st.key(), new StepCancelRequested(st.attempt(), st.attemptId(), reason));
                ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), reason));
            } else if (!st.status().isTerminal()) {
                ctx.append(st.key(), new StepSkipped(reason));
            }
        }
        ctx.append(null, new RunFailed(reason, List.of(), duration(ctx.state(), ctx), false));
    }

    // ---- control ----

    private void cancel(Input.CancelRun c, DecisionContext ctx) {
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
            if (st.status().isActive()) {
                ctx.append(st.key(), new StepCancelRequested(st.attempt(), st.attemptId(), reason));
            } else if (!st.status().isTerminal()) {
                ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), "run canceled before the step started"));
            }
        }
        finishCancelIfDone(ctx);
    }

    private void finishCancelIfDone(DecisionContext ctx) {
        RunState s = ctx.state();
        if (s.status() == RunStatus.CANCELING && s.steps().values().stream().noneMatch(st -> st.status().isActive())) {
            ctx.append(null, new RunCanceled(s.cancelReason(), duration(s, ctx)));
        }
    }

    private void retry(Input.RetryRun r, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null) {
            ctx.append(null, new CommandRejected("RetryRun", Rejection.UNKNOWN_RUN, "unknown run", r.eventId()));
            return;
        }
        if (s.status() != RunStatus.FAILED && s.status() != RunStatus.CANCELED) {
            ctx.append(null, new CommandRejected("RetryRun", Rejection.INVALID_STATE,
                    "only a failed or canceled run can be re-executed from failure; run is " + s.status(), r.eventId()));
            return;
        }
        if (r.newRunId() == null || r.newRunId().isBlank() || s.retriedAs().contains(r.newRunId())) {
            ctx.append(null, new CommandRejected("RetryRun", Rejection.DUPLICATE_RUN,
                    "re-execution " + r.newRunId() + " was already requested", r.eventId()));
            return;
        }
        List<String> reused = s.steps().values().stream()
                .filter(st -> !st.hook() && st.status() == StepStatus.SUCCEEDED).map(StepState::key).toList();
        ctx.append(null, new RunRetried(r.newRunId(), reused));
    }

    // ---- admission of queued steps ----

    private void admitStep(Input.AdmitStep a, DecisionContext ctx) {
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

    private static boolean dispatchAllowed(RunState s, StepState st) {
        return s.status() == RunStatus.RUNNING || (st.hook() && s.status() == RunStatus.FAILED);
    }

    // ---- agent reports ----

    private void report(Input.Report r, DecisionContext ctx) {
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
                    finishCancelIfDone(ctx);
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
                    finishCancelIfDone(ctx);
                } else {
                    failed(st, f.errorClass(), f.message(), f.exitCode(), f.retryable(), f.durationMs(), ctx);
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
            progress(ctx);
            return;
        }
        ctx.append(st.key(), new StepSucceeded(st.attempt(), st.attemptId(), x.outputs(), x.outputRefs(), x.durationMs(),
                materializations(ctx.state(), st, x.materializations())));
        List<AssetChecks.Result> results = checks(ctx.state(), st.key(), x.outputs(), x.materializations());
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
        progress(ctx);
    }

    /** One materialization per produced asset, plus any extra the step reported; ids derive from the attempt. */
    private List<Materialized> materializations(RunState s, StepState st, List<MaterializationReport> reported) {
        Map<String, Materialized> out = new LinkedHashMap<>();
        StepDefinition def = plan(s.definition()).step(st.key());
        for (var asset : def.getProduces()) {
            out.put(asset.getKey() + "|", materialized(st, asset.getKey(), null, null));
        }
        for (MaterializationReport m : reported) {
            out.put(m.getAssetKey() + "|" + (m.getPartition() == null ? "" : m.getPartition()),
                    materialized(st, m.getAssetKey(), m.getPartition(), m.getDataVersion()));
        }
        if (out.keySet().stream().anyMatch(k -> !k.endsWith("|"))) {
            // a partitioned report replaces the unpartitioned default for the same asset
            out.keySet().removeIf(k -> k.endsWith("|") && out.keySet().stream()
                    .anyMatch(o -> !o.endsWith("|") && o.startsWith(k)));
        }
        return List.copyOf(out.values());
    }

    /** Results of the checks of every asset the step declares, on this attempt's metadata. */
    public List<AssetChecks.Result> checks(RunState s, String stepKey, Map<String, String> outputs,
                                           List<MaterializationReport> reported) {
        List<AssetChecks.Result> results = new ArrayList<>();
        for (var asset : plan(s.definition()).step(stepKey).getProduces()) {
            MaterializationReport rep = reported.stream().filter(m -> m.getAssetKey().equals(asset.getKey())).findFirst().orElse(null);
            results.addAll(AssetChecks.evaluate(asset, AssetChecks.metadata(outputs, rep)));
        }
        return results;
    }

    private static Materialized materialized(StepState st, String asset, String partition, String dataVersion) {
        String id = DecisionContext.uuid(st.attemptId() + "/" + asset + "/" + (partition == null ? "" : partition));
        return new Materialized(asset, partition, id, dataVersion != null ? dataVersion : id);
    }

    private void failed(StepState st, ErrorClass ec, String message, Integer exitCode, boolean retryable, long durationMs,
                        DecisionContext ctx) {
        RunState s = ctx.state();
        RetryPolicy policy = plan(s.definition()).step(st.key()).getRetry();
        boolean canRetry = retryable && st.attempt() < policy.getMaxAttempts() && dispatchAllowed(s, st);
        ctx.append(st.key(), new StepFailed(st.attempt(), st.attemptId(), ec, message, exitCode, retryable, !canRetry, durationMs));
        if (canRetry) {
            long backoff = backoffMs(policy, s.runId(), st.key(), st.attempt());
            ctx.append(st.key(), new StepRetryScheduled(st.attempt() + 1, ctx.now().plusMillis(backoff), backoff));
        } else {
            progress(ctx);
        }
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

    // ---- timers ----

    private void timer(Timer t, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null) {
            return;
        }
        StepState st = t.stepKey() == null ? null : s.step(t.stepKey());
        switch (t.kind()) {
            case HEARTBEAT_DEADLINE -> {
                if (st == null || st.status() != StepStatus.RUNNING || st.attempt() != t.attempt()) {
                    return;
                }
                Instant deadline = st.lastHeartbeat().plus(heartbeatTimeout(s, st));
                if (ctx.now().isBefore(deadline)) {
                    ctx.rearm(new Timer(Timer.Kind.HEARTBEAT_DEADLINE, s.runId(), st.key(), st.attempt(), deadline));
                    return;
                }
                ctx.append(st.key(), new StepLost(st.attempt(), st.attemptId(), st.lastHeartbeat()));
                if (s.status() == RunStatus.CANCELING) {
                    ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(), "run canceled; agent lost"));
                    finishCancelIfDone(ctx);
                } else {
                    failed(ctx.state().step(st.key()), ErrorClass.LOST,
                            "agent " + st.agentId() + " sent no heartbeat since " + st.lastHeartbeat(), null, true, 0, ctx);
                }
            }
            case STEP_TIMEOUT -> {
                if (st == null || st.status() != StepStatus.RUNNING || st.attempt() != t.attempt() || s.status() == RunStatus.CANCELING) {
                    return;
                }
                Long timeout = plan(s.definition()).step(st.key()).getTimeoutMs();
                if (timeout == null) {
                    return; // a stale timer of a step that has no timeout
                }
                ctx.append(st.key(), new StepTimedOut(st.attempt(), st.attemptId(), timeout));
                failed(ctx.state().step(st.key()), ErrorClass.TIMEOUT,
                        "step timed out after " + Duration.ofMillis(timeout), null, true, timeout, ctx);
            }
            case RETRY -> {
                if (st != null && st.status() == StepStatus.RETRY_WAIT && st.attempt() + 1 == t.attempt() && dispatchAllowed(s, st)) {
                    dispatchOrQueue(st, ctx);
                    progress(ctx);
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
                        ctx.append(x.key(), new StepCancelRequested(x.attempt(), x.attemptId(), reason));
                        ctx.append(x.key(), new StepCanceled(x.attempt(), x.attemptId(), reason));
                        interrupted.add(x.key());
                    } else if (!x.status().isTerminal()) {
                        ctx.append(x.key(), new StepSkipped(reason));
                    }
                }
                ctx.append(null, new RunFailed(reason, interrupted, duration(ctx.state(), ctx), true));
                progressHooks(ctx);
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
                finishCancelIfDone(ctx);
            }
            case RETENTION -> {
                if (s.isFinished()) {
                    ctx.append(null, new RunExpired());
                }
            }
        }
    }

    private Duration heartbeatTimeout(RunState s, StepState st) {
        Long ms = plan(s.definition()).step(st.key()).getHeartbeatTimeoutMs();
        return ms != null ? Duration.ofMillis(ms) : settings.heartbeatTimeout();
    }

    public Duration heartbeatTimeoutOf(RunState s, String stepKey) {
        return heartbeatTimeout(s, s.step(stepKey));
    }

    // ---- progress: dispatch ready steps, skip unreachable ones, finish the run ----

    private void progress(DecisionContext ctx) {
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
        List<String> failed = s.steps().values().stream()
                .filter(x -> !x.hook() && x.status() != StepStatus.SUCCEEDED).map(StepState::key).toList();
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

    private void progressHooks(DecisionContext ctx) {
        advance(ctx, true);
    }

    /** Dispatches every ready step and skips every step that can no longer run, until nothing changes. */
    private void advance(DecisionContext ctx, boolean hooks) {
        boolean changed = true;
        while (changed) {
            changed = false;
            RunState s = ctx.state();
            for (StepState st : List.copyOf(s.steps().values())) {
                if (st.hook() != hooks || st.status() != StepStatus.PENDING) {
                    continue;
                }
                String blocked = null;
                boolean ready = true;
                for (String need : plan(s.definition()).needs(st.key())) {
                    StepStatus ns = s.step(need).status();
                    if (ns == StepStatus.FAILED || ns == StepStatus.SKIPPED || ns == StepStatus.CANCELED) {
                        blocked = need;
                        break;
                    }
                    if (ns != StepStatus.SUCCEEDED) {
                        ready = false;
                    }
                }
                if (blocked != null) {
                    ctx.append(st.key(), new StepSkipped("upstream step '" + blocked + "' did not succeed"));
                    changed = true;
                } else if (ready) {
                    dispatchOrQueue(st, ctx);
                    changed = true;
                }
            }
        }
    }

    private void dispatchOrQueue(StepState st, DecisionContext ctx) {
        String pool = plan(ctx.state().definition()).step(st.key()).getPool();
        if (settings.poolLimits().containsKey(pool)) {
            ctx.append(st.key(), new StepQueued(pool));
        } else {
            dispatch(st, ctx);
        }
    }

    private void dispatch(StepState st, DecisionContext ctx) {
        RunState s = ctx.state();
        Plan plan = plan(s.definition());
        StepDefinition def = plan.step(st.key());
        int attempt = st.attempt() + 1;
        String attemptId = attemptId(s.runId(), st.key(), attempt);
        Map<String, Map<String, String>> outputs = upstreamOutputs(s, plan, st.key(), StepState::outputs);
        Object action;
        try {
            action = resolver.resolve(def.getAction(), new ActionResolver.TemplateScope(s.runId(), s.job(), st.key(),
                    attempt, attemptId, s.params(), outputs));
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

    private static long duration(RunState s, DecisionContext ctx) {
        Instant from = s.startedAt() != null ? s.startedAt() : s.requestedAt();
        return Math.max(0, Duration.between(from, ctx.now()).toMillis());
    }
}
