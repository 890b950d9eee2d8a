package dev.baton.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The Kafka record that fired a trigger: fills the {@code trigger.*} namespace in the trigger's {@code params} and
 * {@code runKey}.
 *
 * @param value the decoded value: a {@code String} (format STRING), a Jackson {@code JsonNode} or plain
 *              {@code Map}/{@code List} tree (JSON), an Avro {@code GenericRecord} (AVRO), or null (tombstone)
 * @param headers header values decoded as UTF-8; the last value wins for repeated headers
 */
public record TriggerRecord(String topic, int partition, long offset, Instant timestamp, String key,
                            Map<String, String> headers, Object value) {
    public TriggerRecord {
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }
}
