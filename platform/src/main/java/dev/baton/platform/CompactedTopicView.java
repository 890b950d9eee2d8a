package dev.baton.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest value per key of a compacted topic (string keys, a tombstone removes the key), read by a consumer that
 * assigns every partition itself (no group, nothing committed). Each {@link #refresh()} reads up to the end offsets
 * of the moment it is called, so a record written (committed, with {@code read_committed}) before the call is seen.
 * A value the decoder rejects is logged and skipped: it leaves the previous value of its key in place. Thread-safe.
 *
 * @param <V> the decoded value
 */
public final class CompactedTopicView<V> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final List<TopicPartition> partitions;
    private final Function<byte[], V> decoder;
    private final Map<String, V> latest = new TreeMap<>();

    private CompactedTopicView(KafkaConsumer<String, byte[]> consumer, String topic, List<TopicPartition> partitions,
                               Function<byte[], V> decoder) {
        this.consumer = consumer;
        this.topic = topic;
        this.partitions = partitions;
        this.decoder = decoder;
    }

    /**
     * @param kafkaClient   client settings (bootstrap servers, security)
     * @param readCommitted only values from committed transactions (for topics written transactionally)
     * @param decoder       bytes to value; throws on a value it cannot read
     */
    public static <V> CompactedTopicView<V> open(Map<String, Object> kafkaClient, String topic, boolean readCommitted,
                                                 Function<byte[], V> decoder) {
        Map<String, Object> p = new HashMap<>(kafkaClient);
        // Assigned partitions, no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (readCommitted) {
            // An aborted transaction's values never show.
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = c.partitionsFor(topic, TIMEOUT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            return new CompactedTopicView<>(c, topic, parts, decoder);
        } catch (RuntimeException e) {
            c.close(ConsumerClose.bounded()); // assigned, auto-commit off: commits nothing
            throw e;
        }
    }

    /** Reads what has been written since the last call, up to the current end of the topic. */
    public synchronized CompactedTopicView<V> refresh() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                apply(r);
            }
        }
        return this;
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            latest.remove(r.key());
            return;
        }
        try {
            latest.put(r.key(), decoder.apply(r.value()));
        } catch (RuntimeException e) {
            log.warn("Ignoring unreadable record {}-{}@{} (key {}): {}", topic, r.partition(), r.offset(), r.key(), e.getMessage());
        }
    }

    /** The latest value of the key as of the last {@link #refresh()}; empty when there is none or it was deleted. */
    public synchronized Optional<V> get(String key) {
        return Optional.ofNullable(latest.get(key));
    }

    /** Every live value, ordered by key, as of the last {@link #refresh()}. */
    public synchronized List<V> values() {
        return new ArrayList<>(latest.values());
    }

    @Override
    public synchronized void close() {
        consumer.close(ConsumerClose.bounded()); // assigned, auto-commit off: commits nothing
    }
}
