package dev.baton.agent.internal;

import dev.baton.events.DeadLetter;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records the agent cannot use to the dead-letter topic (key: source topic), with the reason. The record itself
 * comes from {@link dev.baton.platform.DeadLetters}, as everywhere else.
 */
public final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    public static final String COMPONENT = "agent";

    private final Producer<String, byte[]> producer;
    private final Codec codec;
    private final String topic;
    private final AgentMetrics metrics;

    public DeadLetters(Producer<String, byte[]> producer, Codec codec, String topic, AgentMetrics metrics) {
        this.producer = producer;
        this.codec = codec;
        this.topic = topic;
        this.metrics = metrics;
    }

    /**
     * Writes the dead letter and waits for it (acks=all), so the caller may then acknowledge the
     * source record: nothing disappears without a trace.
     *
     * @param runId the run id when known (the record key of command topics), else null
     */
    public void send(ConsumerRecord<byte[], byte[]> source, String cause, String reason, String runId, String traceId) throws Exception {
        // Built by the platform's one builder: the id is derived from source topic, partition and offset, so the
        // same record dead-lettered again (a redelivery, a replay) carries the same id.
        DeadLetter dl = dev.baton.platform.DeadLetters.of(COMPONENT, cause, reason, source.topic(), source.partition(),
                source.offset(), source.key(), source.value(), source.headers(), runId, Instant.now());
        if (traceId != null) {
            dl = DeadLetter.newBuilder(dl).setTraceId(traceId).build();
        }
        producer.send(new ProducerRecord<>(topic, source.topic(), codec.deadLetter(topic, dl))).get(60, TimeUnit.SECONDS);
        metrics.deadLetter();
        log.warn("Dead-lettered {}-{}@{} ({}): {}", source.topic(), source.partition(), source.offset(), cause, reason);
    }
}
