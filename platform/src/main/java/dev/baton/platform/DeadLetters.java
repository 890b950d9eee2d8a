package dev.baton.platform;

import dev.baton.events.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Builds dead-letter records: the original bytes plus where they came from and why they were set aside. */
public final class DeadLetters {
    private DeadLetters() {}

    /**
     * @param cause machine-readable cause, e.g. NOT_WIRE_FORMAT, UNKNOWN_SCHEMA_ID, INVALID_EVENT, PROCESSING_ERROR
     * @param now   the time the record was set aside (from the caller's clock or the record)
     */
    public static DeadLetter of(String component, String cause, String reason, String topic, int partition, long offset,
                                byte[] key, byte[] value, Headers headers, String runId, Instant now) {
        Map<String, String> h = new HashMap<>();
        if (headers != null) {
            for (Header x : headers) {
                h.put(x.key(), x.value() == null ? "" : new String(x.value(), StandardCharsets.UTF_8));
            }
        }
        String id = UUID.nameUUIDFromBytes((topic + "/" + partition + "/" + offset + "/" + component)
                .getBytes(StandardCharsets.UTF_8)).toString();
        return DeadLetter.newBuilder()
                .setEventId(id)
                .setRunId(runId)
                .setTimestamp(now)
                .setTraceId(id)
                .setCause(cause)
                .setReason(reason == null ? cause : reason)
                .setComponent(component)
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setHeaders(h)
                .build();
    }
}
