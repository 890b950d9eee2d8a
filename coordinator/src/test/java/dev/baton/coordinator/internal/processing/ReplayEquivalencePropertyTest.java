package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.fixture.RandomRuns;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Drives random sequences of reports (current, stale, duplicated, late), heartbeats, timer firings
 * (retries, lost agents, step and run timeouts, cancel grace), cancellations and re-executions through
 * the decider ({@link RandomRuns}, shared with the gateway's read-model agreement test). After every input the state
 * rebuilt from the emitted events alone must equal the live state (checked by {@link Fold}), and the engine's
 * invariants must hold.
 */
class ReplayEquivalencePropertyTest {

    @Test
    void stateRebuiltFromEventsAlwaysEqualsLiveStateAndInvariantsHold() {
        int totalEvents = 0;
        for (long seed = 1; seed <= RandomRuns.SEEDS; seed++) {
            totalEvents += runScenario(seed, RandomRuns.SETTINGS);
        }
        assertThat(totalEvents).as("the scenarios exercised the engine").isGreaterThan(10_000);
    }

    private int runScenario(long seed, DeciderSettings settings) {
        Fold f = new Fold(settings, "run-" + seed);
        Map<String, Integer> maxAttempt = new HashMap<>();
        RunStatus[] finishedAs = {null};
        RandomRuns.play(seed, engine(f), in -> {
            // invariants
            if (finishedAs[0] != null) {
                assertThat(f.state.status()).as("seed %d: a finished run never changes its outcome", seed).isEqualTo(finishedAs[0]);
            } else if (f.state.isFinished()) {
                finishedAs[0] = f.state.status();
            }
            for (StepState s : f.state.steps().values()) {
                maxAttempt.merge(s.key(), s.attempt(), Math::max);
                assertThat(s.attempt()).as("seed %d step %s attempts", seed, s.key()).isLessThanOrEqualTo(4);
                if (s.status().isActive()) {
                    assertThat(s.attemptId()).isEqualTo(RunDecider.attemptId(f.runId, s.key(), s.attempt()));
                }
            }
            if (f.state.status() == RunStatus.SUCCEEDED) {
                assertThat(f.state.steps().values()).filteredOn(s -> !s.hook())
                        .allMatch(s -> s.status() == StepStatus.SUCCEEDED);
            }
        });
        // accepted success reports are never for a non-current attempt
        for (Envelope e : f.log) {
            if (e.event() instanceof Event.StepSucceeded ok) {
                assertThat(ok.attemptId()).isEqualTo(RunDecider.attemptId(f.runId, e.stepKey(), ok.attempt()));
            }
        }
        return f.log.size();
    }

    /** The harness (which checks replay equivalence after every input) as the scenarios' engine. */
    private static RandomRuns.Engine engine(Fold f) {
        return new RandomRuns.Engine() {
            @Override public String runId() { return f.runId; }
            @Override public RunState state() { return f.state; }
            @Override public Instant now() { return f.now; }
            @Override public void advance(long ms) { f.advance(ms); }
            @Override public String nextId() { return f.id(); }
            @Override public void in(Input input) { f.in(input); }
        };
    }
}
