package dev.baton.coordinator.internal.processing;

import static dev.baton.coordinator.internal.processing.Fold.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.events.JobDefinition;
import dev.baton.platform.RunIds;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold of sub-job steps and the step cache (replay equivalence is checked by {@link Fold} after every input). */
class SubJobsAndCacheTest {

    static final JobDefinition PARENT = Fold.job("""
            name: parent
            params: { day: { required: true } }
            steps:
              - key: call
                job: { name: child, params: { day: "${{ params.day }}", fixed: x } }
              - { key: after, needs: [call], run: 'echo "${{ steps.call.outputs.rows }}"' }
            """);

    static final JobDefinition CACHED = Fold.job("""
            name: cached
            params: { day: { required: true } }
            steps:
              - key: compute
                run: echo hi
                cache: { key: "orders-${{ params.day }}", ttl: 1h }
                produces: [daily_orders]
              - { key: next, needs: [compute], run: 'echo "${{ steps.compute.outputs.rows }}"' }
            """);

    static Input.ChildRunEnded childEnded(Fold f, String child, Input.ChildRunEnded.Outcome outcome, Map<String, String> out) {
        return new Input.ChildRunEnded(f.id(), f.runId, f.now, "trace", child, outcome, out, "because", 10);
    }

    static <T extends Event> T only(List<Envelope> events, Class<T> type) {
        return events.stream().map(Envelope::event).filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Test
    void aSubJobStepStartsOneChildRunWithADeterministicIdAndTakesItsOutputs() {
        Fold f = new Fold("run-p");
        var events = f.in(f.request(PARENT, Map.of("day", "2026-12-01")));
        StepSubJobStarted started = only(events, StepSubJobStarted.class);
        assertThat(types(events)).doesNotContain(StepDispatched.class);
        assertThat(started.job()).isEqualTo("child");
        assertThat(started.params()).containsEntry("day", "2026-12-01").containsEntry("fixed", "x");
        assertThat(started.childRunId()).isEqualTo(RunIds.forRunKey("child", "subjob:run-p/call#1"))
                .isEqualTo(SubJobs.childRunId("child", "run-p", "call", 1));
        assertThat(f.step("call").status()).isEqualTo(StepStatus.RUNNING);
        assertThat(f.step("call").childRunId()).isEqualTo(started.childRunId());

        events = f.in(childEnded(f, started.childRunId(), Input.ChildRunEnded.Outcome.SUCCEEDED, Map.of("rows", "7")));
        assertThat(types(events)).containsExactly(StepSucceeded.class, StepDispatched.class);
        assertThat(f.step("call").outputs()).containsEntry("rows", "7");
        assertThat(((dev.baton.events.RunAction) f.actions.get(f.step("after").attemptId())).getScript()).contains("7");

        // the same end again (a replayed command) is rejected, not applied twice
        events = f.in(childEnded(f, started.childRunId(), Input.ChildRunEnded.Outcome.SUCCEEDED, Map.of("rows", "8")));
        assertThat(only(events, CommandRejected.class).rejection()).isEqualTo(Rejection.DUPLICATE_REPORT);
        assertThat(f.step("call").outputs()).containsEntry("rows", "7");
    }

    @Test
    void aFailedChildFailsTheStepAndTheRunAndACanceledChildToo() {
        Fold f = new Fold("run-f");
        String child = only(f.in(f.request(PARENT, Map.of("day", "d"))), StepSubJobStarted.class).childRunId();
        var events = f.in(childEnded(f, child, Input.ChildRunEnded.Outcome.FAILED, Map.of()));
        StepFailed failed = only(events, StepFailed.class);
        assertThat(failed.message()).contains("sub-job run " + child + " failed: because");
        assertThat(failed.last()).isTrue();
        assertThat(f.step("after").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);

        Fold g = new Fold("run-g");
        String child2 = only(g.in(g.request(PARENT, Map.of("day", "d"))), StepSubJobStarted.class).childRunId();
        g.in(childEnded(g, child2, Input.ChildRunEnded.Outcome.CANCELED, Map.of()));
        assertThat(g.step("call").status()).isEqualTo(StepStatus.FAILED);
        assertThat(g.step("call").lastError()).isEqualTo(ErrorClass.CANCELED);
        assertThat(g.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void aRetriedSubJobStepStartsANewChildPerAttempt() {
        JobDefinition retrying = Fold.job("""
                name: parent2
                steps:
                  - { key: call, job: child, retry: { maxAttempts: 2, backoff: 1s } }
                """);
        Fold f = new Fold("run-r");
        String first = only(f.in(f.request(retrying, Map.of())), StepSubJobStarted.class).childRunId();
        f.in(childEnded(f, first, Input.ChildRunEnded.Outcome.FAILED, Map.of()));
        assertThat(f.step("call").status()).isEqualTo(StepStatus.RETRY_WAIT);
        f.advance(1000);
        var events = f.in(f.timer(Input.Timer.Kind.RETRY, "call", 2));
        String second = only(events, StepSubJobStarted.class).childRunId();
        assertThat(second).isEqualTo(SubJobs.childRunId("child", "run-r", "call", 2)).isNotEqualTo(first);
        // the first child's late end is not about the current attempt
        assertThat(only(f.in(childEnded(f, first, Input.ChildRunEnded.Outcome.SUCCEEDED, Map.of())), CommandRejected.class)
                .rejection()).isEqualTo(Rejection.UNKNOWN_STEP);
        f.in(childEnded(f, second, Input.ChildRunEnded.Outcome.SUCCEEDED, Map.of()));
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aCallCycleThroughOtherJobsFailsTheStepInsteadOfStartingARun() {
        JobDefinition b = Fold.job("""
                name: b
                steps:
                  - { key: back, job: a }
                """);
        Fold f = new Fold("run-b");
        Input.RequestRun r = f.request(b, Map.of());
        // b was started by a sub-job step of a: calling a again would loop forever
        var events = f.in(new Input.RequestRun(r.eventId(), r.runId(), r.timestamp(), r.traceId(), r.job(), "subjob:x/y#1",
                r.params(), r.tags(), Event.Origin.SUBJOB, "run-a", null, null, b, Map.of(), null, null, List.of("a"), false));
        assertThat(types(events)).doesNotContain(StepSubJobStarted.class);
        assertThat(only(events, StepFailed.class).message()).contains("sub-job cycle: a -> b -> a");
        assertThat(f.state.callChain()).containsExactly("a");
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void cancelingTheParentAsksTheChildToStopAndEndsWhenTheChildHasEnded() {
        Fold f = new Fold("run-c");
        String child = only(f.in(f.request(PARENT, Map.of("day", "d"))), StepSubJobStarted.class).childRunId();
        var events = f.in(f.cancel(30_000));
        assertThat(types(events)).contains(RunCancelRequested.class, StepCancelRequested.class);
        assertThat(f.state.status()).isEqualTo(RunStatus.CANCELING);
        events = f.in(childEnded(f, child, Input.ChildRunEnded.Outcome.CANCELED, Map.of()));
        assertThat(types(events)).containsExactly(StepCanceled.class, RunCanceled.class);
        assertThat(f.state.status()).isEqualTo(RunStatus.CANCELED);
    }

    static Input.CacheAnswer answer(Fold f, String step, Input.CacheEntry entry) {
        StepCacheLookup lookup = f.log.stream().map(Envelope::event).filter(StepCacheLookup.class::isInstance)
                .map(StepCacheLookup.class::cast).reduce((a, b) -> b).orElseThrow();
        return new Input.CacheAnswer(f.id(), f.runId, f.now, "trace", step, lookup.indexKey(), entry);
    }

    static Input.CacheEntry entry(String indexKey, java.time.Instant at) {
        return new Input.CacheEntry(indexKey, "orders-d1", "run-earlier", "compute", 2, at, Map.of("rows", "42"), Map.of(),
                List.of(new Materialized("daily_orders", null, "mat-1", "v1")));
    }

    @Test
    void aFreshEntryIsReusedWithoutDispatchAndNamesTheRunItCameFrom() {
        Fold f = new Fold("run-hit");
        var events = f.in(f.request(CACHED, Map.of("day", "d1")));
        StepCacheLookup lookup = only(events, StepCacheLookup.class);
        assertThat(lookup.cacheKey()).isEqualTo("orders-d1");
        assertThat(lookup.indexKey()).startsWith("cached@v1/compute/");
        assertThat(types(events)).doesNotContain(StepDispatched.class);
        assertThat(f.step("compute").status()).isEqualTo(StepStatus.QUEUED);

        f.advance(Duration.ofMinutes(59).toMillis());
        events = f.in(answer(f, "compute", entry(lookup.indexKey(), Fold.T0)));
        StepCacheHit hit = only(events, StepCacheHit.class);
        assertThat(hit.fromRunId()).isEqualTo("run-earlier");
        assertThat(hit.fromAttempt()).isEqualTo(2);
        assertThat(types(events)).containsExactly(StepCacheHit.class, StepDispatched.class);
        assertThat(f.step("compute").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(f.step("compute").reusedFrom()).isEqualTo("run-earlier");
        assertThat(f.step("compute").outputs()).containsEntry("rows", "42");
        assertThat(f.step("compute").materializations()).extracting(Materialized::id).containsExactly("mat-1");
        // the downstream step reads the reused outputs and lineage
        assertThat(only(events, StepDispatched.class).upstream()).singleElement()
                .satisfies(u -> assertThat(u.getMaterializationId()).isEqualTo("mat-1"));
    }

    @Test
    void noEntryAnExpiredEntryOrAStaleAnswerRunTheStep() {
        Fold f = new Fold("run-miss");
        String index = only(f.in(f.request(CACHED, Map.of("day", "d1"))), StepCacheLookup.class).indexKey();
        var events = f.in(answer(f, "compute", null));
        assertThat(only(events, StepCacheMiss.class).reason()).contains("no entry");
        assertThat(types(events)).containsExactly(StepCacheMiss.class, StepDispatched.class);
        // a second answer for a step that is already running is rejected
        assertThat(only(f.in(answer(f, "compute", null)), CommandRejected.class).rejection()).isEqualTo(Rejection.INVALID_STATE);

        Fold g = new Fold("run-expired");
        g.in(g.request(CACHED, Map.of("day", "d1")));
        g.advance(Duration.ofHours(1).toMillis()); // exactly the TTL: no longer fresh
        events = g.in(answer(g, "compute", entry(index, Fold.T0)));
        assertThat(only(events, StepCacheMiss.class).reason()).contains("expired").contains("run-earlier");
        assertThat(g.step("compute").status()).isEqualTo(StepStatus.DISPATCHED);
    }

    @Test
    void aRunThatBypassesTheCacheDispatchesAtOnceWithAnExplicitMiss() {
        Fold f = new Fold("run-bypass");
        Input.RequestRun r = f.request(CACHED, Map.of("day", "d1"));
        var events = f.in(new Input.RequestRun(r.eventId(), r.runId(), r.timestamp(), r.traceId(), r.job(), null, r.params(),
                r.tags(), r.origin(), null, null, null, CACHED, Map.of(), null, null, List.of(), true));
        assertThat(types(events)).doesNotContain(StepCacheLookup.class);
        assertThat(only(events, StepCacheMiss.class).reason()).contains("bypasses");
        assertThat(f.step("compute").status()).isEqualTo(StepStatus.DISPATCHED);
        assertThat(f.state.noCache()).isTrue();
    }

    @Test
    void aCanceledRunIgnoresALateCacheAnswer() {
        Fold f = new Fold("run-cc");
        f.in(f.request(CACHED, Map.of("day", "d1")));
        f.in(f.cancel(1000));
        assertThat(f.step("compute").status()).isEqualTo(StepStatus.CANCELED);
        assertThat(f.state.status()).isEqualTo(RunStatus.CANCELED);
        var events = f.in(answer(f, "compute", null));
        assertThat(types(events)).containsExactly(CommandRejected.class);
    }
}
