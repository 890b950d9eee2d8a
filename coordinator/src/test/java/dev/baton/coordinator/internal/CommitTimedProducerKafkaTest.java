package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's stream-thread producer with {@code coordinator.commit.overlap}: a flush inside a transaction does
 * not wait, and the commit still carries every record or none (a record the broker refuses fails the commit).
 */
@WithKafka
class CommitTimedProducerKafkaTest {

    @Test
    void aFlushInATransactionDoesNotWaitAndTheCommitStillFailsWhenARecordFailed(TestCluster cluster) throws Exception {
        String topic = "overlap-" + UUID.randomUUID();
        cluster.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                .configs(Map.of("max.message.bytes", "2048")))).all().get();
        try (CommitTimedProducer p = producer(cluster)) {
            p.initTransactions();

            p.beginTransaction();
            p.send(new ProducerRecord<>(topic, "ok".getBytes()));
            p.flush();
            p.commitTransaction();

            p.beginTransaction();
            p.send(new ProducerRecord<>(topic, "lost-with-the-big-one".getBytes()));
            p.send(new ProducerRecord<>(topic, new byte[8192])); // above the topic's limit: the broker refuses it
            p.flush(); // returns at once; the refusal is not seen yet or not reported here
            assertThatThrownBy(p::commitTransaction).isInstanceOf(KafkaException.class);
            p.abortTransaction();

            p.beginTransaction();
            p.send(new ProducerRecord<>(topic, "after".getBytes()));
            p.flush();
            p.commitTransaction();
        }
        assertThat(committed(cluster, topic, 2)).containsExactly("ok", "after");
    }

    private static CommitTimedProducer producer(TestCluster cluster) {
        return new CommitTimedProducer(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "overlap-" + UUID.randomUUID(),
                ProducerConfig.LINGER_MS_CONFIG, 1,
                // the broker's refusal fails the batch; a client-side check would throw from send() instead
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20), true);
    }

    private static List<String> committed(TestCluster cluster, String topic, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            // read_committed: the position passes the aborted records and the markers
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(new String(r.value()));
                }
                return consumer.position(tp) >= end;
            });
        }
        assertThat(values).hasSize(expected);
        return values;
    }
}
