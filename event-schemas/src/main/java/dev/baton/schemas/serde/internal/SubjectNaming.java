package dev.baton.schemas.serde.internal;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/** Confluent's subject name strategies. */
public enum SubjectNaming {
    /** {@code <topic>-value} / {@code <topic>-key}: one schema lineage per topic (the default). */
    TOPIC_NAME,
    /** The record's full name, whatever the topic. */
    RECORD_NAME,
    /** {@code <topic>-<record full name>}. */
    TOPIC_RECORD_NAME;

    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> schema.getFullName();
            case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
        };
    }

    /** Accepts the simple strategy names and Confluent's class names (io.confluent...TopicNameStrategy). */
    public static SubjectNaming parse(String key, String value) {
        String simple = value.substring(value.lastIndexOf('.') + 1).trim();
        return switch (simple) {
            case "TopicNameStrategy" -> TOPIC_NAME;
            case "RecordNameStrategy" -> RECORD_NAME;
            case "TopicRecordNameStrategy" -> TOPIC_RECORD_NAME;
            default -> throw new ConfigException(key, value,
                    "expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy");
        };
    }
}
