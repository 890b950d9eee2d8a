package dev.baton.gateway.internal.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.fixture.RandomRuns;
import dev.baton.events.DeadLetter;
import dev.baton.gateway.internal.json.Json;
import dev.baton.platform.Topics;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.RunEventMapper;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One fold: the coordinator's randomized run scenarios (the sequences of {@code ReplayEquivalencePropertyTest}: stale,
 * duplicated and late reports, heartbeats, retries, lost agents, timeouts, cancellations, re-executions) are decided
 * by the coordinator's decider, and the events it appends go, in the wire format, through the gateway's read-model
 * topology (its processor, its run and step stores). After every input, the run view the gateway stored and the
 * API's rendering of it agree with the coordinator's live state on the run's status and times, each step's status,
 * attempts, attempt id, agent, times, outputs and last error, and what else both keep.
 */
class OneFoldAgreementTest {
    ReadModelDriver rm;
    KeyValueStore<String, byte[]> runs;
    KeyValueStore<String, byte[]> steps;

    @BeforeEach
    void start() {
        rm = new ReadModelDriver("onefold");
        runs = rm.runs;
        steps = rm.steps;
    }

    @AfterEach
    void stop() {
        rm.close();
    }

    @Test
    void theGatewaysRunViewAgreesWithTheCoordinatorsStateAfterEveryInputOfEveryScenario() {
        int events = 0;
        int compared = 0;
        Set<RunStatus> outcomes = new HashSet<>();
        Set<String> stepStatuses = new HashSet<>();
        for (long seed = 1; seed <= RandomRuns.SEEDS; seed++) {
            long s = seed;
            RandomRuns.Decider coordinator = new RandomRuns.Decider("run-" + seed);
            rm.newScenario();
            RandomRuns.play(seed, coordinator, input -> {
                List<Event> inputsEvents = rm.pipeNew(coordinator.history()).stream().map(Envelope::event).toList();
                assertAgree(coordinator.state(), "seed " + s + " after " + input + " (events " + inputsEvents + ")");
            });
            try (KeyValueIterator<String, byte[]> it = steps.prefixScan(Keys.step(coordinator.runId(), ""), new StringSerializer())) {
                int n = 0;
                for (; it.hasNext(); it.next()) {
                    n++;
                }
                assertThat(n).as("seed %d: no step stored beyond the coordinator's", seed).isEqualTo(coordinator.state().steps().size());
            }
            events += rm.piped();
            compared++;
            outcomes.add(coordinator.state().status());
            coordinator.state().steps().values().forEach(st -> stepStatuses.add(st.status().name()));
        }
        assertThat(rm.deadLetters.readValuesToList()).as("records the read model could not fold").isEmpty();
        assertThat(compared).isEqualTo(RandomRuns.SEEDS);
        assertThat(events).as("the scenarios exercised both folds").isGreaterThan(10_000);
        assertThat(outcomes).as("run outcomes the scenarios reached").contains(RunStatus.FAILED, RunStatus.CANCELED);
        assertThat(stepStatuses).as("step statuses the scenarios ended with").contains("SUCCEEDED", "FAILED", "CANCELED", "SKIPPED");
    }

    private void assertAgree(RunState c, String context) {
        byte[] stored = runs.get(c.runId());
        assertThat(stored).as("%s: the gateway has the run", context).isNotNull();
        RunView v = Json.read(stored, RunView.class);
        assertThat(v.steps).as("%s: the run record holds no steps", context).isEmpty();

        assertThat(v.status).as("%s: run status", context).isEqualTo(c.status().name());
        assertThat(v.finished()).as("%s: finished", context).isEqualTo(c.isFinished());
        assertThat(v.lastSequence).as("%s: last sequence", context).isEqualTo(c.sequence());
        assertThat(v.job).as("%s: job", context).isEqualTo(c.job());
        assertThat(v.runKey).as("%s: run key", context).isEqualTo(c.runKey());
        assertThat(v.partition).as("%s: partition", context).isEqualTo(c.partition());
        assertThat(v.params).as("%s: params", context).isEqualTo(c.params());
        assertThat(v.tags).as("%s: tags", context).isEqualTo(c.tags());
        assertThat(v.origin).as("%s: origin", context).isEqualTo(c.origin().name());
        assertThat(v.parentRunId).as("%s: parent", context).isEqualTo(c.parentRunId());
        assertThat(v.requestedBy).as("%s: requested by", context).isEqualTo(c.requestedBy());
        assertThat(v.priority).as("%s: priority", context).isEqualTo(c.priority());
        assertThat(v.traceId).as("%s: trace id", context).isEqualTo(c.traceId());
        assertThat(v.requestedAt).as("%s: requested at", context).isEqualTo(c.requestedAt().toEpochMilli());
        assertThat(v.startedAt).as("%s: started at", context).isEqualTo(millis(c.startedAt()));
        assertThat(v.endedAt).as("%s: ended at", context).isEqualTo(millis(c.endedAt()));
        assertThat(Boolean.TRUE.equals(v.timedOut)).as("%s: timed out", context).isEqualTo(c.timedOut());
        assertThat(v.retriedAs).as("%s: retried as", context).isEqualTo(c.retriedAs());
        if (c.status() == RunStatus.FAILED) {
            assertThat(v.reason).as("%s: failure reason", context).isEqualTo(c.failureReason());
        }
        if (c.status() == RunStatus.CANCELING) {
            assertThat(v.reason).as("%s: cancel reason", context).isEqualTo(c.cancelReason());
        }

        Map<String, Integer> counts = new TreeMap<>();
        List<StepView> shown = new ArrayList<>();
        int index = 0;
        for (StepState cs : c.steps().values()) {
            byte[] sb = steps.get(Keys.step(c.runId(), cs.key()));
            assertThat(sb).as("%s: step %s stored", context, cs.key()).isNotNull();
            StepView s = Json.read(sb, StepView.class);
            String at = context + ": step " + cs.key();
            assertThat(s.index).as("%s index (definition order)", at).isEqualTo(index++);
            assertThat(s.hook).as("%s hook", at).isEqualTo(cs.hook());
            assertThat(s.status).as("%s status", at).isEqualTo(cs.status().name());
            assertThat(s.attempt).as("%s attempts", at).isEqualTo(cs.attempt());
            assertThat(s.attemptId).as("%s attempt id", at).isEqualTo(cs.attemptId());
            assertThat(s.agentId).as("%s agent", at).isEqualTo(cs.agentId());
            assertThat(s.dispatchedAt).as("%s dispatched at", at).isEqualTo(millis(cs.dispatchedAt()));
            assertThat(s.startedAt).as("%s started at", at).isEqualTo(millis(cs.startedAt()));
            assertThat(s.lastHeartbeat).as("%s last heartbeat", at).isEqualTo(millis(cs.lastHeartbeat()));
            assertThat(s.endedAt).as("%s ended at", at).isEqualTo(millis(cs.endedAt()));
            assertThat(s.retryAt).as("%s retry due", at).isEqualTo(millis(cs.retryDueAt()));
            assertThat(s.outputs).as("%s outputs", at).isEqualTo(cs.outputs());
            assertThat(s.outputRefs).as("%s output refs", at).isEqualTo(cs.outputRefs());
            assertThat(s.materializations).as("%s materializations", at).hasSameSizeAs(cs.materializations());
            assertThat(s.cancelRequested).as("%s cancel requested", at).isEqualTo(cs.cancelRequested());
            assertThat(s.reusedFrom).as("%s reused from", at).isEqualTo(cs.reusedFrom());
            assertThat(s.error == null ? null : s.error.errorClass).as("%s last error", at)
                    .isEqualTo(cs.lastError() == null ? null : cs.lastError().name());
            assertThat(s.error == null ? null : s.error.message).as("%s last message", at).isEqualTo(cs.lastMessage());
            counts.merge(cs.status().name(), 1, Integer::sum);
            shown.add(s);
        }
        assertThat(v.stepCounts).as("%s: step counts", context).isEqualTo(counts);
        assertThat(v.stepCount).as("%s: step count", context).isEqualTo(c.steps().size());

        // what the API shows: the same statuses, attempts and times, in the API's names
        @SuppressWarnings("unchecked")
        Map<String, Object> detail = dev.baton.gateway.internal.json.Json.read(
                dev.baton.gateway.internal.json.Json.bytes(ApiViews.runDetail(v, shown)), Map.class);
        assertThat(detail.get("status")).as("%s: API run status", context).isEqualTo(ApiStatus.run(c.status().name()));
        assertThat(detail.get("startedAt")).as("%s: API started at", context).isEqualTo(time(c.startedAt()));
        assertThat(detail.get("endedAt")).as("%s: API ended at", context).isEqualTo(time(c.endedAt()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> apiSteps = (List<Map<String, Object>>) detail.get("steps");
        Map<String, List<Object>> expected = new LinkedHashMap<>();
        Map<String, List<Object>> actual = new LinkedHashMap<>();
        for (StepState cs : c.steps().values()) {
            expected.put(cs.key(), java.util.Arrays.asList(ApiStatus.step(cs.status().name()), cs.attempt(), cs.attemptId(),
                    time(cs.startedAt()), time(cs.endedAt()), time(cs.retryDueAt()), cs.outputs()));
        }
        for (Map<String, Object> m : apiSteps) {
            actual.put((String) m.get("key"), java.util.Arrays.asList(m.get("status"), m.get("attempts"), m.get("attemptId"),
                    m.get("startedAt"), m.get("endedAt"), m.get("retryAt"), m.get("outputs")));
        }
        assertThat(actual).as("%s: API steps (status, attempts, attempt id, started, ended, retry at, outputs)", context)
                .isEqualTo(expected);
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
