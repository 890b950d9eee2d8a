package dev.baton.scheduler;

import dev.baton.platform.config.BatonConfig;
import dev.baton.scheduler.internal.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the published {@link ScheduleStatus} of every schedule from {@code Topics.schedulerState()} (for the
 * gateway's schedule endpoints and the CLI). Each {@link #refresh()} reads up to the current end of the topic, so a
 * status committed before the call is seen. Thread-safe.
 */
public final class ScheduleStatusView implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<String, ScheduleStatus> statuses = new TreeMap<>();

    private ScheduleStatusView(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions) {
        this.consumer = consumer;
        this.partitions = partitions;
    }

    public static ScheduleStatusView open(BatonConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClient());
        // Only committed statuses: an aborted tick never shows.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        String topic = config.topics().schedulerState();
        List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return new ScheduleStatusView(c, parts);
    }

    /** Reads what has been committed since the last call. */
    public synchronized ScheduleStatusView refresh() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.key() == null) {
                    continue;
                }
                if (r.value() == null) {
                    statuses.remove(r.key());
                } else {
                    statuses.put(r.key(), Json.read(r.value(), ScheduleStatus.class));
                }
            }
        }
        return this;
    }

    /** Every schedule, ordered by {@code job/schedule}, as of the last {@link #refresh()}. */
    public synchronized List<ScheduleStatus> all() {
        return new ArrayList<>(statuses.values());
    }

    public synchronized Optional<ScheduleStatus> get(String job, String schedule) {
        return Optional.ofNullable(statuses.get(job + "/" + schedule));
    }

    @Override
    public synchronized void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
