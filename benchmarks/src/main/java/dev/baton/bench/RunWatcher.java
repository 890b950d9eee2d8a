package dev.baton.bench;

import dev.baton.events.RunCanceled;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunSucceeded;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Follows baton.run-events (read_committed) and completes a future per run when it finishes. */
final class RunWatcher implements AutoCloseable {
    record Finished(String runId, String status, long seenAtNanos, List<RunEvent> events) {}

    private final Map<String, CompletableFuture<Finished>> waiting = new ConcurrentHashMap<>();
    private final Map<String, List<RunEvent>> events = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    RunWatcher(BenchStack stack) {
        this(stack.broker.bootstrapServers(), stack.serde(), stack.topics.runEvents());
    }

    /** Follows {@code runEventsTopic} of another stack (the idle scenario's {@code baton dev} process). */
    RunWatcher(String bootstrapServers, Map<String, Object> serdeConfig, String runEventsTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        AvroSerde<RunEvent> serde = AvroSerde.forValues(RunEvent.class, serdeConfig);
        KafkaConsumer<String, RunEvent> consumer = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer());
        consumer.subscribe(List.of(runEventsTopic));
        // make sure the assignment (at the end) exists before any run is requested
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(50));
        }
        thread = Thread.ofPlatform().name("bench-watcher").start(() -> {
            try (consumer) {
                while (running) {
                    for (var r : consumer.poll(Duration.ofMillis(100))) {
                        RunEvent e = r.value();
                        events.computeIfAbsent(e.getRunId(), k -> new ArrayList<>()).add(e);
                        Object p2 = e.getPayload();
                        String status = p2 instanceof RunSucceeded ? "SUCCEEDED" : p2 instanceof RunFailed ? "FAILED"
                                : p2 instanceof RunCanceled ? "CANCELED" : null;
                        if (status != null) {
                            long now = System.nanoTime();
                            waiting.computeIfAbsent(e.getRunId(), k -> new CompletableFuture<>())
                                    .complete(new Finished(e.getRunId(), status, now, events.remove(e.getRunId())));
                        }
                    }
                }
            }
        });
    }

    CompletableFuture<Finished> finished(String runId) {
        return waiting.computeIfAbsent(runId, k -> new CompletableFuture<>());
    }

    void forget(String runId) {
        waiting.remove(runId);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
