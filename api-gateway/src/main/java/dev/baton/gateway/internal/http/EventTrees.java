package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequested;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns a stored run event (the JSON the API shows, written by the read model with {@code AvroJson}) back into
 * its Avro {@link RunEvent}, so the gateway's own fold can replay a run up to any event. The inverse of
 * {@code AvroJson.toTree} driven by the schema; the definition snapshot of {@code RunRequested}, which the stored
 * JSON reduces to name and version, is supplied by the caller from the job versions store.
 */
final class EventTrees {
    private EventTrees() {}

    /**
     * @param definitions job name and version → the definition, or null when unknown
     * @throws IllegalArgumentException when the JSON does not fit the schema of its type
     */
    static RunEvent toEvent(JsonNode json, BiFunction<String, Integer, JobDefinition> definitions) {
        String type = json.path("type").asText();
        Schema payloadSchema = null;
        for (Schema branch : RunEvent.getClassSchema().getField("payload").schema().getTypes()) {
            if (branch.getName().equals(type)) {
                payloadSchema = branch;
            }
        }
        if (payloadSchema == null) {
            throw new IllegalArgumentException("unknown event type '" + type + "'");
        }
        JsonNode payloadJson = json.path("payload");
        JobDefinition def = null;
        if (type.equals(RunRequested.class.getSimpleName())) {
            JsonNode d = payloadJson.path("definition");
            def = definitions.apply(d.path("name").asText(), d.path("version").asInt());
            if (def == null) {
                throw new IllegalArgumentException("the definition " + d.path("name").asText() + " v" + d.path("version").asInt()
                        + " of the run is not in the job versions store");
            }
        }
        SpecificRecord payload = record(payloadSchema, payloadJson, def);
        return RunEvent.newBuilder()
                .setEventId(json.path("eventId").asText())
                .setRunId(json.path("runId").asText())
                .setTimestamp(Instant.parse(json.path("timestamp").asText()))
                .setTraceId(json.path("traceId").asText())
                .setJob(json.path("job").asText())
                .setSequence(json.path("sequence").asLong())
                .setStepKey(json.hasNonNull("stepKey") ? json.get("stepKey").asText() : null)
                .setPayload(payload)
                .build();
    }

    private static SpecificRecord record(Schema schema, JsonNode json, JobDefinition definition) {
        SpecificRecord r = (SpecificRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            JsonNode v = json.get(f.name());
            Object value;
            if (definition != null && f.name().equals("definition")) {
                value = definition;
            } else if (v == null || v.isMissingNode()) {
                value = f.hasDefaultValue() ? SpecificData.get().getDefaultValue(f) : null;
            } else {
                value = value(f.schema(), v);
            }
            r.put(f.pos(), value);
        }
        return r;
    }

    private static Object value(Schema s, JsonNode v) {
        switch (s.getType()) {
            case NULL:
                return null;
            case UNION: {
                if (v.isNull()) {
                    return null;
                }
                List<Schema> branches = s.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).toList();
                if (branches.size() == 1) {
                    return value(branches.get(0), v);
                }
                // typed values ({"type": "int", "value": 42}) and other unions of records: match by name or fields
                for (Schema b : branches) {
                    if (b.getType() == Schema.Type.RECORD && v.isObject() && v.has("type")
                            && b.getName().equalsIgnoreCase(v.get("type").asText() + "Value")) {
                        return record(b, v, null);
                    }
                }
                for (Schema b : branches) {
                    if (fits(b, v)) {
                        return value(b, v);
                    }
                }
                throw new IllegalArgumentException("no branch of " + s + " fits " + v);
            }
            case RECORD:
                return record(s, v, null);
            case ENUM:
                return SpecificData.get().createEnum(v.asText(), s);
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                v.forEach(e -> l.add(value(s.getElementType(), e)));
                return l;
            }
            case MAP: {
                Map<String, Object> m = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = v.fields();
                while (it.hasNext()) {
                    var e = it.next();
                    m.put(e.getKey(), value(s.getValueType(), e.getValue()));
                }
                return m;
            }
            case STRING:
                return v.asText();
            case BYTES:
                return ByteBuffer.wrap(Base64.getDecoder().decode(v.asText()));
            case INT:
                return v.asInt();
            case LONG:
                if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis || s.getLogicalType() instanceof LogicalTypes.TimestampMicros) {
                    return v.isNumber() ? Instant.ofEpochMilli(v.asLong()) : Instant.parse(v.asText());
                }
                return v.asLong();
            case FLOAT:
                return (float) v.asDouble();
            case DOUBLE:
                return v.asDouble();
            case BOOLEAN:
                return v.asBoolean();
            default:
                throw new IllegalArgumentException("unsupported schema type " + s.getType());
        }
    }

    private static boolean fits(Schema s, JsonNode v) {
        return switch (s.getType()) {
            case STRING, ENUM -> v.isTextual();
            case INT, LONG -> s.getLogicalType() != null ? v.isTextual() || v.isNumber() : v.isIntegralNumber();
            case FLOAT, DOUBLE -> v.isNumber();
            case BOOLEAN -> v.isBoolean();
            case ARRAY -> v.isArray();
            case MAP -> v.isObject();
            case RECORD -> v.isObject() && s.getFields().stream().allMatch(f -> f.hasDefaultValue() || v.has(f.name()));
            default -> false;
        };
    }
}
