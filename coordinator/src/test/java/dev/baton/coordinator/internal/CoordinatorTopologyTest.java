package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.coordinator.TestJobs;
import dev.baton.events.*;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole coordinator topology with TopologyTestDriver: wall-clock time is advanced explicitly. */
class CoordinatorTopologyTest {
    static final String ORDERS = TestJobs.ORDERS_DAILY;
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir Path stateDir;
    Topics topics = new Topics("t.");
    TopologyTestDriver driver;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Map<String, Object> serdeConfig;
    TestInputTopic<String, byte[]> requests, control, reports, jobs;
    TestOutputTopic<String, byte[]> commands, gpuCommands, events, agentControl, dlq, lineage, latest;
    AvroSerde<RunRequest> requestSerde;
    AvroSerde<ControlCommand> controlSerde;
    AvroSerde<AgentReport> reportSerde;
    AvroSerde<RunEvent> eventSerde;
    AvroSerde<StepCommand> commandSerde;
    AvroSerde<DeadLetter> dlqSerde;
    AvroSerde<LineageEvent> lineageSerde;
    AvroSerde<JobDefinition> jobSerde;

    @BeforeEach
    void start() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("bootstrap.servers", "ttd:9092");
        raw.put("topic.prefix", "t.");
        raw.put("schema.registry.url", "mock://ttd-" + UUID.randomUUID());
        raw.put(CoordinatorConfig.STATE_DIR, stateDir.toString());
        raw.put(CoordinatorConfig.HEARTBEAT_TIMEOUT_MS, "10000");
        raw.put(CoordinatorConfig.POOL_LIMITS, "gpu=1");
        CoordinatorConfig config = new CoordinatorConfig(raw);
        serdeConfig = Map.of("schema.registry.url", raw.get("schema.registry.url"));
        driver = new TopologyTestDriver(Coordinator.topology(config, meters),
                Coordinator.streamsProperties(config), T0);
        var ss = new StringSerializer();
        var bs = new ByteArraySerializer();
        var sd = new StringDeserializer();
        var bd = new ByteArrayDeserializer();
        requests = driver.createInputTopic(topics.runRequests(), ss, bs);
        control = driver.createInputTopic(topics.runControl(), ss, bs);
        reports = driver.createInputTopic(topics.agentReports(), ss, bs);
        jobs = driver.createInputTopic(topics.jobs(), ss, bs);
        commands = driver.createOutputTopic(topics.commands("default"), sd, bd);
        gpuCommands = driver.createOutputTopic(topics.commands("gpu"), sd, bd);
        events = driver.createOutputTopic(topics.runEvents(), sd, bd);
        agentControl = driver.createOutputTopic(topics.agentControl(), sd, bd);
        dlq = driver.createOutputTopic(topics.deadLetters(), sd, bd);
        lineage = driver.createOutputTopic(topics.lineage(), sd, bd);
        latest = driver.createOutputTopic(topics.assetsLatest(), sd, bd);
        requestSerde = AvroSerde.forValues(RunRequest.class, serdeConfig);
        controlSerde = AvroSerde.forValues(ControlCommand.class, serdeConfig);
        reportSerde = AvroSerde.forValues(AgentReport.class, serdeConfig);
        eventSerde = AvroSerde.forValues(RunEvent.class, serdeConfig);
        commandSerde = AvroSerde.forValues(StepCommand.class, serdeConfig);
        dlqSerde = AvroSerde.forValues(DeadLetter.class, serdeConfig);
        lineageSerde = AvroSerde.forValues(LineageEvent.class, serdeConfig);
        jobSerde = AvroSerde.forValues(JobDefinition.class, serdeConfig);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    Instant now() {
        return T0.plus(Duration.ofMillis(clock));
    }

    long clock;

    void tick(long ms) {
        clock += ms;
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    JobDefinition def(String yaml) {
        return JobParser.parse(yaml, Format.YAML, Instant.EPOCH);
    }

    void request(String runId, JobDefinition definition, String job) {
        RunRequest r = RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(now())
                .setTraceId("trace-" + runId).setJob(job).setOrigin(Origin.API).setDefinition(definition).build();
        requests.pipeInput(runId, requestSerde.serialize(topics.runRequests(), r), now());
    }

    void report(StepCommand c, Object report) {
        report(c, report, now());
    }

    /** A report the agent wrote at {@code writtenAt}, read by the coordinator now (later, when it is behind). */
    void report(StepCommand c, Object report, Instant writtenAt) {
        AgentReport a = AgentReport.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(writtenAt)
                .setTraceId(c.getTraceId()).setStepKey(c.getStepKey()).setAttempt(c.getAttempt()).setAttemptId(c.getAttemptId())
                .setAgentId("agent-1").setReport(report).build();
        reports.pipeInput(c.getRunId(), reportSerde.serialize(topics.agentReports(), a), writtenAt);
    }

    void controlCommand(String runId, Object command) {
        ControlCommand c = ControlCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(now())
                .setTraceId("t").setActor("alice").setCommand(command).build();
        control.pipeInput(runId, controlSerde.serialize(topics.runControl(), c), now());
    }

    List<StepCommand> commands(TestOutputTopic<String, byte[]> topic) {
        return topic.readValuesToList().stream().map(v -> commandSerde.deserialize(topic.toString(), v)).toList();
    }

    List<RunEvent> events() {
        return events.readValuesToList().stream().map(v -> eventSerde.deserialize(topics.runEvents(), v)).toList();
    }

    static List<String> payloads(List<RunEvent> evs) {
        return evs.stream().map(e -> e.getPayload().getClass().getSimpleName()).toList();
    }

    static StepSucceededReport ok(Map<String, String> outputs) {
        return StepSucceededReport.newBuilder().setOutputs(outputs).build();
    }

    @Test
    void aRunFlowsFromRequestThroughCommandsAndReportsToSuccessWithLineage() {
        request("r1", def(ORDERS), "orders_daily");
        List<StepCommand> cmds = commands(commands);
        assertThat(cmds).singleElement().satisfies(c -> {
            assertThat(c.getStepKey()).isEqualTo("extract");
            assertThat(((RunAction) ((ExecuteStep) c.getCommand()).getAction()).getScript()).contains("orders for 2026-01-01");
        });
        StepCommand extract = cmds.getFirst();
        report(extract, new StepStartedReport("h", "eu", 1L));
        tick(5);
        report(extract, ok(Map.of("rows", "42")));
        StepCommand clean = commands(commands).getFirst();
        assertThat(clean.getStepKey()).isEqualTo("clean");
        ExecuteStep exec = (ExecuteStep) clean.getCommand();
        assertThat(exec.getInputs()).containsEntry("extract", Map.of("rows", "42"));
        assertThat(exec.getUpstream()).extracting(UpstreamRef::getAssetKey).containsExactly("raw_orders");
        report(clean, new StepStartedReport("h", "eu", 2L));
        report(clean, ok(Map.of()));
        List<RunEvent> evs = events();
        assertThat(payloads(evs)).containsSubsequence("RunRequested", "RunQueued", "RunStarted", "StepDispatched",
                "StepStarted", "StepSucceeded", "StepDispatched", "StepStarted", "StepSucceeded", "RunSucceeded");
        assertThat(evs).extracting(RunEvent::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        var mats = lineage.readRecordsToList();
        assertThat(mats).extracting(r -> r.key()).containsExactly("raw_orders", "clean_orders");
        LineageEvent clean2 = lineageSerde.deserialize(topics.lineage(), mats.get(1).value());
        var m = (AssetMaterialization) clean2.getPayload();
        assertThat(m.getUpstream()).extracting(UpstreamRef::getMaterializationId).containsExactly(mats.get(0).value() == null ? null
                : lineageSerde.deserialize(topics.lineage(), mats.get(0).value()).getEventId());
        LineageEvent raw = lineageSerde.deserialize(topics.lineage(), mats.get(0).value());
        assertThat(((AssetMaterialization) raw.getPayload()).getMetadata()).containsEntry("rows", new IntValue(42L));
    }

    @Test
    void retryBackoffFiresFromWallClockPunctuation() {
        request("r2", def(ORDERS), "orders_daily");
        StepCommand extract = commands(commands).getFirst();
        report(extract, new StepStartedReport("h", "eu", 1L));
        report(extract, ok(Map.of("rows", "42")));
        StepCommand clean = commands(commands).getFirst();
        report(clean, new StepStartedReport("h", "eu", 1L));
        report(clean, StepFailedReport.newBuilder().setErrorClass(ErrorClass.USER_ERROR).setMessage("exit 1").setRetryable(true).build());
        tick(500);
        assertThat(commands(commands)).as("backoff of 1 s not elapsed").isEmpty();
        tick(600);
        assertThat(commands(commands)).singleElement().satisfies(c -> {
            assertThat(c.getStepKey()).isEqualTo("clean");
            assertThat(c.getAttempt()).isEqualTo(2);
        });
    }

    @Test
    void missedHeartbeatsRetryTheStepAndCancelTheLostAttempt() {
        request("r3", def("""
                name: hb
                steps:
                  - { key: a, noop: {}, retry: { maxAttempts: 2, backoff: 100ms } }
                """), "hb");
        StepCommand a = commands(commands).getFirst();
        report(a, new StepStartedReport("h", "eu", 1L));
        tick(9_000);
        report(a, new StepHeartbeatReport());
        tick(9_000);
        assertThat(agentControl.isEmpty()).as("heartbeat kept it alive").isTrue();
        tick(2_000);
        List<StepCommand> cancels = commands(agentControl);
        assertThat(cancels).singleElement().satisfies(c -> {
            assertThat(c.getCommand()).isInstanceOf(CancelStep.class);
            assertThat(c.getAttemptId()).isEqualTo(a.getAttemptId());
        });
        tick(200);
        assertThat(commands(commands)).singleElement().extracting(StepCommand::getAttempt).isEqualTo(2);
        assertThat(payloads(events())).contains("StepLost", "StepRetryScheduled");
        assertThat(meters.find("baton.step.failures").tags("job", "hb", "error_class", "LOST").counter())
                .as("a lost attempt counts among the errors by class").satisfies(c -> assertThat(c.count()).isEqualTo(1));
    }

    @Test
    void aCoordinatorBehindOnItsReportsDoesNotDeclareALiveAttemptLost() {
        // Heartbeat timeout 10 s here. The agent heartbeats on time, but the coordinator reads its reports late.
        request("r-behind", def("""
                name: behind
                steps:
                  - { key: a, noop: {} }
                """), "behind");
        StepCommand a = commands(commands).getFirst();
        report(a, new StepStartedReport("h", "eu", 1L));              // written and read at 0 s: deadline 10 s
        tick(9_000);
        report(a, new StepHeartbeatReport(), now().minusMillis(8_000)); // written at 1 s, read at 9 s: deadline 11 s
        tick(3_000);                                                    // 12 s: past the deadline by the wall clock
        assertThat(payloads(events())).as("reports of before the deadline may still be unread").doesNotContain("StepLost");
        report(a, new StepHeartbeatReport(), now().minusMillis(2_000)); // written at 10 s, read at 12 s: deadline 20 s
        tick(7_000);                                                    // 19 s
        assertThat(agentControl.isEmpty()).as("the attempt was alive all along").isTrue();
        assertThat(payloads(events())).doesNotContain("StepLost");
        tick(3_000);                                                    // 22 s: caught up, and no heartbeat since 10 s
        assertThat(payloads(events())).as("a silent agent is still found once the reports are read").contains("StepLost");
        assertThat(meters.find("baton_coordinator_timers_deferred_total").counter().count()).isPositive();
    }

    /** Starts attempt {@code c} and lets its heartbeat deadline (10 s here) pass; returns the events it led to. */
    List<RunEvent> loseAttempt(StepCommand c) {
        report(c, new StepStartedReport("h", "eu", 1L));
        for (int i = 0; i < 11; i++) {
            tick(1_000);
        }
        return events();
    }

    /** The next command of the step, after its retry backoff (at most 40 s) has passed; null if none comes. */
    StepCommand awaitRedispatch() {
        for (int i = 0; i < 40; i++) {
            List<StepCommand> cmds = commands(commands);
            if (!cmds.isEmpty()) {
                assertThat(cmds).hasSize(1);
                return cmds.getFirst();
            }
            tick(1_000);
        }
        return null;
    }

    @Test
    void aJobWithInfraRetriesZeroFailsOnItsFirstLostAttempt() {
        // The coordinator's default budget (3) would dispatch the step again: the job's 0 must win.
        request("r-infra0", def("""
                name: infra0
                infraRetries: 0
                steps:
                  - { key: a, noop: {} }
                """), "infra0");
        StepCommand a = commands(commands).getFirst();
        List<RunEvent> evs = loseAttempt(a);
        assertThat(payloads(evs)).containsSubsequence("StepLost", "StepFailed", "RunFailed").doesNotContain("StepRetryScheduled");
        assertThat(awaitRedispatch()).as("no infrastructure retry with infraRetries: 0").isNull();
    }

    @Test
    void aJobWithInfraRetriesFiveIsDispatchedFiveMoreTimesAfterLostAttempts() {
        // Above the coordinator's default (3): the 4th and 5th losses are retried only because of the job's setting.
        request("r-infra5", def("""
                name: infra5
                infraRetries: 5
                steps:
                  - { key: a, noop: {} }
                """), "infra5");
        StepCommand c = commands(commands).getFirst();
        for (int retry = 1; retry <= 5; retry++) {
            List<RunEvent> evs = loseAttempt(c);
            assertThat(payloads(evs)).as("loss %d", retry).containsSubsequence("StepLost", "StepFailed", "StepRetryScheduled")
                    .doesNotContain("RunFailed");
            assertThat(evs).extracting(RunEvent::getPayload).filteredOn(StepRetryScheduled.class::isInstance)
                    .singleElement().satisfies(r -> assertThat(((StepRetryScheduled) r).getInfrastructure()).isTrue());
            c = awaitRedispatch();
            assertThat(c).as("re-dispatch after loss %d", retry).isNotNull();
            assertThat(c.getAttempt()).isEqualTo(retry + 1);
        }
        assertThat(payloads(loseAttempt(c))).as("the budget of 5 is spent").containsSubsequence("StepLost", "StepFailed", "RunFailed");
        assertThat(awaitRedispatch()).isNull();
    }

    @Test
    void aStepsInfraRetriesOverrideItsJobs() {
        request("r-infra-step", def("""
                name: infrastep
                infraRetries: 0
                steps:
                  - { key: a, noop: {}, infraRetries: 1 }
                """), "infrastep");
        StepCommand a = commands(commands).getFirst();
        assertThat(payloads(loseAttempt(a))).contains("StepRetryScheduled").doesNotContain("RunFailed");
        StepCommand second = awaitRedispatch();
        assertThat(second).isNotNull();
        assertThat(second.getAttempt()).isEqualTo(2);
        assertThat(payloads(loseAttempt(second))).containsSubsequence("StepLost", "StepFailed", "RunFailed");
    }

    @Test
    void undecodableAndInvalidInputsGoToTheDeadLetterTopicAndProcessingContinues() {
        requests.pipeInput("bad", new byte[] {1, 2, 3}, now());
        reports.pipeInput("bad2", new byte[] {0, 0, 0, 0, 99, 1}, now());
        List<DeadLetter> dead = dlq.readValuesToList().stream().map(v -> dlqSerde.deserialize(topics.deadLetters(), v)).toList();
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).getCause()).isEqualTo("NOT_WIRE_FORMAT");
        assertThat(dead.get(0).getSourceTopic()).isEqualTo(topics.runRequests());
        assertThat(dead.get(0).getOffset()).isZero();
        assertThat(dead.get(0).getValue().array()).containsExactly(1, 2, 3);
        assertThat(dead.get(1).getCause()).isEqualTo("UNKNOWN_SCHEMA_ID");
        request("r4", def(ORDERS), "orders_daily");
        assertThat(commands(commands)).hasSize(1);
    }

    @Test
    void keyThatDoesNotMatchTheRunIdIsSetAside() {
        RunRequest r = RunRequest.newBuilder().setEventId("e").setRunId("r5").setTimestamp(now()).setTraceId("t")
                .setJob("orders_daily").setDefinition(def(ORDERS)).build();
        requests.pipeInput("other-key", requestSerde.serialize(topics.runRequests(), r), now());
        assertThat(dlq.readValuesToList()).singleElement()
                .satisfies(v -> assertThat(dlqSerde.deserialize(topics.deadLetters(), v).getCause()).isEqualTo("INVALID_EVENT"));
        assertThat(commands.isEmpty()).isTrue();
    }

    @Test
    void requestsWithoutADefinitionUseTheRegisteredOneOrAreRejected() {
        JobDefinition d = def(ORDERS);
        jobs.pipeInput("orders_daily", jobSerde.serialize(topics.jobs(), d), now());
        request("r6", null, "orders_daily");
        assertThat(commands(commands)).hasSize(1);
        request("r7", null, "nope");
        assertThat(events()).filteredOn(e -> e.getRunId().equals("r7")).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isInstanceOfSatisfying(RunRequestRejected.class,
                    rr -> assertThat(rr.getRejectionType()).isEqualTo(RejectionType.UNKNOWN_JOB));
        });
    }

    @Test
    void jobConcurrencyLimitAdmitsTheNextRunWhenOneFinishes() {
        JobDefinition d = def("""
                name: one_at_a_time
                concurrency: { maxRuns: 1 }
                steps:
                  - { key: a, noop: {} }
                """);
        request("q1", d, "one_at_a_time");
        request("q2", d, "one_at_a_time");
        List<StepCommand> first = commands(commands);
        assertThat(first).extracting(StepCommand::getRunId).containsExactly("q1");
        report(first.getFirst(), new StepStartedReport("h", "eu", 1L));
        report(first.getFirst(), ok(Map.of()));
        assertThat(commands(commands)).extracting(StepCommand::getRunId).containsExactly("q2");
    }

    @Test
    void poolLimitHoldsStepsAcrossRuns() {
        JobDefinition d = def("""
                name: gpu_job
                steps:
                  - { key: train, pool: gpu, noop: {} }
                """);
        request("g1", d, "gpu_job");
        request("g2", d, "gpu_job");
        List<StepCommand> first = commands(gpuCommands);
        assertThat(first).hasSize(1);
        report(first.getFirst(), new StepStartedReport("h", "eu", 1L));
        report(first.getFirst(), ok(Map.of()));
        assertThat(commands(gpuCommands)).extracting(StepCommand::getRunId).containsExactly(first.getFirst().getRunId().equals("g1") ? "g2" : "g1");
    }

    @Test
    void cancelSendsCancelCommandsAndReExecutionStartsAChildRunThatReusesOutputs() {
        request("c1", def(ORDERS), "orders_daily");
        StepCommand extract = commands(commands).getFirst();
        report(extract, new StepStartedReport("h", "eu", 1L));
        report(extract, ok(Map.of("rows", "42")));
        StepCommand clean = commands(commands).getFirst();
        report(clean, new StepStartedReport("h", "eu", 1L));
        controlCommand("c1", new CancelRun("stop", 1000L));
        assertThat(commands(agentControl)).singleElement().extracting(StepCommand::getStepKey).isEqualTo("clean");
        tick(1100);
        assertThat(payloads(events())).contains("RunCancelRequested", "RunCanceled");

        controlCommand("c1", new RetryRun("c1-retry"));
        List<StepCommand> child = commands(commands);
        assertThat(child).singleElement().satisfies(c -> {
            assertThat(c.getRunId()).isEqualTo("c1-retry");
            assertThat(c.getStepKey()).isEqualTo("clean");
            assertThat(((ExecuteStep) c.getCommand()).getInputs()).containsEntry("extract", Map.of("rows", "42"));
        });
    }

    @Test
    void aFinishedRunLeavesTheDecodedStateCacheAndItsLaterInputsReadTheStore() {
        request("f1", def("""
                name: fin
                steps:
                  - { key: a, noop: {} }
                """), "fin");
        StepCommand a = commands(commands).getFirst();
        report(a, new StepStartedReport("h", "eu", 1L));
        report(a, StepFailedReport.newBuilder().setErrorClass(ErrorClass.USER_ERROR).setMessage("exit 1").setRetryable(false).build());
        List<RunEvent> first = events();
        assertThat(payloads(first)).last().isEqualTo("RunFailed");
        long lastSequence = first.getLast().getSequence();
        // The run is no longer in the processor's decoded-state cache: a duplicate result and a retry load it from the
        // store and see the state it ended in (the duplicate changes nothing, the retry's events continue the sequence).
        report(a, StepFailedReport.newBuilder().setErrorClass(ErrorClass.USER_ERROR).setMessage("exit 1").setRetryable(false).build());
        assertThat(payloads(events())).doesNotContain("StepFailed", "RunFailed");
        controlCommand("f1", new RetryRun("f1-retry"));
        List<RunEvent> retried = events().stream().filter(e -> e.getRunId().equals("f1")).toList();
        assertThat(payloads(retried)).contains("RunRetried");
        assertThat(retried.getFirst().getSequence()).isGreaterThan(lastSequence);
        assertThat(commands(commands)).singleElement().extracting(StepCommand::getRunId).isEqualTo("f1-retry");
    }

    @Test
    void cancelingARunWhoseLaterStepsWereNeverDispatchedCancelsThemOnTheWire() {
        request("c2", def("""
                name: chain
                steps:
                  - { key: first, noop: {} }
                  - { key: second, needs: [first], noop: {} }
                """), "chain");
        StepCommand first = commands(commands).getFirst();
        report(first, new StepStartedReport("h", "eu", 1L));
        events.readValuesToList();
        controlCommand("c2", new CancelRun("stop", 1000L));
        // 'second' never had an attempt: its StepCanceled carries no attempt id, and still goes out
        List<RunEvent> canceled = events();
        assertThat(canceled).filteredOn(e -> "second".equals(e.getStepKey())).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isInstanceOf(dev.baton.events.StepCanceled.class);
            assertThat(((dev.baton.events.StepCanceled) e.getPayload()).getAttempt()).isZero();
        });
        assertThat(payloads(canceled)).contains("RunCancelRequested", "StepCancelRequested");
        tick(1100);
        assertThat(payloads(events())).contains("RunCanceled");
        assertThat(dlq.readValuesToList()).as("nothing set aside").isEmpty();
    }

    @Test
    void anAttemptFailingAnErrorCheckIsCountedOnceAsFailed() {
        JobDefinition d = def("""
                name: checked_job
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - key: checked_asset
                        checks: [ { name: has_rows, expr: "rows > 0", severity: ERROR } ]
                """);
        request("k1", d, "checked_job");
        StepCommand load = commands(commands).getFirst();
        report(load, new StepStartedReport("h", "eu", 1L));
        report(load, ok(Map.of("rows", "0")));
        assertThat(payloads(events())).contains("StepSucceeded", "StepFailed", "RunFailed");
        assertThat(meters.find("baton_coordinator_step_duration").tag("outcome", "failed").timer())
                .satisfies(t -> assertThat(t.count()).isEqualTo(1));
        assertThat(meters.find("baton_coordinator_step_duration").tag("outcome", "succeeded").timer())
                .as("the attempt is not also counted as a success").isNull();
    }

    @Test
    void finishedRunsFeedTheRunDurationHistogramAndFailedAttemptsCountByErrorClass() {
        JobDefinition d = def("""
                name: checked_job
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - key: checked_asset
                        checks: [ { name: has_rows, expr: "rows > 0", severity: ERROR } ]
                """);
        request("k1", d, "checked_job");
        StepCommand load = commands(commands).getFirst();
        report(load, new StepStartedReport("h", "eu", 1L));
        report(load, ok(Map.of("rows", "0")));
        request("k2", d, "checked_job");
        StepCommand again = commands(commands).getFirst();
        report(again, new StepStartedReport("h", "eu", 1L));
        report(again, ok(Map.of("rows", "5")));
        assertThat(payloads(events())).contains("RunFailed", "RunSucceeded");

        var failed = meters.find("baton.run.duration").tags("job", "checked_job", "status", "FAILED").timer();
        var succeeded = meters.find("baton.run.duration").tags("job", "checked_job", "status", "SUCCEEDED").timer();
        assertThat(failed).isNotNull();
        assertThat(succeeded).isNotNull();
        assertThat(failed.count()).isEqualTo(1);
        assertThat(succeeded.count()).isEqualTo(1);
        assertThat(succeeded.takeSnapshot().histogramCounts()).as("fixed Prometheus buckets, so p95 is computable")
                .hasSize(CoordinatorMetrics.RUN_DURATION_BUCKETS.length);
        assertThat(meters.find("baton_coordinator_runs_finished_total").tags("job", "checked_job").counters())
                .hasSize(2);
        var failures = meters.find("baton.step.failures").tag("job", "checked_job").counters();
        assertThat(failures).singleElement().satisfies(c -> {
            assertThat(c.getId().getTag("error_class")).isNotBlank();
            assertThat(c.count()).isEqualTo(1);
        });
    }

    @Test
    void checkResultsGoToTheLineageStreamAndStaleAssetsBecomeUnfreshUntilRematerialized() {
        JobDefinition d = def("""
                name: fresh_job
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - key: fresh_asset
                        freshness: { maxLag: PT5S }
                        checks: [ { name: has_rows, expr: "rows > 0", severity: WARN } ]
                """);
        jobs.pipeInput("fresh_job", jobSerde.serialize(topics.jobs(), d), now());
        request("f1", d, "fresh_job");
        StepCommand load = commands(commands).getFirst();
        report(load, new StepStartedReport("h", "eu", 1L));
        report(load, ok(Map.of("rows", "3")));
        List<LineageEvent> evs = lineageEvents();
        assertThat(evs).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("AssetMaterialization", "AssetCheckEvaluated");
        AssetCheckEvaluated check = (AssetCheckEvaluated) evs.get(1).getPayload();
        assertThat(check.getOutcome()).isEqualTo(CheckOutcome.PASSED);
        assertThat(check.getMaterializationId()).isEqualTo(evs.get(0).getEventId());

        tick(3_000);
        assertThat(lineageEvents()).as("within the maximum lag").isEmpty();
        tick(3_000);
        assertThat(lineageEvents()).singleElement().satisfies(e ->
                assertThat(((AssetFreshnessChanged) e.getPayload()).getFresh()).isFalse());
        tick(3_000);
        assertThat(lineageEvents()).as("reported once, not every second").isEmpty();

        request("f2", d, "fresh_job");
        StepCommand again = commands(commands).getFirst();
        report(again, new StepStartedReport("h", "eu", 1L));
        report(again, ok(Map.of("rows", "4")));
        assertThat(lineageEvents()).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("AssetMaterialization", "AssetCheckEvaluated", "AssetFreshnessChanged");
    }

    List<LineageEvent> lineageEvents() {
        return lineage.readValuesToList().stream().map(v -> lineageSerde.deserialize(topics.lineage(), v)).toList();
    }

    @Test
    void aMaterializationOfAnotherJobIsReferencedExactlyByItsDownstream() {
        JobDefinition upstreamJob = def("""
                name: producer_job
                steps:
                  - { key: make, noop: {}, produces: [shared_orders] }
                """);
        JobDefinition downstreamJob = def("""
                name: consumer_job
                steps:
                  - key: report
                    noop: {}
                    produces:
                      - { key: orders_report, deps: [shared_orders] }
                """);
        request("p1", upstreamJob, "producer_job");
        StepCommand make = commands(commands).getFirst();
        report(make, new StepStartedReport("h", "eu", 1L));
        report(make, ok(Map.of("rows", "9")));
        LineageEvent produced = lineageEvents().getFirst();
        assertThat(latest.readKeyValuesToList()).extracting(kv -> kv.key).contains("shared_orders");

        request("c1", downstreamJob, "consumer_job");
        StepCommand rep = commands(commands).getFirst();
        assertThat(((ExecuteStep) rep.getCommand()).getUpstream()).singleElement().satisfies(u -> {
            assertThat(u.getAssetKey()).isEqualTo("shared_orders");
            assertThat(u.getMaterializationId()).isEqualTo(produced.getEventId());
        });
        report(rep, new StepStartedReport("h", "eu", 1L));
        report(rep, ok(Map.of()));
        LineageEvent downstream = lineageEvents().getFirst();
        assertThat(downstream.getAssetKey()).isEqualTo("orders_report");
        assertThat(((AssetMaterialization) downstream.getPayload()).getUpstream())
                .extracting(UpstreamRef::getMaterializationId).containsExactly(produced.getEventId());
    }

    void request(String runId, JobDefinition definition, Map<String, String> params) {
        RunRequest r = RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(now())
                .setTraceId("trace-" + runId).setJob(definition.getName()).setOrigin(Origin.API).setDefinition(definition)
                .setParams(params).build();
        requests.pipeInput(runId, requestSerde.serialize(topics.runRequests(), r), now());
    }

    /** The commands written since the last read, with their size on the wire. */
    record Sent(StepCommand command, int bytes) {
        ExecuteStep execute() {
            return (ExecuteStep) command.getCommand();
        }
    }

    List<Sent> sent() {
        return commands.readValuesToList().stream()
                .map(v -> new Sent(commandSerde.deserialize(topics.commands("default"), v), v.length)).toList();
    }

    static final String SEES = """
            name: sees
            params:
              a: { default: "A" }
              b: { default: "B" }
            steps:
              - key: extract
                run: echo "${{ params.a }}"
              - { key: quiet, needs: [extract], noop: {} }
              - key: call
                needs: [extract]
                http: { url: "https://example.com/${{ params.a }}/${{ steps.extract.outputs.rows }}" }
              - key: script
                needs: [extract]
                run: echo "${{ params.a }} ${{ steps.extract.outputs.rows }}"
            """;

    @Test
    void aCommandCarriesOnlyTheParamsAndOutputsItsStepCanSee() {
        request("sees-1", def(SEES), Map.of("b", "bee"));
        StepCommand extract = commands(commands).getFirst();
        // a run step shows every param to its process (BATON_PARAM_<NAME>, docs/agent.md), not only those it references
        assertThat(((ExecuteStep) extract.getCommand()).getParams()).isEqualTo(Map.of("a", "A", "b", "bee"));
        report(extract, new StepStartedReport("h", "eu", 1L));
        report(extract, ok(Map.of("rows", "42")));
        Map<String, Sent> next = new HashMap<>();
        sent().forEach(c -> next.put(c.command().getStepKey(), c));
        assertThat(next).containsOnlyKeys("quiet", "call", "script");
        // noop and http: templates are resolved, nothing else reaches the agent
        assertThat(next.get("quiet").execute().getParams()).isEmpty();
        assertThat(next.get("quiet").execute().getInputs()).isEmpty();
        ExecuteStep call = next.get("call").execute();
        assertThat(((HttpAction) call.getAction()).getUrl()).isEqualTo("https://example.com/A/42");
        assertThat(call.getParams()).doesNotContainKeys("a", "b");
        assertThat(call.getInputs()).isEmpty();
        ExecuteStep script = next.get("script").execute();
        assertThat(((RunAction) script.getAction()).getScript()).contains("A 42");
        assertThat(script.getParams()).isEqualTo(Map.of("a", "A", "b", "bee"));
        assertThat(script.getInputs()).isEqualTo(Map.of("extract", Map.of("rows", "42")));
    }

    static final String MAPPED_PARAM = """
            name: mapped_param
            params:
              list: { default: "[]" }
              other: { default: "o" }
            steps:
              - key: each
                forEach: "${{ params.list }}"
                maxParallel: 1
                run: echo "${{ item }}"
            """;

    static final String MAPPED_OUTPUT = """
            name: mapped_output
            steps:
              - key: list
                run: echo list
              - key: each
                needs: [list]
                forEach: "${{ steps.list.outputs.items }}"
                maxParallel: 1
                run: echo "${{ item }}"
            """;

    static String list(int n) {
        List<String> elements = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            elements.add(String.format("\"e%05d\"", i));
        }
        return "[" + String.join(",", elements) + "]";
    }

    @Test
    void aForEachInstanceCommandDoesNotGrowWithTheListLength() {
        String small = list(10);
        String large = list(3000);
        assertThat(large.length() - small.length()).isGreaterThan(20_000);

        // over a param: every instance leaves the list out, keeps the other params
        request("param-010", def(MAPPED_PARAM), Map.of("list", small));
        Sent fromSmall = sent().getFirst();
        request("param-999", def(MAPPED_PARAM), Map.of("list", large));
        Sent fromLarge = sent().getFirst();
        for (Sent c : List.of(fromSmall, fromLarge)) {
            assertThat(c.command().getStepKey()).isEqualTo("each[0]");
            assertThat(((RunAction) c.execute().getAction()).getScript()).contains("e00000");
            assertThat(c.execute().getParams()).isEqualTo(Map.of("other", "o"));
        }
        assertThat(fromLarge.bytes()).as("same run id length, same element: only the list differs")
                .isEqualTo(fromSmall.bytes()).isLessThan(1_000);

        // over an upstream output: the instance's inputs leave out that output, keep the others
        Map<String, Integer> bytes = new HashMap<>();
        for (String list : List.of(small, large)) {
            String runId = "output-" + list.length();
            request(runId, def(MAPPED_OUTPUT), Map.of());
            StepCommand producer = commands(commands).getFirst();
            report(producer, new StepStartedReport("h", "eu", 1L));
            report(producer, ok(Map.of("items", list, "note", "n")));
            Sent instance = sent().getFirst();
            assertThat(instance.command().getStepKey()).isEqualTo("each[0]");
            assertThat(instance.execute().getInputs()).isEqualTo(Map.of("list", Map.of("note", "n")));
            bytes.put(runId, instance.bytes() - runId.length() * 2); // run id and trace id differ by the run id's length
        }
        assertThat(bytes.get("output-" + large.length())).isEqualTo(bytes.get("output-" + small.length())).isLessThan(1_000);
    }
}
