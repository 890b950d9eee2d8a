package dev.baton.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.events.JobDefinition;
import dev.baton.events.RejectionType;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.RunRequestRejected;
import dev.baton.events.RunRequested;
import dev.baton.platform.RunIds;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** A sensor's run request becomes a run in a real coordinator; a second request with the same run key does not. */
@WithKafka
@SuppressWarnings("try") // services started in try-with-resources and only closed there
class EndToEndKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aSensorRecordBecomesOneRunAndARepeatedRunKeyCollapsesIntoIt(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("e2e"));
        String source = topics.prefix() + "src.orders";
        cluster.admin().createTopics(List.of(new NewTopic(source, 1, (short) 1))).all().get();
        Map<String, Object> coordinatorRaw = cluster.config(topics);
        coordinatorRaw.put(CoordinatorConfig.STATE_DIR, Support.tempDir("coordinator-").toString());
        JobDefinition job = JobDefinition.newBuilder(TestJobs.withTriggers("reprice", Instant.now().minusSeconds(5),
                        TestJobs.kafka("orders", source).setRunKey("order:${{ trigger.value.id }}")
                                .setParams(Map.of("order_id", "${{ trigger.value.id }}")).build()))
                .setParams(TestJobs.params("order_id")).build();
        String runId = RunIds.forRunKey("reprice", "order:o-42");
        try (Coordinator coordinator = Coordinator.start(new CoordinatorConfig(coordinatorRaw), new SimpleMeterRegistry());
             Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, Map.of(SchedulerConfig.SCHEDULES_ENABLED, false)),
                     new SimpleMeterRegistry(), InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
             TopicProbe<RunEvent> events = TopicProbe.avro(cluster, topics.runEvents(), RunEvent.class)) {
            producer.send(topics.jobs(), "reprice", job);
            // The same order twice (e.g. a producer retry upstream): two requests, one run.
            producer.sendBytes(source, "c-1", "{\"id\":\"o-42\"}".getBytes(StandardCharsets.UTF_8));
            producer.sendBytes(source, "c-1", "{\"id\":\"o-42\"}".getBytes(StandardCharsets.UTF_8));

            RunEvent requested = events.await(e -> e.getPayload() instanceof RunRequested, WAIT);
            assertThat(requested.getRunId()).isEqualTo(runId);
            RunRequested payload = (RunRequested) requested.getPayload();
            assertThat(payload.getParams()).containsEntry("order_id", "o-42");
            assertThat(payload.getRunKey()).isEqualTo("order:o-42");
            RunEvent duplicate = events.await(e -> e.getPayload() instanceof RunRequestRejected, WAIT);
            assertThat(((RunRequestRejected) duplicate.getPayload()).getRejectionType()).isEqualTo(RejectionType.DUPLICATE_RUN);
            assertThat(((RunRequestRejected) duplicate.getPayload()).getExistingRunId()).isEqualTo(runId);
            requests.await(r -> true, WAIT);
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> requests.records().size() >= 2);
            assertThat(requests.values()).extracting(RunRequest::getRunId).containsExactly(runId, runId);
            assertThat(events.values().stream().filter(e -> e.getPayload() instanceof RunRequested)).hasSize(1);
        }
    }
}
