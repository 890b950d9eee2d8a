package dev.baton.platform.streams;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An output record of a Streams processor with its destination topic (the scheduler's schedule engine, the alerting
 * component's incident engine); {@code value} null is a tombstone.
 */
public record Routed(String topic, byte[] value) {

    /** Writes only the value bytes; the topic is picked by the sink's topic extractor. */
    public static final Serde<Routed> SERDE = new Serde<>() {
        @Override
        public Serializer<Routed> serializer() {
            return (topic, r) -> r == null ? null : r.value();
        }

        @Override
        public Deserializer<Routed> deserializer() {
            return (topic, bytes) -> {
                throw new UnsupportedOperationException("Routed records are only written");
            };
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {}

        @Override
        public void close() {}
    };
}
