package dev.baton.gateway.internal.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.LogStream;
import dev.baton.events.Origin;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunQueued;
import dev.baton.events.RunRequested;
import dev.baton.events.RunStarted;
import dev.baton.events.StepDispatched;
import dev.baton.events.StepFailed;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.events.ErrorClass;
import dev.baton.gateway.internal.json.Json;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read model's topology with TopologyTestDriver: bounded records for huge runs, ordered log keys and counters. */
class ReadModelTopologyTest {
    static final int ONE_MIB = 1024 * 1024;
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    final Topics topics = new Topics("ttd.");
    TopologyTestDriver driver;
    ReadModelTopology.Codecs codecs;
    TestInputTopic<String, byte[]> runEvents;
    TestInputTopic<String, byte[]> logs;
    long seq;

    @BeforeEach
    void start() {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://gw-ttd-" + UUID.randomUUID());
        codecs = ReadModelTopology.Codecs.create(registry);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "gw-ttd");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(ReadModelTopology.build(topics, codecs, new LiveFeed(), (t, c) -> { }), p);
        runEvents = driver.createInputTopic(topics.runEvents(), new StringSerializer(), new ByteArraySerializer());
        logs = driver.createInputTopic(topics.logs(), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    RunEvent ev(String runId, String job, String step, Object payload) {
        seq++;
        return RunEvent.newBuilder().setEventId("e" + seq).setRunId(runId).setTimestamp(T0.plusMillis(seq)).setTraceId("t")
                .setJob(job).setSequence(seq).setStepKey(step).setPayload(payload).build();
    }

    void pipe(RunEvent e) {
        runEvents.pipeInput(e.getRunId(), codecs.runEvents().serialize(topics.runEvents(), e));
    }

    static JobDefinition manySteps(String name, int n) {
        StringBuilder y = new StringBuilder("name: " + name + "\nsteps:\n");
        for (int i = 0; i < n; i++) {
            y.append("  - {key: step_").append(String.format("%05d", i)).append(", noop: {}}\n");
        }
        return JobParser.parse(y.toString(), Format.YAML, Instant.EPOCH);
    }

    @Test
    void aFiveThousandStepRunFoldsWithEveryStoredRecordWellUnderOneMebibyte() {
        int n = 5000;
        JobDefinition def = manySteps("many5k", n);
        String runId = "run-5k";
        pipe(ev(runId, "many5k", null, RunRequested.newBuilder().setJob("many5k").setDefinition(def).setParams(Map.of())
                .setOrigin(Origin.API).build()));
        pipe(ev(runId, "many5k", null, new RunQueued(0)));
        pipe(ev(runId, "many5k", null, new RunStarted()));
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String step = "step_" + String.format("%05d", i);
            pipe(ev(runId, "many5k", step, StepDispatched.newBuilder().setAttempt(1).setAttemptId("a" + i).setPool("default").build()));
            pipe(ev(runId, "many5k", step, StepStarted.newBuilder().setAttempt(1).setAttemptId("a" + i).setAgentId("ag").setHost("h").build()));
            if (i % 2 == 0) {
                pipe(ev(runId, "many5k", step, StepSucceeded.newBuilder().setAttempt(1).setAttemptId("a" + i)
                        .setOutputs(Map.of("row", "x".repeat(50))).build()));
            } else {
                pipe(ev(runId, "many5k", step, StepFailed.newBuilder().setAttempt(1).setAttemptId("a" + i)
                        .setErrorClass(ErrorClass.USER_ERROR).setMessage("exit 1").setExitCode(1).setRetryable(false).setFinal$(true).build()));
                failed.add(step);
            }
        }
        pipe(ev(runId, "many5k", null, RunFailed.newBuilder().setReason("2500 steps failed").setFailedSteps(failed).build()));

        int largest = 0;
        for (String store : List.of(ReadModelTopology.STORE_RUNS, ReadModelTopology.STORE_RUN_STEPS, ReadModelTopology.STORE_RUN_EVENTS,
                ReadModelTopology.STORE_RUNS_BY_TIME)) {
            KeyValueStore<String, byte[]> kv = driver.getKeyValueStore(store);
            try (KeyValueIterator<String, byte[]> it = kv.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> e = it.next();
                    largest = Math.max(largest, e.key.length() + e.value.length);
                }
            }
        }
        assertThat(largest).as("largest stored record").isLessThan(ONE_MIB / 8);

        RunView run = Json.read(driver.<String, byte[]>getKeyValueStore(ReadModelTopology.STORE_RUNS).get(runId), RunView.class);
        assertThat(run.status).isEqualTo("FAILED");
        assertThat(run.steps).isEmpty();
        assertThat(run.stepCount).isEqualTo(n);
        assertThat(run.stepCounts).isEqualTo(Map.of("SUCCEEDED", n / 2, "FAILED", n / 2));
        assertThat(run.failedSteps).hasSize(RunFold.MAX_FAILED_STEPS);
        assertThat(run.failedStepCount).isEqualTo(n / 2);
        assertThat(ApiViews.runSummary(run).stepCounts()).isEqualTo(Map.of("SUCCEEDED", n / 2, "FAILED", n / 2));

        StepView last = Json.read(driver.<String, byte[]>getKeyValueStore(ReadModelTopology.STORE_RUN_STEPS)
                .get(Keys.step(runId, "step_04999")), StepView.class);
        assertThat(last.status).isEqualTo("FAILED");
        assertThat(last.index).isEqualTo(4999);
        assertThat(last.error.exitCode).isEqualTo(1);
    }

    @Test
    void aRecordOfAnOlderGatewayWithEmbeddedStepsMovesItsStepsOutOnTheNextEvent() {
        JobDefinition def = manySteps("legacy", 3);
        RunEvent requested = ev("old", "legacy", null, RunRequested.newBuilder().setJob("legacy").setDefinition(def)
                .setParams(Map.of()).setOrigin(Origin.API).build());
        RunView legacy = RunFold.apply(null, requested); // as an older gateway stored it: steps inside
        KeyValueStore<String, byte[]> runs = driver.getKeyValueStore(ReadModelTopology.STORE_RUNS);
        runs.put("old", Json.bytes(legacy));
        pipe(ev("old", "legacy", "step_00001", StepDispatched.newBuilder().setAttempt(1).setAttemptId("x").setPool("default").build()));

        RunView after = Json.read(runs.get("old"), RunView.class);
        assertThat(after.steps).isEmpty();
        assertThat(after.stepCounts).isEqualTo(Map.of("PENDING", 2, "DISPATCHED", 1));
        KeyValueStore<String, byte[]> steps = driver.getKeyValueStore(ReadModelTopology.STORE_RUN_STEPS);
        assertThat(Json.read(steps.get(Keys.step("old", "step_00001")), StepView.class).status).isEqualTo("DISPATCHED");
        assertThat(steps.get(Keys.step("old", "step_00002"))).isNotNull();
    }

    @Test
    void logLinesAreKeptInTimeOrderCountedOnceAndIndexedByStep() {
        String runId = "run-logs";
        // seq 9 and 10 of one attempt: zero-padded, so 10 sorts after 9
        LogBatch b1 = batch(runId, "b", 1, List.of(line(9, 5), line(10, 6)));
        LogBatch b2 = batch(runId, "a", 1, List.of(line(1, 1), line(2, 7)));
        logs.pipeInput(runId, codecs.logs().serialize(topics.logs(), b1));
        logs.pipeInput(runId, codecs.logs().serialize(topics.logs(), b2));
        logs.pipeInput(runId, codecs.logs().serialize(topics.logs(), b2)); // replayed after a restart

        List<String> texts = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = driver.<String, byte[]>getKeyValueStore(ReadModelTopology.STORE_LOG_LINES)
                .range(Keys.prefix(runId), Keys.prefix(runId) + Keys.END)) {
            it.forEachRemaining(kv -> texts.add(Json.tree(kv.value).get("text").asText()));
        }
        assertThat(texts).containsExactly("l1", "l9", "l10", "l2");
        KeyValueStore<String, byte[]> counts = driver.getKeyValueStore(ReadModelTopology.STORE_LOG_COUNTS);
        assertThat(ReadModelTopology.decodeCount(counts.get(runId))).isEqualTo(4);
        assertThat(ReadModelTopology.decodeCount(counts.get(runId + "|a"))).isEqualTo(2);
        assertThat(ReadModelTopology.decodeCount(counts.get(runId + "|b|" + Keys.attempt(1)))).isEqualTo(2);
        String pointer = new String(driver.<String, byte[]>getKeyValueStore(ReadModelTopology.STORE_LOG_INDEX)
                .get(Keys.logByStep(runId, "b", 1, 10)), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Json.tree(driver.<String, byte[]>getKeyValueStore(ReadModelTopology.STORE_LOG_LINES).get(pointer))
                .get("text").asText()).isEqualTo("l10");
    }

    static LogLine line(long seq, long atSecond) {
        return LogLine.newBuilder().setSeq(seq).setStream(LogStream.STDOUT).setTime(T0.plusSeconds(atSecond)).setText("l" + seq).build();
    }

    static LogBatch batch(String runId, String step, int attempt, List<LogLine> lines) {
        return LogBatch.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(T0).setTraceId("t")
                .setStepKey(step).setAttempt(attempt).setAttemptId(step + attempt).setAgentId("ag").setLines(lines).build();
    }
}
