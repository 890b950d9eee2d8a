package dev.baton.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Watches the default pool's command topic (read_committed) to see when dispatching stops and resumes. */
final class CommandClock implements AutoCloseable {
    private final AtomicLong lastOffset = new AtomicLong(-1);
    private final AtomicLong firstAfterKill = new AtomicLong(-1);
    private volatile long killOffset = Long.MAX_VALUE;
    private volatile long killWall;
    private volatile boolean running = true;
    /** Wall time a read_committed consumer first saw the command of run/step. */
    private final java.util.Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
    private final dev.baton.schemas.serde.AvroSerde<dev.baton.events.StepCommand> serde;
    private final Thread thread;

    CommandClock(BenchStack stack) {
        KafkaConsumer<byte[], byte[]> c = watching(stack, "bench-clock-", new ByteArrayDeserializer(), stack.topics.commands("default"));
        serde = dev.baton.schemas.serde.AvroSerde.forValues(dev.baton.events.StepCommand.class, stack.serde());
        thread = Thread.ofPlatform().name("bench-command-clock").start(() -> {
            try (c) {
                while (running) {
                    for (var r : c.poll(Duration.ofMillis(20))) {
                        lastOffset.accumulateAndGet(r.offset(), Math::max);
                        try {
                            var cmd = serde.deserialize(r.topic(), r.value());
                            seen.putIfAbsent(cmd.getRunId() + "/" + cmd.getStepKey(), System.currentTimeMillis());
                        } catch (RuntimeException ignored) {
                            // not ours to judge
                        }
                        if (r.offset() > killOffset && firstAfterKill.get() < 0) {
                            firstAfterKill.set(System.currentTimeMillis());
                        }
                    }
                }
            }
        });
    }

    /**
     * A read_committed consumer of {@code topic} from its end, in a new group, with a 5 ms fetch wait (a readable
     * record is seen within a fetch), returned once it has its partitions: the clocks' reader.
     */
    static <K> KafkaConsumer<K, byte[]> watching(BenchStack stack, String groupPrefix,
            org.apache.kafka.common.serialization.Deserializer<K> keys, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        KafkaConsumer<K, byte[]> c = new KafkaConsumer<>(p, keys, new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        while (c.assignment().isEmpty()) {
            c.poll(Duration.ofMillis(50));
        }
        return c;
    }

    Long seenAt(String runId, String step) {
        return seen.get(runId + "/" + step);
    }

    long lastOffset() {
        return lastOffset.get();
    }

    void markKill(long offsetBefore, long wall) {
        killWall = wall;
        killOffset = offsetBefore;
    }

    long resumedAfterKillMs() {
        long t = firstAfterKill.get();
        return t < 0 ? -1 : t - killWall;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
