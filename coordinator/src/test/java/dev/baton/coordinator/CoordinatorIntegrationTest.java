package dev.baton.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.*;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.RunIds;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator against the real broker and registry, with the test playing the agent. */
@WithKafka
class CoordinatorIntegrationTest {
    static final JobDefinition CHAIN = JobParser.parse("""
            name: chain
            steps:
              - { key: one, noop: {}, produces: [a1] }
              - { key: two, needs: [one], run: "true", produces: [a2] }   # a run step: its command carries the inputs
            """, Format.YAML, Instant.EPOCH);

    @TempDir Path state;

    Coordinator start(TestCluster cluster, Topics topics) {
        Map<String, Object> cfg = new HashMap<>(cluster.config(topics));
        cfg.put(CoordinatorConfig.STATE_DIR, state.toString());
        return Coordinator.start(new CoordinatorConfig(cfg), new SimpleMeterRegistry());
    }

    static RunRequest request(String runId, String runKey) {
        return RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(Instant.now())
                .setTraceId("trace").setJob("chain").setRunKey(runKey).setOrigin(Origin.API).setDefinition(CHAIN).build();
    }

    static AgentReport report(StepCommand c, Object r) {
        return AgentReport.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(Instant.now())
                .setTraceId(c.getTraceId()).setStepKey(c.getStepKey()).setAttempt(c.getAttempt()).setAttemptId(c.getAttemptId())
                .setAgentId("test-agent").setReport(r).build();
    }

    /**
     * The topic check runs beside the construction of Kafka Streams: when it fails, the start fails with the check's own
     * error (not a wrapper), and the Kafka Streams already constructed is closed, so a corrected start on the same state
     * directory runs.
     */
    @Test
    void aFailedTopicCheckFailsTheStartWithItsOwnErrorAndLeavesNothingOpen(TestCluster cluster) {
        Topics topics = cluster.newTopics("coordcheck"); // not created: the coordinator creates them
        Map<String, Object> bad = new HashMap<>(cluster.config(topics));
        bad.put(CoordinatorConfig.STATE_DIR, state.toString());
        bad.put("topic.replication.factor", "3"); // one broker: Kafka refuses to create the topics
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Coordinator.start(new CoordinatorConfig(bad), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot create topic");
        try (Coordinator c = start(cluster, topics)) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(c::ready);
        }
    }

    @Test
    void runsSucceedEndToEndSurviveARestartAndDuplicatesAndGarbageAreHandled(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("coord"));
        try (TestProducer out = new TestProducer(cluster);
             TopicProbe<StepCommand> commands = TopicProbe.avro(cluster, topics.commands("default"), StepCommand.class);
             TopicProbe<RunEvent> events = TopicProbe.avro(cluster, topics.runEvents(), RunEvent.class);
             TopicProbe<DeadLetter> dlq = TopicProbe.avro(cluster, topics.deadLetters(), DeadLetter.class);
             TopicProbe<LineageEvent> lineage = TopicProbe.avro(cluster, topics.lineage(), LineageEvent.class)) {
            String runId = RunIds.forRunKey("chain", "key-1");
            StepCommand one;
            try (Coordinator coordinator = start(cluster, topics)) {
                out.send(topics.runRequests(), runId, request(runId, "key-1"));
                one = commands.await(c -> c.getRunId().equals(runId) && c.getStepKey().equals("one"));
                out.send(topics.agentReports(), runId, report(one, new StepStartedReport("h", "eu", 1L)));
                events.await(e -> e.getRunId().equals(runId) && e.getPayload() instanceof StepStarted);

                // the same run key again: one run, and the duplicate is recorded naming it
                out.send(topics.runRequests(), runId, request(runId, "key-1"));
                RunEvent dup = events.await(e -> e.getPayload() instanceof RunRequestRejected);
                assertThat(((RunRequestRejected) dup.getPayload()).getExistingRunId()).isEqualTo(runId);

                // garbage is set aside with its coordinates, the coordinator goes on
                out.sendBytes(topics.agentReports(), runId, new byte[] {42, 42});
                DeadLetter dead = dlq.await(d -> d.getSourceTopic().equals(topics.agentReports()));
                assertThat(dead.getCause()).isEqualTo("NOT_WIRE_FORMAT");
                assertThat(dead.getComponent()).isEqualTo("coordinator");
            }
            // a new coordinator instance (same application id) continues the run from committed state
            try (Coordinator coordinator = start(cluster, topics)) {
                out.send(topics.agentReports(), runId, report(one,
                        StepSucceededReport.newBuilder().setOutputs(Map.of("rows", "7")).build()));
                StepCommand two = commands.await(c -> c.getRunId().equals(runId) && c.getStepKey().equals("two"));
                // the restarted instance recorded when it was running (the start-up line of the log, the recovery benchmark)
                // (a task may process before the whole instance reports RUNNING: wait for the line, do not race it)
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(coordinator.startup().running()).as(coordinator.startup().describe())
                                .isGreaterThanOrEqualTo(coordinator.startup().started()));
                assertThat(((ExecuteStep) two.getCommand()).getInputs()).containsEntry("one", Map.of("rows", "7"));
                out.send(topics.agentReports(), runId, report(two, new StepStartedReport("h", "eu", 2L)));
                out.send(topics.agentReports(), runId, report(two, StepSucceededReport.newBuilder().build()));
                events.await(e -> e.getRunId().equals(runId) && e.getPayload() instanceof RunSucceeded, Duration.ofSeconds(30));
                // a late duplicate success is rejected, not applied twice
                out.send(topics.agentReports(), runId, report(two, StepSucceededReport.newBuilder().build()));
                RunEvent rej = events.await(e -> e.getPayload() instanceof ReportRejected);
                assertThat(((ReportRejected) rej.getPayload()).getRejectionType()).isEqualTo(RejectionType.RUN_FINISHED);
            }
            List<RunEvent> all = events.values().stream().filter(e -> e.getRunId().equals(runId)).toList();
            assertThat(all.stream().filter(e -> e.getPayload() instanceof StepSucceeded).count())
                    .as("exactly one accepted success per step").isEqualTo(2);
            assertThat(all).extracting(RunEvent::getSequence).doesNotHaveDuplicates().isSorted();
            // the probe has not polled yet (its first poll joins its group): wait for the last one, then check them all
            lineage.await(l -> l.getAssetKey().equals("a2"));
            assertThat(lineage.values()).extracting(LineageEvent::getAssetKey).containsExactly("a1", "a2");
        }
    }
}
