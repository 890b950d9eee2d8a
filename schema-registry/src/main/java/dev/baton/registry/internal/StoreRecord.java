package dev.baton.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Records of the storage topic, in the JSON shapes of Confluent's {@code _schemas} topic:
 * <pre>
 * key   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 * value {"subject":"s","version":1,"id":7,"schema":"...","deleted":false}      (+ "schemaType" when not AVRO)
 * key   {"keytype":"CONFIG","subject":null|"s","magic":0}
 * value {"compatibilityLevel":"FULL"}                                            (null value: subject level removed)
 * </pre>
 * Keys are serialised with a fixed field order, so compaction keeps the last value per key.
 */
public final class StoreRecord {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StoreRecord() {}

    public static byte[] schemaKey(String subject, int version) {
        return bytes(F.objectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1));
    }

    public static byte[] schemaValue(String subject, int version, int id, String schemaType, String schema, boolean deleted) {
        ObjectNode v = F.objectNode().put("subject", subject).put("version", version).put("id", id);
        if (!"AVRO".equals(schemaType)) {
            v.put("schemaType", schemaType);
        }
        v.put("schema", schema).put("deleted", deleted);
        return bytes(v);
    }

    public static byte[] configKey(String subjectOrNull) {
        ObjectNode k = F.objectNode().put("keytype", "CONFIG");
        if (subjectOrNull == null) {
            k.putNull("subject");
        } else {
            k.put("subject", subjectOrNull);
        }
        return bytes(k.put("magic", 0));
    }

    public static byte[] configValue(String level) {
        return bytes(F.objectNode().put("compatibilityLevel", level));
    }

    static JsonNode parse(byte[] bytes) {
        try {
            return bytes == null ? null : JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
