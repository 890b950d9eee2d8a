package dev.baton.testkit;

import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * Reads everything on one topic (from the beginning, read_committed) and keeps it, so tests can wait for
 * a record that matches a condition. Not thread-safe: use from the test thread.
 */
public final class TopicProbe<T> implements AutoCloseable {
    private final KafkaConsumer<String, T> consumer;
    private final List<ConsumerRecord<String, T>> seen = new ArrayList<>();

    private TopicProbe(KafkaConsumer<String, T> consumer, String topic) {
        this.consumer = consumer;
        consumer.subscribe(List.of(topic));
    }

    public static <T extends SpecificRecord> TopicProbe<T> avro(TestCluster cluster, String topic, Class<T> type) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        AvroSerde<T> serde = AvroSerde.forValues(type, Map.of("schema.registry.url", cluster.registryUrl()));
        return new TopicProbe<>(new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer()), topic);
    }

    /** Fetches what is available now and returns every record seen so far. */
    public List<ConsumerRecord<String, T>> records() {
        consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
        return List.copyOf(seen);
    }

    public List<T> values() {
        return records().stream().map(ConsumerRecord::value).toList();
    }

    /** Waits until some record matches and returns the first that does. */
    public T await(Predicate<T> condition, Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> values().stream().filter(condition).findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    public T await(Predicate<T> condition) {
        return await(condition, Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
