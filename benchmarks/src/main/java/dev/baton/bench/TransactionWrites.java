package dev.baton.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Which transactional ids wrote {@code __transaction_state} in a time window, and how often: at rest every such write
 * is a transaction's state change (begin, prepare, complete), so this names the producer (the app) that commits.
 */
final class TransactionWrites {
    private static final String TOPIC = "__transaction_state";

    private TransactionWrites() {}

    /** Records per transactional id written from {@code fromMs} to {@code toMs} (epoch ms, record timestamps). */
    static Map<String, Long> count(String bootstrap, long fromMs, long toMs) {
        Map<String, Long> byId = new TreeMap<>();
        Map<String, Object> p = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG, false, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(TOPIC, i.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> at = new HashMap<>();
            parts.forEach(tp -> at.put(tp, fromMs));
            Map<TopicPartition, OffsetAndTimestamp> starts = c.offsetsForTimes(at, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> left = new HashMap<>();
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp s = starts.get(tp);
                if (s != null && s.offset() < ends.get(tp)) {
                    c.seek(tp, s.offset());
                    left.put(tp, ends.get(tp));
                }
            }
            c.assign(left.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.timestamp() <= toMs && r.key() != null) {
                        byId.merge(id(r.key()), 1L, Long::sum);
                    }
                    if (left.containsKey(tp) && r.offset() + 1 >= left.get(tp)) {
                        left.remove(tp);
                    }
                }
                left.keySet().removeIf(tp -> c.position(tp) >= left.get(tp));
            }
        } catch (RuntimeException e) {
            byId.put("(not read: " + e + ")", -1L);
        }
        return byId;
    }

    /** The key: a version (int16), then the transactional id (int16 length and UTF-8; a compact string if that fails). */
    static String id(byte[] key) {
        int len = key.length >= 4 ? ByteBuffer.wrap(key).getShort(2) : -1;
        if (len >= 0 && len == key.length - 4) {
            return new String(key, 4, len, StandardCharsets.UTF_8);
        }
        return new String(key, 2, key.length - 2, StandardCharsets.UTF_8).strip();
    }
}
