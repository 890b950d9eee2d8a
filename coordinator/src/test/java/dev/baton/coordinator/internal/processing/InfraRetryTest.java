package dev.baton.coordinator.internal.processing;

import static dev.baton.coordinator.internal.processing.Fold.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer.Kind;
import dev.baton.events.JobDefinition;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The infrastructure-retry budget: an attempt lost to its agent (LOST: no heartbeat; or cut short by an orderly agent
 * shutdown) is dispatched again under its own budget, separate from the step's retry policy. Every event sequence is
 * checked for replay equivalence by {@link Fold}.
 */
class InfraRetryTest {

    static final JobDefinition NO_RETRY = Fold.job("""
            name: plain
            steps:
              - { key: work, noop: {} }
            """);

    static final JobDefinition ONE_RETRY = Fold.job("""
            name: retried
            steps:
              - { key: work, noop: {}, retry: { maxAttempts: 2, backoff: 1s } }
            """);

    private static DeciderSettings settings(int infraRetries) {
        return new DeciderSettings(Duration.ofSeconds(10), Duration.ofSeconds(2), 1024, Duration.ofDays(1), Map.of(),
                Duration.ofSeconds(5), infraRetries);
    }

    /** Starts the current attempt and lets its heartbeat deadline pass. */
    private static java.util.List<dev.baton.runmodel.events.Envelope> lose(Fold f, String step) {
        f.in(f.started(step));
        f.advance(10_000);
        return f.in(f.timer(Kind.HEARTBEAT_DEADLINE, step, f.step(step).attempt()));
    }

    private static void fireRetry(Fold f, String step) {
        f.advance(f.step(step).retryDueAt().toEpochMilli() - f.now.toEpochMilli());
        f.in(f.timer(Kind.RETRY, step, f.step(step).attempt() + 1));
    }

    private static Input.Failed agentShutdown(Fold f, String step) {
        var s = f.step(step);
        return new Input.Failed(f.id(), f.runId, f.now, "t", step, s.attempt(), s.attemptId(), "agent-1",
                ErrorClass.CANCELED, "agent agent-1 shut down before the step finished", 143, true, 3);
    }

    @Test
    void aLostAttemptOfAStepWithoutRetryIsDispatchedAgainAndTheRunSucceeds() {
        Fold f = new Fold(settings(3), "run-infra");
        f.in(f.request(NO_RETRY, Map.of()));
        var events = lose(f, "work");
        assertThat(types(events)).containsExactly(StepLost.class, StepFailed.class, StepRetryScheduled.class);
        assertThat(((StepFailed) events.get(1).event()).last()).isFalse();
        assertThat(((StepRetryScheduled) events.get(2).event()).infrastructure()).isTrue();
        assertThat(f.step("work").status()).isEqualTo(StepStatus.RETRY_WAIT);
        assertThat(f.step("work").infraRetries()).isEqualTo(1);

        fireRetry(f, "work");
        assertThat(f.step("work").status()).isEqualTo(StepStatus.DISPATCHED);
        assertThat(f.step("work").attempt()).isEqualTo(2);
        f.complete("work", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void theBudgetIsSpentThenTheLossIsFinalForAStepWithoutRetry() {
        Fold f = new Fold(settings(2), "run-budget");
        f.in(f.request(NO_RETRY, Map.of()));
        for (int i = 0; i < 2; i++) {
            lose(f, "work");
            fireRetry(f, "work");
        }
        assertThat(f.step("work").attempt()).isEqualTo(3);
        var events = lose(f, "work");
        assertThat(types(events)).containsExactly(StepLost.class, StepFailed.class, RunFailed.class);
        assertThat(((StepFailed) events.get(1).event()).last()).isTrue();
        assertThat(f.step("work").status()).isEqualTo(StepStatus.FAILED);
    }

    @Test
    void infrastructureRetriesDoNotSpendTheStepsOwnRetries() {
        Fold f = new Fold(settings(1), "run-separate");
        f.in(f.request(ONE_RETRY, Map.of()));
        lose(f, "work");
        fireRetry(f, "work");
        // attempt 2 fails on its own: the step's one retry is still there
        f.in(f.started("work"));
        var events = f.in(f.failed("work", true));
        assertThat(types(events)).containsExactly(StepFailed.class, StepRetryScheduled.class);
        assertThat(((StepRetryScheduled) events.get(1).event()).infrastructure()).isFalse();
        fireRetry(f, "work");
        assertThat(f.step("work").attempt()).isEqualTo(3);
        // infra budget spent: a loss now falls back to the step's policy, which is spent too
        events = lose(f, "work");
        assertThat(types(events)).containsExactly(StepLost.class, StepFailed.class, RunFailed.class);
    }

    @Test
    void anAttemptCutShortByAnOrderlyAgentShutdownIsDispatchedAgain() {
        Fold f = new Fold(settings(3), "run-drain");
        f.in(f.request(NO_RETRY, Map.of()));
        f.in(f.started("work"));
        var events = f.in(agentShutdown(f, "work"));
        assertThat(types(events)).containsExactly(StepFailed.class, StepRetryScheduled.class);
        assertThat(((StepRetryScheduled) events.get(1).event()).infrastructure()).isTrue();
        fireRetry(f, "work");
        f.complete("work", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void userErrorsAndZeroBudgetAreNotInfrastructureRetries() {
        Fold f = new Fold(settings(3), "run-user");
        f.in(f.request(NO_RETRY, Map.of()));
        f.in(f.started("work"));
        assertThat(types(f.in(f.failed("work", true)))).containsExactly(StepFailed.class, RunFailed.class);

        Fold off = new Fold(settings(0), "run-off");
        off.in(off.request(NO_RETRY, Map.of()));
        assertThat(types(lose(off, "work"))).containsExactly(StepLost.class, StepFailed.class, RunFailed.class);
    }

    @Test
    void theJobsInfraRetriesOverrideTheCoordinatorsBudgetAndAStepsOverrideTheJobs() {
        JobDefinition none = Fold.job("""
                name: none
                infraRetries: 0
                steps:
                  - { key: work, noop: {} }
                """);
        Fold zero = new Fold(settings(3), "run-job-zero");
        zero.in(zero.request(none, Map.of()));
        assertThat(types(lose(zero, "work"))).containsExactly(StepLost.class, StepFailed.class, RunFailed.class);

        JobDefinition five = Fold.job("""
                name: five
                infraRetries: 5
                steps:
                  - { key: work, noop: {} }
                """);
        Fold f = new Fold(settings(3), "run-job-five");
        f.in(f.request(five, Map.of()));
        for (int i = 0; i < 5; i++) {
            assertThat(types(lose(f, "work"))).as("loss %d", i + 1)
                    .containsExactly(StepLost.class, StepFailed.class, StepRetryScheduled.class);
            fireRetry(f, "work");
        }
        assertThat(f.step("work").attempt()).isEqualTo(6);
        assertThat(types(lose(f, "work"))).containsExactly(StepLost.class, StepFailed.class, RunFailed.class);

        JobDefinition stepWins = Fold.job("""
                name: step_wins
                infraRetries: 0
                steps:
                  - { key: work, noop: {}, infraRetries: 1 }
                """);
        Fold s = new Fold(settings(3), "run-step-wins");
        s.in(s.request(stepWins, Map.of()));
        assertThat(types(lose(s, "work"))).containsExactly(StepLost.class, StepFailed.class, StepRetryScheduled.class);
        fireRetry(s, "work");
        assertThat(types(lose(s, "work"))).containsExactly(StepLost.class, StepFailed.class, RunFailed.class);
    }

    @Test
    void aLateResultOfTheLostAttemptIsRejectedAsStale() {
        Fold f = new Fold(settings(3), "run-stale");
        f.in(f.request(NO_RETRY, Map.of()));
        f.in(f.started("work"));
        var lostAttempt = f.succeeded("work", Map.of()); // the zombie's result, built while attempt 1 was current
        f.advance(10_000);
        f.in(f.timer(Kind.HEARTBEAT_DEADLINE, "work", 1));
        fireRetry(f, "work");
        var events = f.in(lostAttempt);
        assertThat(events).singleElement().extracting(e -> e.event()).isInstanceOfSatisfying(ReportRejected.class,
                r -> assertThat(r.rejection()).isEqualTo(Rejection.STALE_ATTEMPT));
        f.complete("work", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }
}
