package dev.baton.scheduler.api;

import dev.baton.platform.CompactedTopicView;
import dev.baton.platform.config.BatonConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runtime pause and resume of schedules, for the gateway and the CLI. Writes to the compacted control topic
 * ({@link SchedulerTopics#control}, key {@code job/schedule}, JSON {@link Command}); the schedule engine applies the
 * latest command per schedule, in its own transaction with the ticks. A runtime pause or resume wins over the job
 * file's {@code paused} until {@link #clear} removes it. Ticks that fall due while a schedule is paused are not run,
 * not even after the resume. Thread-safe.
 */
public final class SchedulerControl implements AutoCloseable {

    /** Value of a control record. */
    public record Command(boolean paused, String actor, String reason, String at) {}

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    private SchedulerControl(KafkaProducer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * The latest command per schedule (key {@link SchedulerTopics#key}): the <em>desired</em> runtime override, which
     * a reader compares with the override the scheduler has applied (its published status). Unreadable commands are
     * skipped, as the scheduler skips them.
     */
    public static CompactedTopicView<Command> commands(BatonConfig config) {
        return CompactedTopicView.open(config.kafkaClient(), SchedulerTopics.control(config.topics()), false,
                bytes -> ScheduleJson.read(bytes, Command.class));
    }

    public static SchedulerControl create(BatonConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClient());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new SchedulerControl(new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()),
                SchedulerTopics.control(config.topics()));
    }

    public void pause(String job, String schedule, String actor, String reason) {
        send(job, schedule, ScheduleJson.write(new Command(true, actor, reason, Instant.now().toString())));
    }

    public void resume(String job, String schedule, String actor, String reason) {
        send(job, schedule, ScheduleJson.write(new Command(false, actor, reason, Instant.now().toString())));
    }

    /** Removes the runtime override: the job file's {@code paused} applies again. */
    public void clear(String job, String schedule) {
        send(job, schedule, null);
    }

    private void send(String job, String schedule, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, SchedulerTopics.key(job, schedule), value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write to " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
