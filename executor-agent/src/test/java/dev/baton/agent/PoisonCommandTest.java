package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.DeadLetter;
import dev.baton.events.NoopAction;
import dev.baton.events.StepCommand;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

@WithKafka
class PoisonCommandTest {

    @Test
    void undecodableCommandGoesToTheDeadLetterTopicAndTheAgentKeepsWorking(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "poison")) {
            h.startAgent();
            byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
            h.sendRaw(h.topics.commands("default"), "run-garbage", garbage);
            StepCommand after = h.execute("default", new NoopAction());
            h.succeeded(after);

            await().atMost(Duration.ofSeconds(30)).until(() -> !h.deadLetters.isEmpty());
            DeadLetter dl = h.deadLetters.getFirst();
            assertThat(dl.getCause()).isEqualTo("NOT_WIRE_FORMAT");
            assertThat(dl.getComponent()).isEqualTo("agent");
            assertThat(dl.getSourceTopic()).isEqualTo(h.topics.commands("default"));
            assertThat(dl.getRunId()).isEqualTo("run-garbage");
            assertThat(dl.getOffset()).isZero();
            assertThat(StandardCharsets.UTF_8.decode(dl.getValue()).toString()).isEqualTo("not avro at all");
            assertThat(StandardCharsets.UTF_8.decode(dl.getKey()).toString()).isEqualTo("run-garbage");
        }
    }

    @Test
    void aCommandDeliveredTooOftenGoesToTheDeadLetterTopic(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "poison-deliveries")) {
            // An agent configures the share group (earliest) and leaves again.
            h.startAgent().close();
            StepCommand cmd = h.execute("default", new NoopAction());
            // Two consumers that take the command and give it back, as crashing agents would.
            for (int i = 0; i < 2; i++) {
                try (var c = new KafkaShareConsumer<>(Map.<String, Object>of(
                        "bootstrap.servers", cluster.bootstrapServers(),
                        "group.id", h.topics.agentShareGroup("default"),
                        "share.acknowledgement.mode", "explicit"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    c.subscribe(List.of(h.topics.commands("default")));
                    boolean got = false;
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (!got && System.nanoTime() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                            c.acknowledge(r, AcknowledgeType.RELEASE);
                            got = true;
                        }
                    }
                    c.commitSync();
                    assertThat(got).isTrue();
                }
            }
            h.startAgent(Map.of(AgentConfig.MAX_DELIVERIES, 2));
            await().atMost(Duration.ofSeconds(30)).until(() -> !h.deadLetters.isEmpty());
            DeadLetter dl = h.deadLetters.getFirst();
            assertThat(dl.getCause()).isEqualTo("TOO_MANY_DELIVERIES");
            assertThat(dl.getRunId()).isEqualTo(cmd.getRunId());
            assertThat(h.reportsOf(cmd.getAttemptId())).isEmpty();
            // and the agent keeps working
            h.succeeded(h.execute("default", new NoopAction()));
        }
    }
}
