package dev.baton.coordinator.internal.processing;

import static dev.baton.coordinator.internal.processing.Fold.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer.Kind;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunAction;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunDeciderTest {

    static final JobDefinition ORDERS = Fold.job(dev.baton.coordinator.TestJobs.ORDERS_DAILY);

    static final JobDefinition DIAMOND = Fold.job("""
            name: diamond
            steps:
              - { key: a, noop: {} }
              - { key: b, needs: [a], noop: {} }
              - { key: c, needs: [a], noop: {} }
              - { key: d, needs: [b], noop: {} }
              - { key: e, needs: [c], noop: {} }
            """);

    @Test
    void happyPathRunsStepsInDependencyOrderWithTemplatesResolved() {
        Fold f = new Fold("run-1");
        var events = f.in(f.request(ORDERS, Map.of("day", "2026-11-21")));
        assertThat(types(events)).containsExactly(RunRequested.class, RunQueued.class, RunStarted.class, StepDispatched.class);
        assertThat(f.state.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(f.step("extract").status()).isEqualTo(StepStatus.DISPATCHED);
        assertThat(f.step("clean").status()).isEqualTo(StepStatus.PENDING);
        RunAction extract = (RunAction) f.actions.get(f.step("extract").attemptId());
        assertThat(extract.getScript()).contains("extracting orders for 2026-11-21").contains("\"$BATON_OUTPUT\"");

        f.in(f.started("extract"));
        events = f.in(f.succeeded("extract", Map.of("rows", "42")));
        assertThat(types(events)).containsExactly(StepSucceeded.class, StepDispatched.class);
        StepSucceeded ok = (StepSucceeded) events.get(0).event();
        assertThat(ok.materializations()).extracting(Materialized::assetKey).containsExactly("raw_orders");
        RunAction clean = (RunAction) f.actions.get(f.step("clean").attemptId());
        assertThat(clean.getScript()).contains("test \"42\" = \"42\"");
        StepDispatched d = (StepDispatched) events.get(1).event();
        assertThat(d.upstream()).singleElement().satisfies(u -> {
            assertThat(u.getAssetKey()).isEqualTo("raw_orders");
            assertThat(u.getMaterializationId()).isEqualTo(ok.materializations().getFirst().id());
        });

        f.in(f.started("clean"));
        events = f.in(f.succeeded("clean", Map.of()));
        assertThat(types(events)).containsExactly(StepSucceeded.class, RunSucceeded.class);
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void independentStepsDispatchInParallel() {
        Fold f = new Fold("run-par");
        f.in(f.request(DIAMOND, Map.of()));
        var events = f.in(f.started("a"));
        events = f.in(f.succeeded("a", Map.of()));
        assertThat(events.stream().filter(e -> e.event() instanceof StepDispatched).map(Envelope::stepKey))
                .containsExactly("b", "c");
    }

    @Test
    void aSecondRequestWithTheSameRunIdIsRejectedNamingTheExistingRun() {
        Fold f = new Fold("run-dup");
        f.in(f.request(ORDERS, Map.of()));
        var events = f.in(f.request(ORDERS, Map.of()));
        assertThat(events).singleElement().extracting(Envelope::event).isInstanceOfSatisfying(RunRequestRejected.class, r -> {
            assertThat(r.rejection()).isEqualTo(Rejection.DUPLICATE_RUN);
            assertThat(r.existingRunId()).isEqualTo("run-dup");
        });
        assertThat(f.state.steps().values()).filteredOn(s -> s.status() == StepStatus.DISPATCHED).hasSize(1);
    }

    @Test
    void invalidParamsAreRejectedWithoutCreatingARun() {
        Fold f = new Fold("run-params");
        var events = f.in(f.request(ORDERS, Map.of("dya", "x")));
        assertThat(events).singleElement().extracting(Envelope::event).isInstanceOfSatisfying(RunRequestRejected.class, r -> {
            assertThat(r.rejection()).isEqualTo(Rejection.INVALID_REQUEST);
            // the one params checker (dev.baton.jobs.JobParams) words it "parameter", as the job validation does
            assertThat(r.reason()).contains("unknown parameter 'dya'");
        });
        assertThat(f.state).isNull();
    }

    static final JobDefinition TYPED = Fold.job("""
            name: typed
            params:
              day: { type: date, default: "2026-01-01" }
              region: { type: enum, values: [eu, us], default: eu }
              note: { default: "", maxLength: 200 }
            steps:
              - key: a
                run: echo "${{ params.day }} ${{ params.region }} ${{ params.note }}"
              - key: b
                run: echo "${{ params.note }}"
                unsafeVerbatimTemplates: true
            """);

    @Test
    void typedParamsThatDoNotFitAreRejectedNamingTheParam() {
        Fold f = new Fold("run-typed");
        var events = f.in(f.request(TYPED, Map.of("day", "yesterday", "region", "eu")));
        assertThat(events).singleElement().extracting(Envelope::event).isInstanceOfSatisfying(RunRequestRejected.class, r -> {
            assertThat(r.rejection()).isEqualTo(Rejection.INVALID_REQUEST);
            assertThat(r.reason()).contains("params.day: 'yesterday' is not a date");
        });
        assertThat(f.state).isNull();
    }

    @Test
    void anInjectionValueIsDispatchedAsDataAndOnlyVerbatimBehindTheOptIn() {
        String evil = "x\"; touch /tmp/pwned; echo \"";
        Fold f = new Fold("run-inject");
        f.in(f.request(TYPED, Map.of("note", evil)));
        RunAction a = (RunAction) f.actions.get(f.step("a").attemptId());
        assertThat(a.getScript()).isEqualTo("echo \"2026-01-01 eu ${BATON_TPL_1}\"").doesNotContain("touch");
        assertThat(a.getEnv()).containsEntry("BATON_TPL_1", evil);
        f.in(f.started("a"));
        f.in(f.succeeded("a", Map.of()));
        RunAction b = (RunAction) f.actions.get(f.step("b").attemptId());
        assertThat(b.getScript()).isEqualTo("echo \"" + evil + "\"");
    }

    @Test
    void finalFailureSkipsDownstreamLetsIndependentBranchesFinishThenFailsTheRun() {
        Fold f = new Fold("run-fail");
        f.in(f.request(DIAMOND, Map.of()));
        f.complete("a", Map.of());
        f.in(f.started("b"));
        f.in(f.started("c"));
        var events = f.in(f.failed("b", false));
        assertThat(types(events)).containsExactly(StepFailed.class, StepSkipped.class);
        assertThat(events.get(1).stepKey()).isEqualTo("d");
        assertThat(f.state.status()).as("branch c-e still runs").isEqualTo(RunStatus.RUNNING);
        f.in(f.succeeded("c", Map.of()));
        f.complete("e", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(f.log.getLast().event()).isInstanceOfSatisfying(RunFailed.class,
                r -> assertThat(r.failedSteps()).containsExactly("b"));
    }

    @Test
    void retryableFailuresRetryWithExponentialBackoffUntilAttemptsRunOut() {
        Fold f = new Fold("run-retry");
        f.in(f.request(ORDERS, Map.of()));
        f.complete("extract", Map.of("rows", "42"));
        f.in(f.started("clean"));
        var events = f.in(f.failed("clean", true));
        assertThat(types(events)).containsExactly(StepFailed.class, StepRetryScheduled.class);
        var r1 = (StepRetryScheduled) events.get(1).event();
        assertThat(r1.backoffMs()).isEqualTo(1000);
        assertThat(r1.dueAt()).isEqualTo(f.now.plusMillis(1000));
        assertThat(((StepFailed) events.get(0).event()).last()).isFalse();

        f.advance(1000);
        events = f.in(f.timer(Kind.RETRY, "clean", 2));
        assertThat(types(events)).containsExactly(StepDispatched.class);
        assertThat(f.step("clean").attempt()).isEqualTo(2);
        f.in(f.started("clean"));
        events = f.in(f.failed("clean", true));
        assertThat(((StepRetryScheduled) events.get(1).event()).backoffMs()).isEqualTo(2000);
        f.advance(2000);
        f.in(f.timer(Kind.RETRY, "clean", 3));
        f.in(f.started("clean"));
        events = f.in(f.failed("clean", true));
        assertThat(types(events)).containsExactly(StepFailed.class, RunFailed.class);
        assertThat(((StepFailed) events.get(0).event()).last()).isTrue();
    }

    @Test
    void nonRetryableFailureIsNotRetried() {
        Fold f = new Fold("run-noretry");
        f.in(f.request(ORDERS, Map.of()));
        f.complete("extract", Map.of("rows", "42"));
        f.in(f.started("clean"));
        var events = f.in(f.failed("clean", false));
        assertThat(types(events)).containsExactly(StepFailed.class, RunFailed.class);
    }

    @Test
    void jitterIsDeterministicAndBounded() {
        var p = new dev.baton.events.RetryPolicy(5, 1000L, 2.0, 10_000L, 0.5);
        long a = RunDecider.backoffMs(p, "r", "s", 2);
        assertThat(RunDecider.backoffMs(p, "r", "s", 2)).isEqualTo(a);
        assertThat(a).isBetween(1000L, 3000L);
        assertThat(RunDecider.backoffMs(p, "r", "s", 10)).isLessThanOrEqualTo(10_000L);
    }

    @Test
    void staleDuplicateAndUnknownReportsAreRejectedWithReasons() {
        Fold f = new Fold("run-stale");
        f.in(f.request(ORDERS, Map.of()));
        Input.Started first = f.started("extract");
        f.in(first);
        var events = f.in(first);
        assertThat(rejection(events)).isEqualTo(Rejection.DUPLICATE_REPORT);
        Input.Succeeded ok = f.succeeded("extract", Map.of("rows", "42"));
        f.in(ok);
        assertThat(rejection(f.in(ok))).isEqualTo(Rejection.DUPLICATE_REPORT);

        f.in(f.started("clean"));
        Input.Failed attempt1 = f.failed("clean", true);
        f.in(attempt1);
        f.advance(1000);
        f.in(f.timer(Kind.RETRY, "clean", 2));
        assertThat(rejection(f.in(attempt1))).isEqualTo(Rejection.STALE_ATTEMPT);
        var late = new Input.Succeeded("x", "run-stale", f.now, "t", "clean", 1, attempt1.attemptId(), "agent-9", Map.of(), Map.of(), List.of(), 1);
        assertThat(rejection(f.in(late))).isEqualTo(Rejection.STALE_ATTEMPT);
        assertThat(f.step("clean").status()).isEqualTo(StepStatus.DISPATCHED);

        var unknownStep = new Input.Heartbeat("y", "run-stale", f.now, "t", "nope", 1, "a", "agent-1");
        assertThat(rejection(f.in(unknownStep))).isEqualTo(Rejection.UNKNOWN_STEP);

        Fold other = new Fold("ghost");
        var ghost = new Input.Heartbeat("z", "ghost", f.now, "t", "s", 1, "a", "agent-1");
        var ev = other.in(ghost);
        assertThat(rejection(ev)).isEqualTo(Rejection.UNKNOWN_RUN);
        assertThat(ev.getFirst().sequence()).isZero();
    }

    @Test
    void missedHeartbeatsMarkTheAttemptLostAndRetryItAsANewAttempt() {
        var settings = new DeciderSettings(Duration.ofSeconds(10), Duration.ofSeconds(2), 1024, Duration.ofDays(1), Map.of(), Duration.ofSeconds(5));
        Fold f = new Fold(settings, "run-lost");
        f.in(f.request(ORDERS, Map.of()));
        f.complete("extract", Map.of("rows", "42"));
        f.in(f.started("clean"));
        f.advance(6000);
        f.in(f.heartbeat("clean"));
        f.advance(6000);
        var events = f.in(f.timer(Kind.HEARTBEAT_DEADLINE, "clean", 1));
        assertThat(events).as("a heartbeat 6 s ago keeps it alive").isEmpty();
        assertThat(f.rearmed).singleElement().satisfies(t -> assertThat(t.dueAt()).isEqualTo(f.now.plusSeconds(4)));
        f.advance(4000);
        events = f.in(f.timer(Kind.HEARTBEAT_DEADLINE, "clean", 1));
        assertThat(types(events)).containsExactly(StepLost.class, StepFailed.class, StepRetryScheduled.class);
        assertThat(((StepFailed) events.get(1).event()).errorClass()).isEqualTo(ErrorClass.LOST);
        assertThat(f.step("clean").status()).isEqualTo(StepStatus.RETRY_WAIT);
    }

    @Test
    void stepTimeoutRecordsATimedOutFailureAndCancelsTheAttempt() {
        Fold f = new Fold("run-timeout");
        f.in(f.request(ORDERS, Map.of()));
        f.complete("extract", Map.of("rows", "42"));
        f.in(f.started("clean"));
        f.advance(Duration.ofMinutes(5).toMillis());
        var events = f.in(f.timer(Kind.STEP_TIMEOUT, "clean", 1));
        assertThat(types(events)).containsExactly(StepTimedOut.class, StepFailed.class, StepRetryScheduled.class);
        assertThat(((StepFailed) events.get(1).event()).errorClass()).isEqualTo(ErrorClass.TIMEOUT);
    }

    @Test
    void cancelStopsDispatchWaitsForRunningAttemptsAndRejectsLaterReports() {
        Fold f = new Fold("run-cancel");
        f.in(f.request(DIAMOND, Map.of()));
        f.complete("a", Map.of());
        f.in(f.started("b"));
        var events = f.in(f.cancel(10_000));
        assertThat(types(events)).containsExactly(RunCancelRequested.class, StepCancelRequested.class, StepCancelRequested.class,
                StepCanceled.class, StepCanceled.class);
        assertThat(f.state.status()).isEqualTo(RunStatus.CANCELING);
        var bCanceled = new Input.Failed(f.id(), "run-cancel", f.now, "t", "b", 1, f.step("b").attemptId(), "agent-1",
                ErrorClass.CANCELED, "killed", 143, false, 3);
        f.in(bCanceled);
        assertThat(f.state.status()).as("c is still out with an agent").isEqualTo(RunStatus.CANCELING);
        f.advance(10_000);
        events = f.in(f.timer(Kind.CANCEL_GRACE, null, 0));
        assertThat(types(events)).containsExactly(StepCanceled.class, RunCanceled.class);
        assertThat(f.state.status()).isEqualTo(RunStatus.CANCELED);
        var late = new Input.Succeeded(f.id(), "run-cancel", f.now, "t", "c", 1, f.step("c").attemptId(), "agent-1", Map.of(), Map.of(), List.of(), 1);
        assertThat(rejection(f.in(late))).isEqualTo(Rejection.RUN_CANCELED);
        assertThat(f.state.steps().values()).noneMatch(s -> s.status() == StepStatus.DISPATCHED && s.key().equals("d"));
    }

    @Test
    void reExecutionFromFailureReusesSucceededSteps() {
        Fold parent = new Fold("run-parent");
        parent.in(parent.request(ORDERS, Map.of("day", "2026-11-20")));
        parent.complete("extract", Map.of("rows", "42"));
        parent.in(parent.started("clean"));
        parent.in(parent.failed("clean", false));
        assertThat(parent.state.status()).isEqualTo(RunStatus.FAILED);
        var events = parent.in(new Input.RetryRun(parent.id(), "run-parent", parent.now, "t", "bob", "run-child"));
        assertThat(events).singleElement().extracting(Envelope::event).isInstanceOfSatisfying(RunRetried.class,
                r -> assertThat(r.reusedSteps()).containsExactly("extract"));

        Fold child = new Fold("run-child");
        var reuse = Map.of("extract", new Reused("run-parent", 1, Map.of("rows", "42")));
        child.in(new Input.RequestRun(child.id(), "run-child", child.now, "t", "orders_daily", null, Map.of("day", "2026-11-20"),
                Map.of(), Origin.RETRY, "run-parent", "bob", null, ORDERS, reuse, null));
        assertThat(child.step("extract").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(child.step("extract").reusedFrom()).isEqualTo("run-parent");
        assertThat(child.step("clean").status()).isEqualTo(StepStatus.DISPATCHED);
        assertThat(((RunAction) child.actions.get(child.step("clean").attemptId())).getScript()).contains("test \"42\" = \"42\"");
        assertThat(child.state.parentRunId()).isEqualTo("run-parent");

        var again = parent.in(new Input.RetryRun(parent.id(), "run-parent", parent.now, "t", "bob", "run-child"));
        assertThat(again.getFirst().event()).isInstanceOf(CommandRejected.class);
    }

    @Test
    void outputsOverTheCapFailTheStepWithAClearMessage() {
        var settings = new DeciderSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), 100, Duration.ofDays(1), Map.of(), Duration.ofSeconds(5));
        Fold f = new Fold(settings, "run-big");
        f.in(f.request(ORDERS, Map.of()));
        f.in(f.started("extract"));
        var events = f.in(f.succeeded("extract", Map.of("blob", "x".repeat(200))));
        assertThat(events.getFirst().event()).isInstanceOfSatisfying(StepFailed.class, sf -> {
            assertThat(sf.message()).contains("over the 100-byte cap");
            assertThat(sf.last()).isTrue();
        });
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void runTimeoutCancelsRunningStepsAndFailsTheRun() {
        JobDefinition def = Fold.job("""
                name: slow
                timeout: PT1M
                steps:
                  - { key: a, sleep: PT10M }
                  - { key: b, needs: [a], noop: {} }
                """);
        Fold f = new Fold("run-rt");
        f.in(f.request(def, Map.of()));
        f.in(f.started("a"));
        f.advance(60_000);
        var events = f.in(f.timer(Kind.RUN_TIMEOUT, null, 0));
        assertThat(types(events)).containsExactly(StepCancelRequested.class, StepCanceled.class, StepSkipped.class, RunFailed.class);
        assertThat(((RunFailed) events.getLast().event()).timedOut()).isTrue();
    }

    @Test
    void failureHooksRunAfterTheRunFailedAndTheirReportsAreAccepted() {
        JobDefinition def = Fold.job("""
                name: hooked
                steps:
                  - { key: work, noop: {} }
                onFailure:
                  - { key: alert, noop: {} }
                """);
        Fold f = new Fold("run-hook");
        f.in(f.request(def, Map.of()));
        f.in(f.started("work"));
        var events = f.in(f.failed("work", false));
        assertThat(types(events)).containsExactly(StepFailed.class, RunFailed.class, StepDispatched.class);
        assertThat(events.getLast().stepKey()).isEqualTo("alert");
        f.complete("alert", Map.of());
        assertThat(f.step("alert").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void successSkipsFailureHooks() {
        JobDefinition def = Fold.job("""
                name: hooked2
                steps:
                  - { key: work, noop: {} }
                onFailure:
                  - { key: alert, noop: {} }
                """);
        Fold f = new Fold("run-hook2");
        f.in(f.request(def, Map.of()));
        f.complete("work", Map.of());
        assertThat(f.step("alert").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void jobConcurrencyLimitKeepsTheRunQueuedUntilAdmitted() {
        JobDefinition def = Fold.job("""
                name: limited
                concurrency: { maxRuns: 1 }
                steps:
                  - { key: a, noop: {} }
                """);
        Fold f = new Fold("run-lim");
        var events = f.in(f.request(def, Map.of()));
        assertThat(types(events)).containsExactly(RunRequested.class, RunQueued.class);
        events = f.in(new Input.AdmitRun(f.id(), "run-lim", f.now, "t", "limited"));
        assertThat(types(events)).containsExactly(RunStarted.class, StepDispatched.class);
        assertThat(f.in(new Input.AdmitRun(f.id(), "run-lim", f.now, "t", "limited")).getFirst().event())
                .isInstanceOf(CommandRejected.class);
    }

    @Test
    void poolLimitQueuesStepsUntilAdmitted() {
        var settings = new DeciderSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), 1024, Duration.ofDays(1),
                Map.of("gpu", 1), Duration.ofSeconds(5));
        JobDefinition def = Fold.job("""
                name: gpu
                steps:
                  - { key: train, pool: gpu, noop: {} }
                """);
        Fold f = new Fold(settings, "run-gpu");
        var events = f.in(f.request(def, Map.of()));
        assertThat(types(events)).endsWith(StepQueued.class);
        events = f.in(new Input.AdmitStep(f.id(), "run-gpu", f.now, "t", "train", "gpu"));
        assertThat(types(events)).containsExactly(StepDispatched.class);
    }

    @Test
    void retentionExpiresFinishedRunsOnly() {
        Fold f = new Fold("run-exp");
        f.in(f.request(DIAMOND, Map.of()));
        assertThat(f.in(f.timer(Kind.RETENTION, null, 0))).isEmpty();
        f.in(f.cancel(1000));
        assertThat(f.in(f.timer(Kind.RETENTION, null, 0))).as("canceling, not finished").isEmpty();
        f.advance(1000);
        f.in(f.timer(Kind.CANCEL_GRACE, null, 0));
        var events = f.in(f.timer(Kind.RETENTION, null, 0));
        assertThat(types(events)).containsExactly(RunExpired.class);
    }

    private static Rejection rejection(List<Envelope> events) {
        return events.stream().map(Envelope::event).filter(e -> e instanceof ReportRejected).map(e -> ((ReportRejected) e).rejection())
                .findFirst().orElseThrow(() -> new AssertionError("no ReportRejected in " + events));
    }
}
