package dev.baton.gateway.internal.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.fixture.RandomRuns;
import dev.baton.events.DeadLetter;
import dev.baton.gateway.internal.json.Json;
import dev.baton.platform.Topics;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.RunEventMapper;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepInstances;
import dev.baton.runmodel.state.StepState;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's randomized forEach / when / runIf scenarios through the gateway's read model: after every input,
 * each step of the job agrees with the coordinator's state (status, attempts, outputs, forEach counts), and every
 * instance in flight shows under its mapped step with the coordinator's status and attempt; nothing is dead-lettered.
 */
class ForEachReadModelTest {
    ReadModelDriver rm;
    KeyValueStore<String, byte[]> runs;
    KeyValueStore<String, byte[]> steps;

    @BeforeEach
    void start() {
        rm = new ReadModelDriver("foreachrm");
        runs = rm.runs;
        steps = rm.steps;
    }

    @AfterEach
    void stop() {
        rm.close();
    }

    @Test
    void mappedStepsAndTheirInstancesInFlightAgreeWithTheCoordinator() {
        int instancesSeen = 0;
        for (long seed = 1; seed <= 80; seed++) {
            RandomRuns.Decider coordinator = new RandomRuns.Decider("dyn-" + seed);
            int[] seen = {0};
            long s = seed;
            rm.newScenario();
            RandomRuns.playDynamic(seed, coordinator, input -> {
                rm.pipeNew(coordinator.history());
                seen[0] += assertAgree(coordinator.state(), "seed " + s + " after " + input);
            });
            instancesSeen += seen[0];
        }
        assertThat(rm.deadLetters.readValuesToList()).as("records the read model could not fold").isEmpty();
        assertThat(instancesSeen).as("instances in flight compared").isGreaterThan(50);
    }

    private int assertAgree(RunState c, String context) {
        RunView v = Json.read(runs.get(c.runId()), RunView.class);
        assertThat(v.status).as("%s: run status", context).isEqualTo(c.status().name());
        int instances = 0;
        for (StepState cs : c.steps().values()) {
            String parent = StepInstances.parent(cs.key());
            String at = context + ": step " + cs.key();
            if (parent != null) {
                StepView p = Json.read(steps.get(Keys.step(c.runId(), parent)), StepView.class);
                StepView i = p.forEach == null ? null : p.forEach.running.get(cs.key());
                assertThat(i).as("%s shown under its mapped step", at).isNotNull();
                assertThat(i.status).as("%s status", at).isEqualTo(cs.status().name());
                assertThat(i.attempt).as("%s attempt", at).isEqualTo(cs.attempt());
                assertThat(i.attemptId).as("%s attempt id", at).isEqualTo(cs.attemptId());
                instances++;
                continue;
            }
            StepView sv = Json.read(steps.get(Keys.step(c.runId(), cs.key())), StepView.class);
            assertThat(sv.status).as("%s status", at).isEqualTo(cs.status().name());
            assertThat(sv.attempt).as("%s attempts", at).isEqualTo(cs.attempt());
            assertThat(sv.outputs).as("%s outputs", at).isEqualTo(cs.outputs());
            if (cs.forEach() == null) {
                assertThat(sv.forEach).as("%s is not mapped", at).isNull();
            } else {
                assertThat(sv.forEach.count).as("%s count", at).isEqualTo(cs.forEach().count());
                assertThat(sv.forEach.started).as("%s started", at).isEqualTo(cs.forEach().started());
                assertThat(sv.forEach.succeeded).as("%s succeeded", at).isEqualTo(cs.forEach().succeeded());
                assertThat(sv.forEach.failed).as("%s failed", at).isEqualTo(cs.forEach().failed());
                assertThat(sv.forEach.canceled).as("%s canceled", at).isEqualTo(cs.forEach().canceled());
                assertThat(sv.forEach.running.keySet()).as("%s instances in flight", at).allSatisfy(k ->
                        assertThat(c.steps()).containsKey(k));
            }
        }
        return instances;
    }
}
