package dev.baton.gateway.internal.schedules;

import dev.baton.gateway.internal.json.Json;
import dev.baton.scheduler.SchedulerControl;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest pause/resume command per schedule on the scheduler's control topic: the <em>desired</em> runtime
 * override, which the API compares with the override the scheduler has applied (its published status) to show a
 * change that is not in effect yet — for example while no scheduler runs. Each {@link #refresh()} reads up to the
 * current end of the topic. Thread-safe.
 */
final class ControlView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlView.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<String, SchedulerControl.Command> commands = new HashMap<>();

    private ControlView(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions) {
        this.consumer = consumer;
        this.partitions = partitions;
    }

    static ControlView open(Map<String, Object> kafkaClient, String topic) {
        Map<String, Object> p = new HashMap<>(kafkaClient);
        // Assigned partitions, no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            return new ControlView(c, parts);
        } catch (RuntimeException e) {
            c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            throw e;
        }
    }

    /** Reads what has been written since the last call. */
    synchronized ControlView refresh() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.key() == null) {
                    continue;
                }
                if (r.value() == null) {
                    commands.remove(r.key());
                    continue;
                }
                try {
                    commands.put(r.key(), Json.read(r.value(), SchedulerControl.Command.class));
                } catch (RuntimeException e) {
                    // The scheduler ignores such a record too: it does not change the desired state.
                    log.warn("Ignoring unreadable schedule control record for {}: {}", r.key(), e.getMessage());
                }
            }
        }
        return this;
    }

    /** The latest command for the schedule; empty when there is none or it was cleared (tombstone). */
    synchronized Optional<SchedulerControl.Command> get(String job, String schedule) {
        return Optional.ofNullable(commands.get(job + "/" + schedule)); // the control topic's key (SchedulerControl)
    }

    @Override
    public synchronized void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
