package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.events.JobDefinition;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replay-equivalence property (see {@link ReplayEquivalencePropertyTest}) over sub-job steps and the step cache:
 * random cache answers (none, fresh, expired, for a wrong key, late), child-run ends (each outcome, stale children,
 * duplicates), agent reports, retries, cancellations and bypassing runs. After every input {@link Fold} checks that
 * the state rebuilt from the events alone equals the live state (and the split store's); the invariants below hold.
 */
class DynamicReplayPropertyTest {
    static final int SEEDS = 300;

    static final JobDefinition DYN = Fold.job("""
            name: dyn
            params: { p: { default: "1" } }
            steps:
              - key: a
                run: echo a
                retry: { maxAttempts: 2, backoff: 1s }
                cache: { key: "k-${{ params.p }}", ttl: 10m }
                produces: [dyn_a]
              - key: sub
                needs: [a]
                job: { name: other, params: { x: "${{ steps.a.outputs.v }}" } }
                retry: { maxAttempts: 2, backoff: 1s }
              - key: b
                needs: [sub]
                run: echo b
                cache: { key: "b-${{ steps.sub.outputs.v }}", ttl: 1m }
            onFailure:
              - { key: hook, run: echo failed }
            """);

    @Test
    void subJobAndCacheScenariosReplayToTheLiveStateAndKeepTheirInvariants() {
        int total = 0;
        Map<Class<?>, Integer> seen = new java.util.HashMap<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            total += scenario(seed, seen);
        }
        assertThat(total).as("the scenarios exercised the engine").isGreaterThan(5_000);
        assertThat(seen.keySet()).as("every sub-job and cache event type occurred").contains(Event.StepSubJobStarted.class,
                Event.StepCacheLookup.class, Event.StepCacheHit.class, Event.StepCacheMiss.class, Event.RunCanceled.class,
                Event.RunSucceeded.class, Event.RunFailed.class);
    }

    private int scenario(long seed, Map<Class<?>, Integer> seen) {
        Random rnd = new Random(seed);
        Fold f = new Fold("dyn-" + seed);
        Input.RequestRun r = f.request(DYN, Map.of("p", String.valueOf(rnd.nextInt(2))));
        f.in(new Input.RequestRun(r.eventId(), r.runId(), r.timestamp(), r.traceId(), r.job(), null, r.params(), r.tags(),
                r.origin(), null, null, null, DYN, Map.of(), null, null, List.of(), rnd.nextInt(5) == 0));
        List<String> children = new ArrayList<>();
        RunStatus finishedAs = null;
        for (int i = 0; i < 60; i++) {
            f.advance(rnd.nextInt(4) == 0 ? 70_000 : rnd.nextInt(2_000));
            List<String> keys = List.copyOf(f.state.steps().keySet());
            StepState st = f.state.step(keys.get(rnd.nextInt(keys.size())));
            switch (rnd.nextInt(9)) {
                case 0, 1 -> { // a cache answer: none, fresh, expired, for another index key
                    String index = lastLookup(f, st.key());
                    if (index == null || rnd.nextInt(6) == 0) {
                        index = "wrong-index";
                    }
                    Input.CacheEntry entry = switch (rnd.nextInt(3)) {
                        case 0 -> null;
                        case 1 -> new Input.CacheEntry(index, "k", "earlier", st.key(), 1, f.now.minusSeconds(rnd.nextInt(900)),
                                Map.of("v", "7"), Map.of(), List.of(new Event.Materialized("dyn_a", null, "m-1", "v1")));
                        default -> new Input.CacheEntry(index, "k", "earlier", st.key(), 1, f.now.minusSeconds(3_600),
                                Map.of("v", "7"), Map.of(), List.of());
                    };
                    f.in(new Input.CacheAnswer(f.id(), f.runId, f.now, "t", st.key(), index, entry));
                }
                case 2, 3 -> { // a child run ends: the current one, or a stale / unknown one
                    String child = !children.isEmpty() && rnd.nextInt(3) > 0 ? children.get(rnd.nextInt(children.size()))
                            : "unknown-child";
                    var outcome = Input.ChildRunEnded.Outcome.values()[rnd.nextInt(3)];
                    f.in(new Input.ChildRunEnded(f.id(), f.runId, f.now, "t", child, outcome, Map.of("v", "9"), "r", 5));
                }
                case 4, 5 -> { // an agent report for the step's current attempt
                    if (st.attemptId() != null) {
                        if (st.status() == StepStatus.DISPATCHED && rnd.nextBoolean()) {
                            f.in(f.started(st.key()));
                        } else if (rnd.nextBoolean()) {
                            f.in(f.succeeded(st.key(), Map.of("v", String.valueOf(rnd.nextInt(3)))));
                        } else {
                            f.in(f.failed(st.key(), rnd.nextBoolean()));
                        }
                    }
                }
                case 6 -> f.in(f.timer(Input.Timer.Kind.RETRY, st.key(), st.attempt() + 1));
                case 7 -> {
                    if (rnd.nextInt(4) == 0) {
                        f.in(f.cancel(rnd.nextBoolean() ? 1_000 : 60_000));
                    }
                }
                default -> f.in(f.timer(Input.Timer.Kind.CANCEL_GRACE, null, 0));
            }
            for (Envelope e : f.log) {
                if (e.event() instanceof Event.StepSubJobStarted s && !children.contains(s.childRunId())) {
                    children.add(s.childRunId());
                }
            }
            if (finishedAs != null) {
                assertThat(f.state.status()).as("seed %d: a finished run keeps its outcome", seed).isEqualTo(finishedAs);
            } else if (f.state.isFinished()) {
                finishedAs = f.state.status();
            }
        }
        // one child per (step, attempt), its id derived from them
        Set<String> attempts = new HashSet<>();
        Set<String> dispatchedSteps = new HashSet<>();
        for (Envelope e : f.log) {
            seen.merge(e.event().getClass(), 1, Integer::sum);
            if (e.event() instanceof Event.StepSubJobStarted s) {
                assertThat(attempts.add(e.stepKey() + "#" + s.attempt())).as("seed %d: one child per attempt", seed).isTrue();
                assertThat(s.childRunId()).isEqualTo(SubJobs.childRunId("other", f.runId, e.stepKey(), s.attempt()));
            }
            if (e.event() instanceof Event.StepDispatched) {
                dispatchedSteps.add(e.stepKey());
            }
            if (e.event() instanceof Event.StepCacheHit) {
                assertThat(dispatchedSteps).as("seed %d: a cache hit is never dispatched", seed).doesNotContain(e.stepKey());
                assertThat(f.state.noCache()).as("seed %d: a bypassing run never hits", seed).isFalse();
            }
        }
        return f.log.size();
    }

    private static String lastLookup(Fold f, String step) {
        String index = null;
        for (Envelope e : f.log) {
            if (e.event() instanceof Event.StepCacheLookup l && step.equals(e.stepKey())) {
                index = l.indexKey();
            }
        }
        return index;
    }
}
