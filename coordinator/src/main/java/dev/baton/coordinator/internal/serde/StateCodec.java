package dev.baton.coordinator.internal.serde;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.events.JobDefinition;
import dev.baton.runmodel.state.RunState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Encodes run state for the coordinator's state store (internal format, JSON). The job definition is
 * embedded as Avro binary; decoded definitions are shared through a small cache because every run
 * of a job version carries the same one.
 */
public final class StateCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule().addSerializer(JobDefinition.class, new DefinitionSerializer())
                    .addDeserializer(JobDefinition.class, new DefinitionDeserializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int CACHE_LIMIT = 1024;
    private static final Map<String, JobDefinition> DEFINITIONS = new ConcurrentHashMap<>();

    private StateCodec() {}

    public static byte[] encode(RunState s) {
        try {
            return JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunState decode(byte[] bytes) {
        try {
            return JSON.readValue(bytes, RunState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt run state: " + e.getMessage(), e);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /** Encoded definitions by identity: run states share definition instances, and Avro's deep equals is costly. */
    private static final Map<JobDefinition, byte[]> ENCODED = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private static final ThreadLocal<SpecificDatumWriter<JobDefinition>> WRITER =
            ThreadLocal.withInitial(() -> new SpecificDatumWriter<>(JobDefinition.class));
    private static final ThreadLocal<SpecificDatumReader<JobDefinition>> READER =
            ThreadLocal.withInitial(() -> new SpecificDatumReader<>(JobDefinition.class));

    public static byte[] definitionBytes(JobDefinition d) {
        byte[] cached = ENCODED.get(d);
        if (cached != null) {
            return cached;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            WRITER.get().write(d, enc);
            enc.flush();
            byte[] bytes = out.toByteArray();
            if (ENCODED.size() >= CACHE_LIMIT) {
                ENCODED.clear();
            }
            ENCODED.put(d, bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JobDefinition definition(byte[] bytes) {
        String key = java.util.Base64.getEncoder().encodeToString(sha(bytes));
        JobDefinition cached = DEFINITIONS.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
            JobDefinition d = READER.get().read(null, dec);
            if (DEFINITIONS.size() >= CACHE_LIMIT) {
                DEFINITIONS.clear();
            }
            DEFINITIONS.put(key, d);
            if (ENCODED.size() < CACHE_LIMIT) {
                ENCODED.put(d, bytes);
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class DefinitionSerializer extends JsonSerializer<JobDefinition> {
        @Override
        public void serialize(JobDefinition value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeBinary(definitionBytes(value));
        }
    }

    private static final class DefinitionDeserializer extends JsonDeserializer<JobDefinition> {
        @Override
        public JobDefinition deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return definition(p.getBinaryValue());
        }
    }
}
