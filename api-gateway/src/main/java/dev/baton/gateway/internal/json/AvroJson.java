package dev.baton.gateway.internal.json;

import dev.baton.events.BoolValue;
import dev.baton.events.FloatValue;
import dev.baton.events.IntValue;
import dev.baton.events.JsonValue;
import dev.baton.events.TextValue;
import dev.baton.events.UrlValue;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro records as plain JSON trees: fields in schema order, timestamps as ISO-8601 strings, enums by name,
 * bytes as base64. Typed metadata values ({@code IntValue}, ...) become {@code {"type": "int", "value": 42}}.
 */
public final class AvroJson {
    private AvroJson() {}

    public static Object toTree(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof IntValue v) {
            return typed("int", v.getValue());
        }
        if (value instanceof FloatValue v) {
            return typed("float", v.getValue());
        }
        if (value instanceof TextValue v) {
            return typed("text", v.getValue());
        }
        if (value instanceof UrlValue v) {
            return typed("url", v.getValue());
        }
        if (value instanceof JsonValue v) {
            return typed("json", v.getValue());
        }
        if (value instanceof BoolValue v) {
            return typed("bool", v.getValue());
        }
        if (value instanceof SpecificRecord r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Schema.Field f : r.getSchema().getFields()) {
                m.put(f.name(), toTree(r.get(f.pos())));
            }
            return m;
        }
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        if (value instanceof Instant i) {
            return i.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(String.valueOf(k), toTree(v)));
            return m;
        }
        if (value instanceof Collection<?> c) {
            List<Object> l = new ArrayList<>(c.size());
            c.forEach(v -> l.add(toTree(v)));
            return l;
        }
        return value; // numbers and booleans
    }

    /** Typed metadata as a map of JSON trees. */
    public static Map<String, Object> metadata(Map<String, ?> metadata) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (metadata != null) {
            metadata.forEach((k, v) -> m.put(k, toTree(v)));
        }
        return m;
    }

    private static Map<String, Object> typed(String type, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("value", value instanceof CharSequence s ? s.toString() : value);
        return m;
    }
}
