package dev.baton.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
        KafkaConsumer<String, byte[]> c = CommandClock.watching(stack, "bench-request-clock-", new StringDeserializer(),
                stack.topics.runRequests());
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
