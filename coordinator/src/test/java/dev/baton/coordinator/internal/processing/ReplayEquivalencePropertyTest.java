package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Envelope;
import dev.baton.coordinator.internal.events.Event;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer.Kind;
import dev.baton.coordinator.internal.state.RunStatus;
import dev.baton.coordinator.internal.state.StepState;
import dev.baton.coordinator.internal.state.StepStatus;
import dev.baton.events.JobDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Drives random sequences of reports (current, stale, duplicated, late), heartbeats, timer firings
 * (retries, lost agents, step and run timeouts, cancel grace), cancellations and re-executions through
 * the decider. After every input the state rebuilt from the emitted events alone must equal the live
 * state (checked by {@link Fold}), and the engine's invariants must hold.
 */
class ReplayEquivalencePropertyTest {
    static final JobDefinition JOB = Fold.job("""
            name: chaos
            timeout: PT10M
            steps:
              - { key: a, noop: {}, retry: { maxAttempts: 3, backoff: 1s, jitter: 0.3 }, timeout: PT1M }
              - { key: b, needs: [a], noop: {}, retry: { maxAttempts: 2, backoff: 2s } }
              - { key: c, needs: [a], noop: {}, heartbeatTimeout: 20s }
              - { key: d, needs: [b, c], noop: {}, retry: { maxAttempts: 4, backoff: 500ms, multiplier: 3 } }
            onFailure:
              - { key: alert, noop: {} }
            """);
    static final String[] STEPS = {"a", "b", "c", "d", "alert", "ghost"};

    @Test
    void stateRebuiltFromEventsAlwaysEqualsLiveStateAndInvariantsHold() {
        var settings = new DeciderSettings(Duration.ofSeconds(15), Duration.ofSeconds(3), 256, Duration.ofHours(1), Map.of(), Duration.ofSeconds(10));
        int totalEvents = 0;
        for (long seed = 1; seed <= 400; seed++) {
            totalEvents += runScenario(seed, settings);
        }
        assertThat(totalEvents).as("the scenarios exercised the engine").isGreaterThan(10_000);
    }

    private int runScenario(long seed, DeciderSettings settings) {
        Random rnd = new Random(seed);
        Fold f = new Fold(settings, "run-" + seed);
        f.in(f.request(JOB, Map.of()));
        List<Input> sent = new ArrayList<>();
        Map<String, Integer> maxAttempt = new HashMap<>();
        RunStatus finishedAs = null;
        for (int i = 0; i < 80; i++) {
            f.advance(rnd.nextInt(4000));
            Input in = next(f, rnd, sent);
            if (in == null) {
                continue;
            }
            sent.add(in);
            try {
                f.in(in);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " input " + i + " " + in + ": " + e.getMessage(), e);
            }
            // invariants
            if (finishedAs != null) {
                assertThat(f.state.status()).as("seed %d: a finished run never changes its outcome", seed).isEqualTo(finishedAs);
            } else if (f.state.isFinished()) {
                finishedAs = f.state.status();
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
        }
        // accepted success reports are never for a non-current attempt
        for (Envelope e : f.log) {
            if (e.event() instanceof Event.StepSucceeded ok) {
                assertThat(ok.attemptId()).isEqualTo(RunDecider.attemptId(f.runId, e.stepKey(), ok.attempt()));
            }
        }
        return f.log.size();
    }

    private static Input next(Fold f, Random rnd, List<Input> sent) {
        int dice = rnd.nextInt(100);
        String step = STEPS[rnd.nextInt(STEPS.length)];
        StepState s = f.state.step(step);
        if (dice < 8 && !sent.isEmpty()) {
            return sent.get(rnd.nextInt(sent.size())); // duplicate or late delivery of an earlier input
        }
        if (dice < 60) {
            int attempt = s == null ? 1 : (rnd.nextInt(5) == 0 ? Math.max(1, s.attempt() - 1) : s.attempt());
            String attemptId = RunDecider.attemptId(f.runId, step, attempt);
            return switch (rnd.nextInt(4)) {
                case 0 -> new Input.Started(f.id(), f.runId, f.now, "t", step, attempt, attemptId, "agent-" + rnd.nextInt(2), "h", "r");
                case 1 -> new Input.Heartbeat(f.id(), f.runId, f.now, "t", step, attempt, attemptId, "agent-1");
                case 2 -> new Input.Succeeded(f.id(), f.runId, f.now, "t", step, attempt, attemptId, "agent-1",
                        rnd.nextInt(10) == 0 ? Map.of("big", "x".repeat(300)) : Map.of("rows", String.valueOf(rnd.nextInt(100))),
                        Map.of(), List.of(), rnd.nextInt(1000));
                default -> new Input.Failed(f.id(), f.runId, f.now, "t", step, attempt, attemptId, "agent-1",
                        Event.ErrorClass.values()[rnd.nextInt(4)], "boom", 1, rnd.nextBoolean(), 10);
            };
        }
        if (dice < 90) {
            Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
            int attempt = s == null ? 1 : s.attempt() + (kind == Kind.RETRY ? 1 : 0);
            return new Input.TimerFired(f.id(), f.runId, f.now, "t",
                    new Input.Timer(kind, f.runId, kind == Kind.RUN_TIMEOUT || kind == Kind.CANCEL_GRACE || kind == Kind.RETENTION ? null : step,
                            attempt, f.now));
        }
        if (dice < 95) {
            return f.cancel(rnd.nextInt(20_000));
        }
        return new Input.RetryRun(f.id(), f.runId, f.now, "t", "bob", "child-" + rnd.nextInt(3));
    }
}
