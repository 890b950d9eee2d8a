package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.coordinator.TestJobs;
import dev.baton.coordinator.internal.processing.ActionResolver;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.processing.TemplateActionResolver;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.coordinator.internal.serde.RunRecords;
import dev.baton.events.*;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: no single run can jam the coordinator. A job of 5,000 steps runs to success in bounded records; a run
 * whose records would exceed the size limit, or whose timer handling throws, ends FAILED with the reason and a dead
 * letter, while other runs go on.
 */
class RobustnessTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir Path stateDir;
    final Topics topics = new Topics("t.");
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> requests, reports;
    TestOutputTopic<String, byte[]> commands, events, dlq;
    AvroSerde<RunRequest> requestSerde;
    AvroSerde<AgentReport> reportSerde;
    AvroSerde<RunEvent> eventSerde;
    AvroSerde<StepCommand> commandSerde;
    AvroSerde<DeadLetter> dlqSerde;
    String appId;
    int maxRecordBytes;
    long clock;
    /** Largest record seen per topic (key + value + headers), over everything read from the driver. */
    final Map<String, Integer> largest = new HashMap<>();
    /** Coordinator settings a test adds before {@link #start}. */
    final Map<String, Object> settings = new HashMap<>();

    void start(int maxBytes, ActionResolver resolver) {
        maxRecordBytes = maxBytes;
        Map<String, Object> raw = new HashMap<>();
        raw.put("bootstrap.servers", "ttd:9092");
        raw.put("topic.prefix", "t.");
        raw.put("schema.registry.url", "mock://ttd-" + UUID.randomUUID());
        raw.put(CoordinatorConfig.STATE_DIR, stateDir.toString());
        raw.put(CoordinatorConfig.MAX_RECORD_BYTES, String.valueOf(maxBytes));
        raw.putAll(settings);
        CoordinatorConfig config = new CoordinatorConfig(raw);
        appId = topics.applicationId("coordinator");
        var topology = CoordinatorTopology.build(topics, new RunDecider(config.deciderSettings(), resolver),
                Codecs.create(config.registry()), new CoordinatorMetrics(new SimpleMeterRegistry()), Duration.ofMillis(50),
                Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(20), maxBytes);
        driver = new TopologyTestDriver(topology, Coordinator.streamsProperties(config), T0);
        Map<String, Object> serde = Map.of("schema.registry.url", raw.get("schema.registry.url"));
        requests = driver.createInputTopic(topics.runRequests(), new StringSerializer(), new ByteArraySerializer());
        reports = driver.createInputTopic(topics.agentReports(), new StringSerializer(), new ByteArraySerializer());
        commands = output(topics.commands("default"));
        events = output(topics.runEvents());
        dlq = output(topics.deadLetters());
        requestSerde = AvroSerde.forValues(RunRequest.class, serde);
        reportSerde = AvroSerde.forValues(AgentReport.class, serde);
        eventSerde = AvroSerde.forValues(RunEvent.class, serde);
        commandSerde = AvroSerde.forValues(StepCommand.class, serde);
        dlqSerde = AvroSerde.forValues(DeadLetter.class, serde);
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    TestOutputTopic<String, byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer());
    }

    Instant now() {
        return T0.plusMillis(clock);
    }

    void tick(long ms) {
        clock += ms;
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    static JobDefinition def(String yaml) {
        return JobParser.parse(yaml, Format.YAML, Instant.EPOCH);
    }

    void request(String runId, JobDefinition definition, Map<String, String> params) {
        RunRequest r = RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(now())
                .setTraceId("trace-" + runId).setJob(definition.getName()).setOrigin(Origin.API).setDefinition(definition)
                .setParams(params).build();
        requests.pipeInput(runId, requestSerde.serialize(topics.runRequests(), r), now());
    }

    void report(StepCommand c, Object report) {
        AgentReport a = AgentReport.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(now())
                .setTraceId(c.getTraceId()).setStepKey(c.getStepKey()).setAttempt(c.getAttempt()).setAttemptId(c.getAttemptId())
                .setAgentId("agent-1").setReport(report).build();
        reports.pipeInput(c.getRunId(), reportSerde.serialize(topics.agentReports(), a), now());
    }

    static StepSucceededReport ok(Map<String, String> outputs) {
        return StepSucceededReport.newBuilder().setOutputs(outputs).build();
    }

    /** Reads a topic, recording the size of every record. */
    List<TestRecord<String, byte[]>> read(String topic, TestOutputTopic<String, byte[]> out) {
        List<TestRecord<String, byte[]>> recs = out.readRecordsToList();
        for (TestRecord<String, byte[]> r : recs) {
            int size = (r.key() == null ? 0 : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    + (r.value() == null ? 0 : r.value().length);
            for (var h : r.headers()) {
                size += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
            largest.merge(topic, size, Math::max);
        }
        return recs;
    }

    List<StepCommand> commands() {
        return read(topics.commands("default"), commands).stream()
                .map(r -> commandSerde.deserialize(topics.commands("default"), r.value())).toList();
    }

    List<RunEvent> events() {
        return read(topics.runEvents(), events).stream().map(r -> eventSerde.deserialize(topics.runEvents(), r.value())).toList();
    }

    List<DeadLetter> deadLetters() {
        return read(topics.deadLetters(), dlq).stream().map(r -> dlqSerde.deserialize(topics.deadLetters(), r.value())).toList();
    }

    /** Every topic written so far (outputs and changelogs): records are read and their sizes recorded. */
    void readEverything() {
        for (String topic : driver.producedTopicNames()) {
            read(topic, output(topic));
        }
    }

    static Map<String, List<RunEvent>> byRun(List<RunEvent> evs) {
        return evs.stream().collect(Collectors.groupingBy(RunEvent::getRunId, LinkedHashMap::new, Collectors.toList()));
    }

    static Object last(List<RunEvent> evs) {
        return evs.getLast().getPayload();
    }

    /** Succeeds every command of a small run until it ends; returns its events. */
    void completeOrdinaryRun(String runId, List<RunEvent> sink) {
        request(runId, def(TestJobs.ORDERS_DAILY), Map.of());
        for (int i = 0; i < 10; i++) {
            List<StepCommand> cmds = commands().stream().filter(c -> c.getRunId().equals(runId)).toList();
            if (cmds.isEmpty()) {
                break;
            }
            for (StepCommand c : cmds) {
                report(c, ok(Map.of("rows", "42")));
            }
        }
        sink.addAll(events());
    }

    static String noopJob(String name, int steps) {
        StringBuilder y = new StringBuilder("name: " + name + "\nsteps:\n");
        for (int i = 0; i < steps; i++) {
            y.append("  - { key: s").append(i).append(", noop: {} }\n");
        }
        return y.toString();
    }

    @Test
    void aFiveThousandStepRunSucceedsInBoundedRecordsWhileOrdinaryRunsFlowAroundIt() {
        start(900 * 1024, new TemplateActionResolver());
        List<RunEvent> all = new ArrayList<>();
        completeOrdinaryRun("before", all);

        request("big", def(noopJob("many5k", 5000)), Map.of());
        List<StepCommand> bigCommands = commands();
        assertThat(bigCommands).as("every independent step dispatched at once").hasSize(5000)
                .allMatch(c -> c.getRunId().equals("big"));
        all.addAll(events());
        for (int i = 0; i < bigCommands.size(); i++) {
            report(bigCommands.get(i), ok(Map.of()));
            if (i == 2500) {
                completeOrdinaryRun("during", all);
            }
        }
        all.addAll(events());
        completeOrdinaryRun("after", all);
        assertThat(deadLetters()).isEmpty();
        readEverything();

        Map<String, List<RunEvent>> runs = byRun(all);
        assertThat(last(runs.get("big"))).isInstanceOf(RunSucceeded.class);
        assertThat(runs.get("big")).filteredOn(e -> e.getPayload() instanceof StepSucceeded).hasSize(5000);
        for (String ordinary : List.of("before", "during", "after")) {
            assertThat(last(runs.get(ordinary))).as(ordinary).isInstanceOf(RunSucceeded.class);
        }
        // The state went to the changelogs of the split stores; none of their records, and no output, nears the limit.
        assertThat(largest).containsKeys(appId + "-" + Names.RUN_STORE + "-changelog",
                appId + "-" + Names.RUN_STEP_STORE + "-changelog", appId + "-" + Names.DEFINITION_STORE + "-changelog",
                topics.runEvents(), topics.commands("default"));
        assertThat(largest).allSatisfy((topic, size) -> assertThat(size).as("largest record of %s", topic)
                .isLessThanOrEqualTo(maxRecordBytes));
        assertThat(largest.get(appId + "-" + Names.RUN_STORE + "-changelog")).as("a run header does not grow with the steps")
                .isLessThan(4 * 1024);
        assertThat(largest.get(appId + "-" + Names.RUN_STEP_STORE + "-changelog")).isLessThan(4 * 1024);
    }

    static final String FAN_IN = """
            name: fanin
            params:
              blob: { default: "" }
            steps:
              - { key: a1, noop: {} }
              - { key: a2, noop: {} }
              - { key: a3, noop: {} }
              - { key: c, needs: [a1, a2, a3], run: "true" }   # a run step: its command carries params and inputs
            """;

    @Test
    void aRunWhoseRecordWouldExceedTheLimitFailsWithTheReasonAndADeadLetterWhileOthersGoOn() {
        int limit = 64 * 1024;
        start(limit, new TemplateActionResolver());
        List<RunEvent> all = new ArrayList<>();
        // The fan-in (run) step's command carries the outputs of its three upstream steps (25 KiB each) and the params
        // (10 KiB): about 85 KiB, over the 64 KiB limit, while every record before it fits.
        request("fat", def(FAN_IN), Map.of("blob", "p".repeat(10_000)));
        List<StepCommand> ups = commands();
        assertThat(ups).hasSize(3);
        request("ordinary", def(TestJobs.ORDERS_DAILY), Map.of());
        for (StepCommand c : ups) {
            report(c, ok(Map.of("out", "o".repeat(25_000))));
        }
        all.addAll(events());
        completeOrdinaryRunAlreadyRequested("ordinary", all);
        // A request whose own RUN_REQUESTED event would be too big is rejected with the reason, not crash-looped on.
        request("huge-request", def(FAN_IN), Map.of("blob", "h".repeat(80_000)));
        all.addAll(events());
        List<DeadLetter> dead = deadLetters();
        readEverything();

        Map<String, List<RunEvent>> runs = byRun(all);
        RunEvent failed = runs.get("fat").getLast();
        assertThat(failed.getPayload()).isInstanceOf(RunFailed.class);
        String reason = ((RunFailed) failed.getPayload()).getReason();
        assertThat(reason).contains("coordinator.max.record.bytes").contains(String.valueOf(limit))
                .contains(topics.commands("default"));
        assertThat(runs.get("fat")).as("the attempt still out is canceled")
                .anySatisfy(e -> assertThat(e.getPayload()).isInstanceOf(StepCancelRequested.class));
        assertThat(runs.get("fat")).as("the fan-in step never dispatched")
                .filteredOn(e -> e.getPayload() instanceof StepDispatched && "c".equals(e.getStepKey())).isEmpty();
        assertThat(last(runs.get("ordinary"))).isInstanceOf(RunSucceeded.class);
        assertThat(runs.get("huge-request")).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isInstanceOf(RunRequestRejected.class);
            assertThat(((RunRequestRejected) e.getPayload()).getReason()).contains("coordinator.max.record.bytes");
        });

        assertThat(dead).hasSize(2).allSatisfy(d -> {
            assertThat(d.getCause()).isEqualTo("RECORD_TOO_LARGE");
            assertThat(d.getReason()).contains("coordinator.max.record.bytes");
        });
        assertThat(dead).extracting(DeadLetter::getRunId).containsExactly("fat", "huge-request");
        assertThat(largest).allSatisfy((topic, size) -> assertThat(size).as("largest record of %s", topic)
                .isLessThanOrEqualTo(limit));
    }

    void completeOrdinaryRunAlreadyRequested(String runId, List<RunEvent> sink) {
        for (int i = 0; i < 10; i++) {
            List<StepCommand> cmds = commands().stream().filter(c -> c.getRunId().equals(runId)).toList();
            if (cmds.isEmpty()) {
                break;
            }
            for (StepCommand c : cmds) {
                report(c, ok(Map.of("rows", "42")));
            }
        }
        sink.addAll(events());
    }

    List<String> keys(String store) {
        List<String> keys = new ArrayList<>();
        try (var it = driver.<String, byte[]>getKeyValueStore(store).all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    @Test
    void aDefinitionNoRunRefersToIsDeletedByTheSweepNotByTheRunsEndAndARunInFlightKeepsItsOwn() {
        settings.put(CoordinatorConfig.RUN_RETENTION_MS, "1000");
        settings.put(CoordinatorConfig.HEARTBEAT_TIMEOUT_MS, "3600000"); // the run in flight stays in flight
        start(900 * 1024, new TemplateActionResolver());
        completeOrdinaryRun("done", new ArrayList<>());
        JobDefinition open = def(noopJob("open", 1));
        request("open", open, Map.of());
        assertThat(commands()).singleElement();
        String doneRef = RunRecords.definitionRef(def(TestJobs.ORDERS_DAILY));
        String openRef = RunRecords.definitionRef(open);
        assertThat(keys(Names.DEFINITION_STORE)).containsExactlyInAnyOrder(doneRef, openRef);

        tick(2_000); // "done" expires
        assertThat(keys(Names.RUN_STORE)).containsExactly("open");
        assertThat(keys(Names.DEFINITION_STORE)).as("a run's end deletes no definition").containsExactlyInAnyOrder(doneRef, openRef);
        for (int i = 0; i < 10; i++) {
            tick(60_000); // the timer punctuation sleeps at most a minute; the sweep is due 10 min after the task's start
        }
        assertThat(keys(Names.DEFINITION_STORE)).containsExactly(openRef);
        assertThat(keys(Names.RUN_STORE)).containsExactly("open");
    }

    @Test
    void aTimerWhoseHandlingThrowsIsDeadLetteredAndItsRunFailedNotHung() {
        // The retry dispatch (attempt 2) of step "flaky" resolves to an action the command cannot carry: building the
        // retry's command throws inside the timer's handling.
        TemplateActionResolver real = new TemplateActionResolver();
        start(900 * 1024, (action, scope) -> scope.stepKey().equals("flaky") && scope.attempt() == 2
                ? "not an action" : real.resolve(action, scope));
        request("victim", def("""
                name: retrying
                steps:
                  - { key: flaky, noop: {}, retry: { maxAttempts: 3, backoff: PT1S } }
                """), Map.of());
        StepCommand first = commands().getFirst();
        report(first, StepFailedReport.newBuilder().setErrorClass(ErrorClass.INFRASTRUCTURE).setMessage("node gone")
                .setRetryable(true).build());
        tick(1_500); // the retry timer fires

        List<RunEvent> all = new ArrayList<>(events());
        List<RunEvent> other = new ArrayList<>();
        completeOrdinaryRun("bystander", other);
        all.addAll(other);

        Map<String, List<RunEvent>> runs = byRun(all);
        RunEvent end = runs.get("victim").getLast();
        assertThat(end.getPayload()).isInstanceOf(RunFailed.class);
        assertThat(((RunFailed) end.getPayload()).getReason()).contains("timer RETRY of step flaky failed");
        assertThat(runs.get("victim")).filteredOn(e -> e.getPayload() instanceof StepSkipped)
                .singleElement().satisfies(e -> assertThat(e.getStepKey()).isEqualTo("flaky"));
        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getCause()).isEqualTo("PROCESSING_ERROR");
            assertThat(d.getRunId()).isEqualTo("victim");
            assertThat(d.getSourceTopic()).isEqualTo(Names.TIMER_STORE);
            assertThat(d.getReason()).contains("timer RETRY");
        });
        assertThat(last(runs.get("bystander"))).isInstanceOf(RunSucceeded.class);
        tick(60_000);
        assertThat(events()).as("nothing fires for the failed run afterwards").isEmpty();
    }

    @Test
    void runEventsCarryTheirIntentCodeAsAHeader() {
        start(900 * 1024, new TemplateActionResolver());
        request("r1", def(TestJobs.ORDERS_DAILY), Map.of());
        List<TestRecord<String, byte[]>> recs = events.readRecordsToList();
        assertThat(recs).isNotEmpty().allSatisfy(r -> {
            RunEvent e = eventSerde.deserialize(topics.runEvents(), r.value());
            String expected = switch (e.getPayload()) {
                case RunRequested x -> "101";
                case RunQueued x -> "102";
                case RunStarted x -> "103";
                case StepDispatched x -> "202";
                default -> "unexpected " + e.getPayload().getClass().getSimpleName();
            };
            assertThat(new String(r.headers().lastHeader(Names.INTENT_HEADER).value(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(expected);
        });
    }

    @Test
    void theProductionHandlerSkipsOnlyRecordsTooLarge() {
        var handler = new OversizeRecordHandler();
        var ctx = new org.apache.kafka.streams.errors.ErrorHandlerContext() {
            public String topic() { return "src"; }
            public int partition() { return 0; }
            public long offset() { return 1; }
            public org.apache.kafka.common.header.Headers headers() { return new org.apache.kafka.common.header.internals.RecordHeaders(); }
            public String processorNodeId() { return Names.RUN_PROCESSOR; }
            public org.apache.kafka.streams.processor.TaskId taskId() { return new org.apache.kafka.streams.processor.TaskId(0, 0); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return null; }
            public byte[] sourceRawValue() { return null; }
        };
        var rec = new ProducerRecord<byte[], byte[]>("t", new byte[1], new byte[10]);
        assertThat(handler.handleError(ctx, rec, new RecordTooLargeException("too big")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(handler.handleError(ctx, rec, new org.apache.kafka.common.errors.AuthorizationException("no")).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }
}
