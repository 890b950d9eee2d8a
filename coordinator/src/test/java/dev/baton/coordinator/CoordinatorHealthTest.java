package dev.baton.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.platform.ServiceHealth;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.api.Processor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A coordinator whose stream threads fail for good reports DOWN, naming the thread and the failure. */
@WithKafka
class CoordinatorHealthTest {
    @TempDir Path state;

    /** A coordinator with one more sub-topology: every record on {@code <prefix>test-fault} throws what {@code fault} makes. */
    private Coordinator startWithFault(TestCluster cluster, Topics topics, Supplier<Throwable> fault) throws Exception {
        String faultTopic = topics.prefix() + "test-fault";
        cluster.admin().createTopics(List.of(new NewTopic(faultTopic, 1, (short) 1))).all().get();
        Map<String, Object> cfg = new HashMap<>(cluster.config(topics));
        cfg.put(CoordinatorConfig.STATE_DIR, state.toString());
        return Coordinator.start(new CoordinatorConfig(cfg), new SimpleMeterRegistry(), topology -> topology
                .addSource("test-fault-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), faultTopic)
                .addProcessor("test-fault", () -> (Processor<byte[], byte[], Void, Void>) record -> {
                    Throwable t = fault.get();
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) t;
                }, "test-fault-source"));
    }

    private static void sendTo(TestCluster cluster, String topic) {
        try (var p = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aStreamThreadThatFailsOnEveryReplacementEndsInDown(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("coord-health"));
        try (Coordinator coordinator = startWithFault(cluster, topics, () -> new IllegalStateException("injected fault"))) {
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> coordinator.health().up());

            sendTo(cluster, topics.prefix() + "test-fault"); // fails the thread, and every replacement that reads it again

            await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                ServiceHealth h = coordinator.health();
                assertThat(h.status()).isEqualTo(ServiceHealth.Status.DOWN);
                assertThat(h.reason()).contains("coordinator stream thread failed 4 times", "injected fault");
            });
            assertThat(coordinator.streams().state()).isIn(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR);
            assertThat(coordinator.ready()).isFalse();
        }
    }

    @Test
    void anOutOfMemoryErrorInAStreamThreadIsDownAtOnce(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("coord-oom"));
        Coordinator coordinator = startWithFault(cluster, topics, () -> new OutOfMemoryError("injected fault"));
        try {
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> coordinator.health().up());

            sendTo(cluster, topics.prefix() + "test-fault");

            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                ServiceHealth h = coordinator.health();
                assertThat(h.status()).isEqualTo(ServiceHealth.Status.DOWN);
                assertThat(h.reason()).contains("OutOfMemoryError: injected fault").doesNotContain("times within");
            });
        } finally {
            coordinator.close();
        }
        assertThat(coordinator.health().status()).as("closed on purpose is not DOWN").isEqualTo(ServiceHealth.Status.STOPPED);
    }
}
