package dev.baton.scheduler.internal.schedules;

import dev.baton.scheduler.api.SchedulerTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the schedule task that the registered jobs changed: a tombstone under {@link SchedulerTopics#JOBS_CHANGED_KEY}
 * on the control topic, which the task reads as an input and answers with a look at the jobs
 * ({@link ScheduleProcessor}). Called by this instance's jobs global store after it took a change, so when this
 * instance owns the task its look finds the change; every instance sends its own (a few nudges per change, each one a
 * look). A nudge lost to a crash or a failed send costs latency, not a tick: the task also looks at start and every
 * {@code scheduler.tick.max.sleep.ms} (30 s).
 */
public final class JobsChangedNudge implements Consumer<String>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobsChangedNudge.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public JobsChangedNudge(Map<String, Object> kafkaClient, String controlTopic) {
        Map<String, Object> p = new HashMap<>(kafkaClient);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Sent from the global stream thread, which must not stall on a missing broker: a nudge not sent is only later.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = controlTopic;
    }

    /** Nudges the schedule task about job {@code job} (not blocking beyond the producer's metadata wait). */
    @Override
    public void accept(String job) {
        try {
            producer.send(new ProducerRecord<>(topic, SchedulerTopics.JOBS_CHANGED_KEY, null), (md, e) -> {
                if (e != null) {
                    log.warn("Could not tell the schedule task that job {} changed (it looks within scheduler.tick.max.sleep.ms): {}",
                            job, e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not tell the schedule task that job {} changed (it looks within scheduler.tick.max.sleep.ms): {}",
                    job, e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
