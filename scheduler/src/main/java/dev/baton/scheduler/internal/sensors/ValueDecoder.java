package dev.baton.scheduler.internal.sensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.ValueFormat;
import dev.baton.schemas.serde.SchemaRegistryClient;
import dev.baton.schemas.serde.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes a sensor record's value into plain Java values that both JEXL filters and templates read:
 * {@code Map<String, Object>}, {@code List}, {@code String}, numbers, booleans, null.
 * <ul>
 *   <li>JSON: parsed with Jackson.</li>
 *   <li>AVRO: Confluent wire format; the writer schema comes from the registry by id and the record is read as a
 *       generic record (no reader schema: every field the producer wrote is visible), then converted: strings and
 *       enum symbols become {@code String}, bytes and fixed become base64 text, logical types stay raw.</li>
 *   <li>STRING: the UTF-8 text.</li>
 * </ul>
 * A null value (tombstone) is null in every format.
 */
public final class ValueDecoder {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The record cannot be decoded; {@code cause} is the dead-letter cause. */
    public static final class UndecodableException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String cause;

        UndecodableException(String cause, String message) {
            super(message);
            this.cause = cause;
        }

        public String deadLetterCause() {
            return cause;
        }
    }

    private final ValueFormat format;
    private final SchemaRegistryClient registry;
    private final Map<Integer, GenericDatumReader<Object>> readers = new ConcurrentHashMap<>();

    /** @param registry needed for AVRO only */
    public ValueDecoder(ValueFormat format, SchemaRegistryClient registry) {
        this.format = format;
        this.registry = registry;
    }

    public Object decode(String topic, byte[] bytes) throws UndecodableException {
        if (bytes == null) {
            return null;
        }
        return switch (format) {
            case STRING -> new String(bytes, StandardCharsets.UTF_8);
            case JSON -> json(bytes);
            case AVRO -> avro(topic, bytes);
        };
    }

    private static Object json(byte[] bytes) throws UndecodableException {
        try {
            return JSON.readValue(bytes, Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UndecodableException("NOT_JSON", "value is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UndecodableException("NOT_JSON", "value is not JSON: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new UndecodableException("NOT_JSON", "value is not JSON: " + e.getMessage());
        }
    }

    private Object avro(String topic, byte[] bytes) throws UndecodableException {
        if (bytes.length < 5 || bytes[0] != 0) {
            throw new UndecodableException("NOT_WIRE_FORMAT", bytes.length < 5
                    ? "only " + bytes.length + " bytes, shorter than the 5-byte header (topic " + topic + ")"
                    : String.format("first byte is 0x%02x, not the magic byte 0 (topic %s)", bytes[0], topic));
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        GenericDatumReader<Object> reader = readers.get(id);
        if (reader == null) {
            Schema schema;
            try {
                schema = registry.schemaById(id);
            } catch (SchemaRegistryException e) {
                if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                    throw new UndecodableException("UNKNOWN_SCHEMA_ID", "schema id " + id + ": " + e.getMessage());
                }
                throw e; // the registry, not the record, is the problem: retry the batch
            } catch (IllegalStateException e) {
                throw new UndecodableException("UNUSABLE_SCHEMA", e.getMessage());
            }
            reader = new GenericDatumReader<>(schema, schema, GenericData.get());
            readers.putIfAbsent(id, reader);
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
            Object value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IOException("bytes left after the record");
            }
            return plain(value);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableException("CORRUPT_PAYLOAD", "cannot decode " + bytes.length + " bytes with schema id " + id
                    + ": " + e);
        }
    }

    /** Avro generic values to plain Java values. */
    static Object plain(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof CharSequence || v instanceof GenericEnumSymbol<?>) {
            return v.toString();
        }
        if (v instanceof GenericRecord r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Schema.Field f : r.getSchema().getFields()) {
                m.put(f.name(), plain(r.get(f.pos())));
            }
            return m;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, x) -> m.put(String.valueOf(k), plain(x)));
            return m;
        }
        if (v instanceof Collection<?> c) {
            List<Object> l = new ArrayList<>(c.size());
            c.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (v instanceof ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] out = new byte[d.remaining()];
            d.get(out);
            return Base64.getEncoder().encodeToString(out);
        }
        if (v instanceof GenericFixed f) {
            return Base64.getEncoder().encodeToString(f.bytes());
        }
        return v.toString();
    }
}
