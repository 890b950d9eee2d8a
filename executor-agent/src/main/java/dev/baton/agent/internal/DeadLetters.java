package dev.baton.agent.internal;

import dev.baton.events.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends records the agent cannot use to the dead-letter topic (key: source topic), with the reason. */
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
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : source.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        DeadLetter dl = DeadLetter.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRunId(runId)
                .setTimestamp(Instant.now())
                .setTraceId(traceId == null ? "" : traceId)
                .setCause(cause)
                .setReason(reason)
                .setComponent(COMPONENT)
                .setSourceTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setKey(source.key() == null ? null : ByteBuffer.wrap(source.key()))
                .setValue(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setHeaders(headers)
                .build();
        producer.send(new ProducerRecord<>(topic, source.topic(), codec.deadLetter(topic, dl))).get(60, TimeUnit.SECONDS);
        metrics.deadLetter();
        log.warn("Dead-lettered {}-{}@{} ({}): {}", source.topic(), source.partition(), source.offset(), cause, reason);
    }
}
