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

    @Test
    void theSameHoldsWithForEachInstancesConditionsAndRunIf() {
        int totalEvents = 0;
        int mapped = 0;
        int skippedByCondition = 0;
        for (long seed = 1; seed <= RandomRuns.SEEDS; seed++) {
            Fold f = new Fold(RandomRuns.SETTINGS, "dyn-" + seed);
            totalEvents += runScenario(seed, f, true);
            for (Envelope e : f.log) {
                mapped += e.event() instanceof Event.StepMapped ? 1 : 0;
                skippedByCondition += e.event() instanceof Event.StepSkipped sk && sk.reason().startsWith("condition is false") ? 1 : 0;
            }
            // at most maxParallel instances in flight, counted from the events
            java.util.Set<String> active = new java.util.HashSet<>();
            for (Envelope e : f.log) {
                if (!dev.baton.runmodel.state.StepInstances.isInstance(e.stepKey())) {
                    continue;
                }
                switch (e.event()) {
                    case Event.StepDispatched d -> active.add(e.stepKey());
                    case Event.StepQueued q -> active.add(e.stepKey());
                    case Event.StepSucceeded x -> active.remove(e.stepKey());
                    case Event.StepFailed x -> { if (x.last()) { active.remove(e.stepKey()); } }
                    case Event.StepCanceled x -> active.remove(e.stepKey());
                    case Event.StepSkipped x -> active.remove(e.stepKey());
                    default -> { }
                }
                assertThat(active.size()).as("seed %d: instances in flight", seed).isLessThanOrEqualTo(2);
            }
        }
        assertThat(totalEvents).as("the scenarios exercised the engine").isGreaterThan(10_000);
        assertThat(mapped).as("runs that mapped their list").isGreaterThan(15);
        assertThat(skippedByCondition).as("steps skipped by their condition").isGreaterThan(15);
    }

    private int runScenario(long seed, DeciderSettings settings) {
        return runScenario(seed, new Fold(settings, "run-" + seed), false);
    }

    private int runScenario(long seed, Fold f, boolean dynamic) {
        Map<String, Integer> maxAttempt = new HashMap<>();
        RunStatus[] finishedAs = {null};
        java.util.function.Consumer<Input> check = in -> {
            // invariants
            if (finishedAs[0] != null) {
                assertThat(f.state.status()).as("seed %d: a finished run never changes its outcome", seed).isEqualTo(finishedAs[0]);
            } else if (f.state.isFinished()) {
                finishedAs[0] = f.state.status();
            }
            for (StepState s : f.state.steps().values()) {
                maxAttempt.merge(s.key(), s.attempt(), Math::max);
                assertThat(s.attempt()).as("seed %d step %s attempts", seed, s.key()).isLessThanOrEqualTo(4);
                if (s.status().isActive() && s.forEach() == null) { // a forEach step has no attempt of its own
                    assertThat(s.attemptId()).isEqualTo(RunDecider.attemptId(f.runId, s.key(), s.attempt()));
                }
            }
            if (f.state.status() == RunStatus.SUCCEEDED) {
                // a step skipped by its condition (or after one) does not fail the run
                assertThat(f.state.steps().values()).filteredOn(s -> !s.hook())
                        .allMatch(s -> s.status() == StepStatus.SUCCEEDED || dynamic && s.status() == StepStatus.SKIPPED);
            }
        };
        if (dynamic) {
            RandomRuns.playDynamic(seed, engine(f), check);
        } else {
            RandomRuns.play(seed, engine(f), check);
        }
        // accepted success reports are never for a non-current attempt
        for (Envelope e : f.log) {
            if (e.event() instanceof Event.StepSucceeded ok && !(dynamic && e.stepKey().equals("m") && ok.attempt() == 0)) {
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
