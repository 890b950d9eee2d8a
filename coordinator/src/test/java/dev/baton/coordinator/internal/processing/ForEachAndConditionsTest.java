package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input.Timer.Kind;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunAction;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepInstances;
import dev.baton.runmodel.state.StepStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** forEach / maxParallel and when / runIf in the decider (every input also checks replay equivalence, see Fold). */
class ForEachAndConditionsTest {

    static final JobDefinition FAN = Fold.job("""
            name: fan
            steps:
              - key: list
                run: echo 'items=["a","b","c"]' >> "$BATON_OUTPUT"
              - key: each
                needs: [list]
                forEach: "${{ steps.list.outputs.items }}"
                maxParallel: 8
                run: echo "got=${{ item }}" >> "$BATON_OUTPUT"
              - key: join
                needs: [each]
                run: echo "all=${{ steps.each.outputs.got }}" >> "$BATON_OUTPUT"
            """);

    static JobDefinition mapped(int maxParallel, int attempts) {
        return Fold.job("""
                name: mapped
                params:
                  list: { default: "[]" }
                steps:
                  - key: each
                    forEach: "${{ params.list }}"
                    maxParallel: %d
                    retry: { maxAttempts: %d, backoff: 1s }
                    run: echo "n=${{ item_index }}" >> "$BATON_OUTPUT"
                  - key: join
                    needs: [each]
                    run: echo "all=${{ steps.each.outputs.n }}" >> "$BATON_OUTPUT"
                """.formatted(maxParallel, attempts));
    }

    @Test
    void theFanExampleRunsOneInstancePerElementAndCollectsOutputsInElementOrder() {
        Fold f = new Fold("fan-1");
        f.in(f.request(FAN, Map.of()));
        f.complete("list", Map.of("items", "[\"a\",\"b\",\"c\"]"));
        StepMapped mapped = (StepMapped) f.log.stream().filter(e -> e.event() instanceof StepMapped).findFirst().orElseThrow().event();
        assertThat(mapped.count()).isEqualTo(3);
        assertThat(mapped.maxParallel()).isEqualTo(8);
        for (int i = 0; i < 3; i++) {
            RunAction a = (RunAction) f.actions.get(f.step("each[" + i + "]").attemptId());
            assertThat(a.getScript()).contains("got=" + "abc".charAt(i));
        }
        assertThat(Set.of(f.step("each[0]").attemptId(), f.step("each[1]").attemptId(), f.step("each[2]").attemptId()))
                .as("each instance has its own attempt id (idempotency key)").hasSize(3);
        // out of order: collection follows the element order, not the completion order
        f.complete("each[2]", Map.of("got", "c"));
        f.complete("each[0]", Map.of("got", "a"));
        assertThat(f.step("join").status()).isEqualTo(StepStatus.PENDING);
        assertThat(f.step("each").forEach().succeeded()).isEqualTo(2);
        f.complete("each[1]", Map.of("got", "b"));
        assertThat(f.step("each").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(f.step("each").outputs()).containsEntry("got", "[\"a\",\"b\",\"c\"]");
        assertThat(f.state.steps().keySet()).as("ended instances leave the state").containsExactly("list", "each", "join");
        RunAction join = (RunAction) f.actions.get(f.step("join").attemptId());
        assertThat(join.getEnv()).containsValue("[\"a\",\"b\",\"c\"]");
        f.complete("join", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void maxParallelIsNeverExceededCountedFromTheEvents() {
        Fold f = new Fold("max-1");
        f.in(f.request(mapped(2, 1), Map.of("list", "[1,2,3,4,5,6,7]")));
        for (int round = 0; round < 20 && f.state.status() == RunStatus.RUNNING; round++) {
            for (String key : List.copyOf(f.state.steps().keySet())) {
                if (StepInstances.isInstance(key) && f.step(key).status() == StepStatus.DISPATCHED) {
                    f.complete(key, Map.of("n", key));
                    break;
                }
            }
            if (f.step("join") != null && f.step("join").status() == StepStatus.DISPATCHED) {
                f.complete("join", Map.of());
            }
        }
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
        Set<String> active = new HashSet<>();
        int most = 0;
        for (Envelope e : f.log) {
            if (!StepInstances.isInstance(e.stepKey())) {
                continue;
            }
            if (e.event() instanceof StepDispatched) {
                active.add(e.stepKey());
            } else if (e.event() instanceof StepSucceeded || e.event() instanceof StepFailed x && x.last()) {
                active.remove(e.stepKey());
            }
            most = Math.max(most, active.size());
        }
        assertThat(most).isEqualTo(2);
        assertThat(f.step("each").forEach().succeeded()).isEqualTo(7);
        assertThat(f.step("each").outputs().get("n")).isEqualTo(
                "[\"each[0]\",\"each[1]\",\"each[2]\",\"each[3]\",\"each[4]\",\"each[5]\",\"each[6]\"]");
    }

    @Test
    void aFailedElementRetriesAloneWithoutReRunningItsSiblings() {
        Fold f = new Fold("retry-1");
        f.in(f.request(mapped(8, 3), Map.of("list", "[\"x\",\"y\",\"z\"]")));
        f.in(f.started("each[1]"));
        var events = f.in(f.failed("each[1]", true));
        assertThat(events).extracting(Envelope::stepKey).containsOnly("each[1]");
        assertThat(f.step("each[1]").status()).isEqualTo(StepStatus.RETRY_WAIT);
        f.complete("each[0]", Map.of("n", "0"));
        f.complete("each[2]", Map.of("n", "2"));
        f.advance(2000);
        events = f.in(f.timer(Kind.RETRY, "each[1]", 2));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.stepKey()).isEqualTo("each[1]");
            assertThat(((StepDispatched) e.event()).attempt()).isEqualTo(2);
        });
        f.complete("each[1]", Map.of("n", "1"));
        assertThat(f.log.stream().filter(e -> e.event() instanceof StepDispatched).map(Envelope::stepKey))
                .containsExactly("each[0]", "each[1]", "each[2]", "each[1]", "join");
        assertThat(f.step("each").outputs()).containsEntry("n", "[\"0\",\"1\",\"2\"]");
    }

    @Test
    void anEmptyListSucceedsWithZeroInstancesAndDownstreamGetsAnEmptyArray() {
        Fold f = new Fold("empty-1");
        f.in(f.request(mapped(4, 1), Map.of("list", "[]")));
        assertThat(f.step("each").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(f.step("each").forEach().count()).isZero();
        assertThat(f.step("each").outputs()).containsEntry("n", "[]");
        RunAction join = (RunAction) f.actions.get(f.step("join").attemptId());
        assertThat(join.getEnv()).containsValue("[]");
    }

    @Test
    void aValueThatIsNotAnArrayFailsTheStepWithAClearError() {
        Fold f = new Fold("notarray-1");
        f.in(f.request(mapped(4, 1), Map.of("list", "{\"a\":1}")));
        assertThat(f.step("each").status()).isEqualTo(StepStatus.FAILED);
        assertThat(f.step("each").lastMessage()).isEqualTo("forEach: expected a JSON array, got a JSON object: {\"a\":1}");
        assertThat(f.step("join").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);

        Fold g = new Fold("notjson-1");
        g.in(g.request(mapped(4, 1), Map.of("list", "a,b")));
        assertThat(g.step("each").lastMessage()).startsWith("forEach: expected a JSON array, got text that is not JSON: 'a,b'");
    }

    @Test
    void anElementThatFailsForGoodFailsTheMappedStepAfterTheOthersInFlightEnd() {
        Fold f = new Fold("fail-1");
        f.in(f.request(mapped(2, 1), Map.of("list", "[1,2,3,4]")));
        f.in(f.started("each[0]"));
        f.in(f.failed("each[0]", false));
        assertThat(f.step("each").status()).isEqualTo(StepStatus.RUNNING);
        assertThat(f.step("each[2]")).as("no new instance after a failure").isNull();
        f.complete("each[1]", Map.of());
        assertThat(f.step("each").status()).isEqualTo(StepStatus.FAILED);
        assertThat(f.step("each").lastMessage()).isEqualTo("1 of 4 instances failed; 2 not started");
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void itemFieldsAndThePositionReachTheInstances() {
        JobDefinition def = Fold.job("""
                name: objects
                params:
                  regions: { default: '[{"name":"eu","size":2},{"name":"us","size":3}]' }
                steps:
                  - key: per_region
                    forEach: "${{ params.regions }}"
                    run: echo "${{ item.name }} ${{ item.size }} ${{ item_index }} ${{ item }}"
                """);
        Fold f = new Fold("items-1");
        f.in(f.request(def, Map.of()));
        RunAction a = (RunAction) f.actions.get(f.step("per_region[1]").attemptId());
        assertThat(a.getScript()).startsWith("echo \"us 3 1 ");
        assertThat(a.getEnv()).containsValue("{\"name\":\"us\",\"size\":3}");
    }

    @Test
    void cancelingARunStopsItsInstancesAndEndsTheMappedStep() {
        Fold f = new Fold("cancel-1");
        f.in(f.request(mapped(2, 1), Map.of("list", "[1,2,3]")));
        f.in(f.started("each[0]"));
        f.in(f.cancel(30_000));
        assertThat(f.step("each[0]").cancelRequested()).isTrue();
        f.in(f.failed("each[0]", false));
        assertThat(f.step("each").status()).as("each[1] is still out").isEqualTo(StepStatus.RUNNING);
        f.in(f.failed("each[1]", false));
        assertThat(f.step("each").status()).isEqualTo(StepStatus.CANCELED);
        assertThat(f.step("each").forEach().canceled()).isEqualTo(2);
        assertThat(f.state.status()).isEqualTo(RunStatus.CANCELED);
    }

    static final JobDefinition CONDITIONS = Fold.job("""
            name: conditions
            params:
              region: { default: eu }
            steps:
              - key: check
                run: echo "count=0" >> "$BATON_OUTPUT"
              - key: load
                needs: [check]
                when: "steps.check.outputs.count > 0 && params.region == 'eu'"
                run: echo load
              - key: publish
                needs: [load]
                run: echo publish
              - key: report
                needs: [publish]
                runIf: always
                run: echo report
              - key: alert
                needs: [publish]
                runIf: anyFailed
                run: echo alert
            """);

    @Test
    void aFalseConditionSkipsTheStepAndItsDownstreamButNotRunIfSteps() {
        Fold f = new Fold("cond-1");
        f.in(f.request(CONDITIONS, Map.of()));
        var events = f.in(f.started("check"));
        events = f.in(f.succeeded("check", Map.of("count", "0")));
        assertThat(f.step("load").status()).isEqualTo(StepStatus.SKIPPED);
        StepSkipped why = (StepSkipped) events.stream().filter(e -> "load".equals(e.stepKey())).findFirst().orElseThrow().event();
        assertThat(why.reason()).isEqualTo("condition is false: when: steps.check.outputs.count > 0 && params.region == 'eu'");
        assertThat(f.step("publish").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.step("alert").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.step("report").status()).isEqualTo(StepStatus.DISPATCHED);
        f.complete("report", Map.of());
        assertThat(f.state.status()).as("skipped by a condition is not a failure").isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aTrueConditionRunsTheStepAndAnyFailedRunsAfterAFailure() {
        Fold f = new Fold("cond-2");
        f.in(f.request(CONDITIONS, Map.of()));
        f.complete("check", Map.of("count", "5"));
        assertThat(f.step("load").status()).isEqualTo(StepStatus.DISPATCHED);
        f.in(f.started("load"));
        f.in(f.failed("load", false));
        assertThat(f.step("publish").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.step("report").status()).isEqualTo(StepStatus.DISPATCHED);
        assertThat(f.step("alert").status()).as("a transitive upstream failed").isEqualTo(StepStatus.DISPATCHED);
        f.complete("report", Map.of());
        f.complete("alert", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(f.state.failureReason()).isEqualTo("step(s) load failed");
    }

    @Test
    void allDoneRunsAfterSuccessOrFailureButNotAfterASkip() {
        JobDefinition def = Fold.job("""
                name: alldone
                params:
                  go: { default: "no" }
                steps:
                  - { key: a, run: echo a }
                  - { key: b, needs: [a], when: "params.go == 'yes'", run: echo b }
                  - { key: cleanup_a, needs: [a], runIf: allDone, run: echo c }
                  - { key: cleanup_b, needs: [b], runIf: allDone, run: echo c }
                """);
        Fold f = new Fold("alldone-1");
        f.in(f.request(def, Map.of()));
        f.in(f.started("a"));
        f.in(f.failed("a", false));
        assertThat(f.step("cleanup_a").status()).isEqualTo(StepStatus.DISPATCHED);
        assertThat(f.step("b").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.step("cleanup_b").status()).isEqualTo(StepStatus.SKIPPED);
    }
}
