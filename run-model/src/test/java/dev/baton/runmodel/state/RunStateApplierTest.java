package dev.baton.runmodel.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.JobDefinition;
import dev.baton.runmodel.TestRuns;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.Event.*;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold alone: statuses, attempts and times of a run and its steps come from the events. */
class RunStateApplierTest {
    static final Instant T0 = TestRuns.T0;
    static final JobDefinition DEF = TestRuns.TWO;

    final List<Envelope> log = new ArrayList<>();

    Envelope ev(String step, Event e) {
        long seq = log.size() + 1;
        Envelope env = new Envelope("e" + seq, "r1", T0.plusSeconds(seq), "t", "two", seq, step, e);
        log.add(env);
        return env;
    }

    static RunRequested requested(Map<String, Reused> reuse) {
        return new RunRequested("two", DEF, null, Map.of(), Map.of(), Origin.API, null, "ops", 0, reuse, null);
    }

    @Test
    void aRunWithARetriedStepFoldsToItsStatusesAttemptsAndTimes() {
        ev(null, requested(Map.of()));
        ev(null, new RunStarted());
        ev("a", new StepDispatched(1, "a1", "default", List.of()));
        ev("a", new StepStarted(1, "a1", "ag", "h", "eu"));
        ev("a", new StepFailed(1, "a1", ErrorClass.USER_ERROR, "exit 1", 1, true, false, 5));
        ev("a", new StepRetryScheduled(2, T0.plusSeconds(60), 1000));
        RunState waiting = RunStateApplier.replay(log);
        assertThat(waiting.step("a").status()).isEqualTo(StepStatus.RETRY_WAIT);
        assertThat(waiting.step("a").retryDueAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(waiting.step("a").lastError()).isEqualTo(ErrorClass.USER_ERROR);
        ev("a", new StepDispatched(2, "a2", "default", List.of()));
        ev("a", new StepSucceeded(2, "a2", Map.of("rows", "3"), Map.of(), 4, List.of()));
        ev("b", new StepSkipped("not needed"));
        ev(null, new RunSucceeded(10));

        RunState s = RunStateApplier.replay(log);
        assertThat(s.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(s.isFinished()).isTrue();
        assertThat(s.startedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(s.sequence()).isEqualTo(10);
        assertThat(s.step("a").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(s.step("a").attempt()).isEqualTo(2);
        assertThat(s.step("a").attemptId()).isEqualTo("a2");
        assertThat(s.step("a").lastError()).as("cleared by the success").isNull();
        assertThat(s.step("a").outputs()).isEqualTo(Map.of("rows", "3"));
        assertThat(s.step("b").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(s.step("alert").hook()).isTrue();
        assertThat(s.step("alert").status()).isEqualTo(StepStatus.PENDING);
        assertThat(List.copyOf(s.steps().keySet())).containsExactly("a", "b", "alert");
    }

    @Test
    void aReusedStepSucceedsWithTheRunAndAttemptItCameFrom() {
        ev(null, requested(Map.of("a", new Reused("r0", 3, Map.of("rows", "7")))));
        ev("a", new StepReused("r0", 3, Map.of("rows", "7")));
        StepState a = RunStateApplier.replay(log).step("a");
        assertThat(a.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(a.reusedFrom()).isEqualTo("r0");
        assertThat(a.attempt()).isEqualTo(3);
        assertThat(a.outputs()).isEqualTo(Map.of("rows", "7"));
    }

    @Test
    void eventsOfAnUnknownRunLeaveNothingAndInconsistentHistoriesFailLoudly() {
        assertThat(RunStateApplier.apply(null, ev(null, new CommandRejected("CancelRun", Rejection.UNKNOWN_RUN, "no run", "c1"))))
                .isNull();
        log.clear();
        RunState s = RunStateApplier.apply(null, ev(null, requested(Map.of())));
        assertThatThrownBy(() -> RunStateApplier.apply(s, ev(null, requested(Map.of()))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("existing run");
        assertThatThrownBy(() -> RunStateApplier.apply(s, ev("ghost", new StepQueued("default"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown step ghost");
    }
}
