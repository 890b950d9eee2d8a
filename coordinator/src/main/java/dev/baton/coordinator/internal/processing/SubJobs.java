package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.events.StepDefinition;
import dev.baton.events.SubJobAction;
import dev.baton.platform.RunIds;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sub-job steps ({@code job: {name, params}}): the coordinator itself starts a run of another job and waits for it; no
 * agent is involved. The child's run id derives from (parent run, step, attempt) through a run key, so a replayed or
 * repeated start can never create a second child (the request collapses into the existing run). The child's end comes
 * back as a {@code ChildRunEnded} command and becomes the step's outcome.
 */
final class SubJobs {
    private final RunDecider plans;
    private final ActionResolver resolver;
    private final Steps steps;
    private final Cancellation cancellation;

    SubJobs(RunDecider plans, ActionResolver resolver, Steps steps, Cancellation cancellation) {
        this.plans = plans;
        this.resolver = resolver;
        this.steps = steps;
        this.cancellation = cancellation;
    }

    static boolean isSubJob(StepDefinition def) {
        return def.getAction() instanceof SubJobAction;
    }

    /** The child run's key: one child per attempt of the step, however often the start is replayed. */
    static String childRunKey(String parentRunId, String stepKey, int attempt) {
        return "subjob:" + parentRunId + "/" + stepKey + "#" + attempt;
    }

    static String childRunId(String job, String parentRunId, String stepKey, int attempt) {
        return RunIds.forRunKey(job, childRunKey(parentRunId, stepKey, attempt));
    }

    /** Starts the next attempt of a ready sub-job step: its child run (or fails it: bad templates, a call cycle). */
    void start(StepState st, DecisionContext ctx) {
        RunState s = ctx.state();
        Plan plan = plans.plan(s.definition());
        StepDefinition def = plan.step(st.key());
        SubJobAction action = (SubJobAction) def.getAction();
        int attempt = st.attempt() + 1;
        String attemptId = RunDecider.attemptId(s.runId(), st.key(), attempt);
        List<String> chain = new ArrayList<>(s.callChain());
        chain.add(s.job());
        if (chain.contains(action.getJob())) {
            chain.add(action.getJob());
            ctx.append(st.key(), new StepFailed(attempt, attemptId, ErrorClass.USER_ERROR,
                    "sub-job cycle: " + String.join(" -> ", chain) + " (a job cannot call itself, directly or through"
                            + " other jobs)", null, false, true, 0));
            return;
        }
        SubJobAction resolved;
        try {
            resolved = (SubJobAction) resolver.resolve(action, new ActionResolver.TemplateScope(s.runId(), s.job(), st.key(),
                    attempt, attemptId, s.params(), RunDecider.upstreamOutputs(s, plan, st.key(), StepState::outputs),
                    RunPartitions.of(s), def.getUnsafeVerbatimTemplates()));
        } catch (RuntimeException e) {
            ctx.append(st.key(), new StepFailed(attempt, attemptId, ErrorClass.USER_ERROR,
                    "cannot resolve templates: " + e.getMessage(), null, false, true, 0));
            return;
        }
        ctx.append(st.key(), new StepSubJobStarted(attempt, attemptId,
                childRunId(action.getJob(), s.runId(), st.key(), attempt), action.getJob(), Map.copyOf(resolved.getParams())));
    }

    /** The child run of one of this run's sub-job steps ended: its outcome becomes the step's. */
    void childEnded(Input.ChildRunEnded c, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null) {
            ctx.append(null, new CommandRejected("ChildRunEnded", Rejection.UNKNOWN_RUN, "unknown run", c.eventId()));
            return;
        }
        StepState st = s.steps().values().stream().filter(x -> c.childRunId().equals(x.childRunId())).findFirst().orElse(null);
        if (st == null) {
            ctx.append(null, new CommandRejected("ChildRunEnded", Rejection.UNKNOWN_STEP,
                    "no step of this run started child run " + c.childRunId(), c.eventId()));
            return;
        }
        boolean hookAfterFailure = st.hook() && s.status() == RunStatus.FAILED;
        if (s.isFinished() && !hookAfterFailure) {
            ctx.append(null, new CommandRejected("ChildRunEnded",
                    s.status() == RunStatus.CANCELED ? Rejection.RUN_CANCELED : Rejection.RUN_FINISHED,
                    "run already " + s.status(), c.eventId()));
            return;
        }
        if (!st.status().isActive()) {
            ctx.append(null, new CommandRejected("ChildRunEnded",
                    st.status().isTerminal() ? Rejection.DUPLICATE_REPORT : Rejection.INVALID_STATE,
                    "step " + st.key() + " is " + st.status(), c.eventId()));
            return;
        }
        String child = "sub-job run " + c.childRunId();
        if (s.status() == RunStatus.CANCELING) {
            ctx.append(st.key(), new StepCanceled(st.attempt(), st.attemptId(),
                    "run canceled; " + child + " ended " + c.outcome()));
            cancellation.finishCancelIfDone(ctx);
            return;
        }
        switch (c.outcome()) {
            case SUCCEEDED -> {
                ctx.append(st.key(), new StepSucceeded(st.attempt(), st.attemptId(), c.outputs(), Map.of(), c.durationMs(),
                        List.of()));
                steps.progress(ctx);
            }
            case FAILED -> steps.failed(st, ErrorClass.USER_ERROR, child + " failed: " + c.reason(), null, true,
                    c.durationMs(), ctx);
            case CANCELED -> steps.failed(st, ErrorClass.CANCELED, child + " was canceled: " + c.reason(), null, false,
                    c.durationMs(), ctx);
        }
    }
}
