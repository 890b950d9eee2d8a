package dev.baton.schemas.serde;

import dev.baton.schemas.serde.internal.AvroCompatibility;
import dev.baton.schemas.serde.internal.Buffer;
import dev.baton.schemas.serde.internal.ListSpecificData;
import dev.baton.schemas.serde.internal.SubjectNaming;
import dev.baton.schemas.serde.internal.TrustedAvroClasses;
import dev.baton.schemas.serde.internal.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of one generated Avro record class in the Confluent wire format: magic byte 0, the 4-byte
 * big-endian schema id, then the Avro binary body. Subjects follow the TopicNameStrategy by default
 * ({@code <topic>-value}, {@code <topic>-key}).
 *
 * <p>Serializing registers the class's schema under the subject once per topic
 * ({@code auto.register.schemas}, default true), or looks it up, or with {@code use.latest.version}
 * writes with the subject's latest version. Deserializing fetches the writer schema by id once and
 * resolves it against the class's schema (Avro schema resolution), so older and newer compatible
 * writers are read. Decode problems raise {@link EventDecodeException} with a precise
 * {@link DecodeFailure}.
 *
 * <p>Build it with {@link #forValues} / {@link #forKeys}, or let a Kafka client instantiate it
 * ({@code value.deserializer=dev.baton.schemas.serde.AvroSerde} and {@code baton.avro.value.type=<class>}).
 * Thread-safe: after warm-up a call costs one {@link ConcurrentHashMap} lookup plus the encoding;
 * encoders and decoders are reused per thread.
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private static final int MAX_RETAINED_BUFFER = 1 << 20;
    private static final ThreadLocal<EncodeBuffer> ENCODE = ThreadLocal.withInitial(EncodeBuffer::new);
    private static final ThreadLocal<BinaryDecoder[]> DECODER = ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

    private volatile State<T> state;
    private Class<T> presetType;

    /** For Kafka clients that instantiate serdes by class name; {@link #configure} must follow. */
    public AvroSerde() {}

    /** A configured value serde for {@code type}; {@code config} holds {@code schema.registry.url} and the keys of {@link AvroSerdeConfig}. */
    public static <T extends SpecificRecord> AvroSerde<T> forValues(Class<T> type, Map<String, ?> config) {
        AvroSerde<T> serde = new AvroSerde<>();
        serde.presetType = type;
        serde.configure(config, false);
        return serde;
    }

    /** A configured key serde for {@code type} (subject {@code <topic>-key}). */
    public static <T extends SpecificRecord> AvroSerde<T> forKeys(Class<T> type, Map<String, ?> config) {
        AvroSerde<T> serde = new AvroSerde<>();
        serde.presetType = type;
        serde.configure(config, true);
        return serde;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        String typeKey = isKey ? AvroSerdeConfig.KEY_TYPE : AvroSerdeConfig.VALUE_TYPE;
        Class<T> type = presetType;
        String typeName = config.getString(typeKey);
        if (type == null || typeName != null && !typeName.equals(type.getName())) {
            if (typeName == null) {
                throw new ConfigException(typeKey, null, "names the generated Avro class this serde reads and writes");
            }
            try {
                Class<?> loaded = Class.forName(typeName, true, Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : AvroSerde.class.getClassLoader());
                if (!SpecificRecord.class.isAssignableFrom(loaded)) {
                    throw new ConfigException(typeKey, typeName, "is not a generated Avro record class (SpecificRecord)");
                }
                type = (Class<T>) loaded;
            } catch (ClassNotFoundException e) {
                throw new ConfigException(typeKey, typeName, "class not found");
            }
        }
        State<T> previous = state;
        state = new State<>(type, isKey, config);
        if (previous != null) {
            previous.close();
        }
    }

    /** The generated class this serde reads and writes. */
    public Class<T> type() {
        return state().type;
    }

    /** The reader schema: the schema of {@link #type()} as compiled. */
    public Schema schema() {
        return state().schema;
    }

    /** The registry client of this serde (closed with it). */
    public SchemaRegistryClient registry() {
        return state().client;
    }

    private State<T> state() {
        State<T> s = state;
        if (s == null) {
            throw new IllegalStateException("AvroSerde is not configured: call configure() or use AvroSerde.forValues/forKeys");
        }
        return s;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        State<T> s = state();
        TopicWriter writer = s.writers.get(topic);
        if (writer == null) {
            writer = s.writerFor(topic);
        }
        EncodeBuffer buffer = ENCODE.get();
        try {
            buffer.out.reset();
            WireFormat.writeHeader(buffer.out, writer.schemaId);
            buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer.out, buffer.encoder);
            if (writer.converter == null) {
                s.datumWriter.write(data, buffer.encoder);
            } else {
                writer.converter.write(s, data, buffer.encoder);
            }
            buffer.encoder.flush();
            byte[] bytes = buffer.out.toByteArray();
            buffer.trim();
            return bytes;
        } catch (IOException | RuntimeException e) {
            buffer.discard();
            throw new SerializationException("Cannot serialize " + s.type.getSimpleName() + " for topic " + topic + ": " + e, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        State<T> s = state();
        if (data == null) {
            if (s.tombstones) {
                return null;
            }
            throw new EventDecodeException(DecodeFailure.NULL_OR_EMPTY, "null value on topic " + topic, null);
        }
        if (data.length == 0) {
            throw new EventDecodeException(DecodeFailure.NULL_OR_EMPTY, "empty value (0 bytes) on topic " + topic, null);
        }
        if (data.length < WireFormat.HEADER_LENGTH || data[0] != WireFormat.MAGIC) {
            throw new EventDecodeException(DecodeFailure.NOT_WIRE_FORMAT, data[0] != WireFormat.MAGIC
                    ? String.format("first byte is 0x%02x, not the magic byte 0 (topic %s)", data[0], topic)
                    : "only " + data.length + " bytes, shorter than the 5-byte header (topic " + topic + ")", null);
        }
        int id = WireFormat.schemaId(data);
        Reader<T> reader = s.readers.get(id);
        if (reader == null) {
            reader = s.readerFor(id);
        }
        if (reader.incompatibility != null) {
            throw new EventDecodeException(DecodeFailure.INCOMPATIBLE_SCHEMA, reader.incompatibility, id, null);
        }
        BinaryDecoder[] holder = DECODER.get();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_LENGTH,
                data.length - WireFormat.HEADER_LENGTH, holder[0]);
        holder[0] = decoder;
        T value;
        try {
            value = reader.datumReader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IOException("bytes left after the record");
            }
        } catch (SecurityException e) {
            // A class-loading refusal is a setup problem, not a bad record: do not dead-letter it.
            throw new SerializationException("Avro refused to load a class for " + s.type.getName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new EventDecodeException(DecodeFailure.CORRUPT_PAYLOAD, "cannot decode " + data.length + " bytes on topic "
                    + topic + " with schema id " + id + " as " + s.type.getSimpleName() + ": " + e, id, e);
        }
        return value;
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    /**
     * Releases the registry client's connections. The serde stays usable (Kafka Streams may close a
     * serde shared by several tasks): a later call reconnects, and the schema caches are kept.
     */
    @Override
    public void close() {
        State<T> s = state;
        if (s != null) {
            s.close();
        }
    }

    // ------------------------------------------------------------------------------------------

    private static final class EncodeBuffer {
        Buffer out = new Buffer(256);
        BinaryEncoder encoder;

        /** Drops a buffer that grew for one huge record, so a thread does not keep it forever. */
        void trim() {
            if (out.capacity() > MAX_RETAINED_BUFFER) {
                discard();
            }
        }

        void discard() {
            out = new Buffer(256);
            encoder = null;
        }
    }

    /** How records go out on one topic: the schema id in the header and, if needed, a conversion. */
    private record TopicWriter(int schemaId, LatestConverter converter) {}

    /** A reader for one writer schema id, or the reason it cannot be read (cached: it never changes). */
    private record Reader<T>(DatumReader<T> datumReader, String incompatibility) {}

    /**
     * use.latest.version with a latest schema that differs from the class's: re-encode each record
     * through Avro schema resolution (class schema as writer, latest as reader).
     */
    private record LatestConverter(Schema latest, GenericDatumReader<GenericRecord> resolver, GenericDatumWriter<GenericRecord> writer) {
        <T extends SpecificRecord> void write(State<T> s, T data, BinaryEncoder target) throws IOException {
            ByteArrayOutputStream tmp = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(tmp, null);
            s.datumWriter.write(data, enc);
            enc.flush();
            GenericRecord converted = resolver.read(null, DecoderFactory.get().binaryDecoder(tmp.toByteArray(), null));
            writer.write(converted, target);
        }
    }

    private static final class State<T extends SpecificRecord> {
        final Class<T> type;
        final Schema schema;
        final boolean isKey;
        final boolean autoRegister;
        final boolean useLatest;
        final boolean tombstones;
        final SubjectNaming naming;
        final SpecificData model;
        final SpecificDatumWriter<T> datumWriter;
        final SchemaRegistryClient client;
        final ConcurrentMap<String, TopicWriter> writers = new ConcurrentHashMap<>();
        final ConcurrentMap<Integer, Reader<T>> readers = new ConcurrentHashMap<>();

        State(Class<T> type, boolean isKey, AvroSerdeConfig config) {
            this.type = type;
            this.model = new ListSpecificData(type);
            this.schema = SpecificData.getForClass(type).getSchema(type);
            this.isKey = isKey;
            this.autoRegister = config.getBoolean(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
            this.useLatest = config.getBoolean(AvroSerdeConfig.USE_LATEST_VERSION);
            this.tombstones = config.getBoolean(AvroSerdeConfig.TOMBSTONES);
            String strategyKey = isKey ? AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY : AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY;
            this.naming = SubjectNaming.parse(strategyKey, config.getString(strategyKey));
            this.datumWriter = new SpecificDatumWriter<>(schema, model);
            TrustedAvroClasses.trust(schema);
            this.client = SchemaRegistryClient.create(config);
        }

        TopicWriter writerFor(String topic) {
            String subject = naming.subject(topic, isKey, schema);
            TopicWriter created;
            try {
                if (useLatest) {
                    created = latestWriter(subject);
                } else if (autoRegister) {
                    created = new TopicWriter(client.register(subject, schema), null);
                } else {
                    created = new TopicWriter(client.lookup(subject, schema).id(), null);
                }
            } catch (SchemaRegistryException e) {
                throw new SerializationException("Cannot get a schema id for subject " + subject + " ("
                        + type.getSimpleName() + "): " + e.getMessage(), e);
            }
            TopicWriter raced = writers.putIfAbsent(topic, created);
            return raced != null ? raced : created;
        }

        private TopicWriter latestWriter(String subject) {
            RegisteredSchema latest = client.latest(subject);
            if (!SchemaRegistryClient.AVRO.equals(latest.schemaType())) {
                throw new SerializationException("Latest version of " + subject + " is " + latest.schemaType() + ", not Avro");
            }
            Schema latestSchema = new Schema.Parser().parse(latest.schema());
            if (latestSchema.equals(schema)) {
                return new TopicWriter(latest.id(), null);
            }
            List<String> problems = AvroCompatibility.describe("latest version of " + subject + " cannot represent "
                    + type.getName(), SchemaCompatibility.checkReaderWriterCompatibility(latestSchema, schema));
            if (!problems.isEmpty()) {
                throw new SerializationException(String.join("; ", problems));
            }
            return new TopicWriter(latest.id(), new LatestConverter(latestSchema,
                    new GenericDatumReader<>(schema, latestSchema, GenericData.get()),
                    new GenericDatumWriter<>(latestSchema, GenericData.get())));
        }

        Reader<T> readerFor(int id) {
            Schema writer;
            try {
                writer = client.schemaById(id);
            } catch (SchemaRegistryException e) {
                // Only the registry's own "schema not found" code means the id is unknown; a bare 404
                // usually means a wrong registry URL, which must not dead-letter every record.
                DecodeFailure failure = e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND
                        ? DecodeFailure.UNKNOWN_SCHEMA_ID : DecodeFailure.REGISTRY_UNAVAILABLE;
                throw new EventDecodeException(failure, "schema id " + id + ": " + e.getMessage(), id, e);
            } catch (RuntimeException e) {
                return cache(id, new Reader<>(null, "writer schema id " + id + " is not usable: " + e.getMessage()));
            }
            List<String> problems = AvroCompatibility.describe("writer schema id " + id + " (" + writer.getFullName()
                    + ") cannot be read as " + schema.getFullName(), SchemaCompatibility.checkReaderWriterCompatibility(schema, writer));
            if (!problems.isEmpty()) {
                return cache(id, new Reader<>(null, String.join("; ", problems)));
            }
            return cache(id, new Reader<>(new SpecificDatumReader<>(writer, schema, model), null));
        }

        private Reader<T> cache(int id, Reader<T> reader) {
            Reader<T> raced = readers.putIfAbsent(id, reader);
            return raced != null ? raced : reader;
        }

        void close() {
            client.close();
        }
    }

    @Override
    public String toString() {
        State<T> s = state;
        return "AvroSerde[" + (s == null ? "unconfigured" : s.type.getName() + (s.isKey ? ", key" : ", value")) + "]";
    }
}
