package dev.baton.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches the run-requests topic (read_committed) and notes when each run's request first became readable: for a
 * sensor's request, when the sensor's transaction committed (its marker), as a consumer sees it (give or take one fetch).
 */
final class RequestClock implements AutoCloseable {
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private final Thread thread;

    RequestClock(BenchStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-request-clock-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(stack.topics.runRequests()));
        while (c.assignment().isEmpty()) {
            c.poll(Duration.ofMillis(50));
        }
        thread = Thread.ofPlatform().name("bench-request-clock").start(() -> {
            try (c) {
                while (running) {
                    for (var r : c.poll(Duration.ofMillis(20))) {
                        if (r.key() != null) {
                            seen.putIfAbsent(r.key(), System.currentTimeMillis());
                        }
                    }
                }
            }
        });
    }

    /** Wall time the request of {@code runId} was first seen readable, or null. */
    Long seenAt(String runId) {
        return seen.get(runId);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
