package dev.baton.jobs;

import dev.baton.events.JobDefinition;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The documented size limits of a job and of a run's params (docs/jobs.md, "Limits"). Every run request and
 * RUN_REQUESTED event embeds the job's definition, so these keep each record well below Kafka's 1 MiB default
 * record limit ({@code max.request.size}, {@code message.max.bytes}) with room for the rest of the record.
 * Registration ({@link JobParser#parse}) enforces the job limits; the API and the coordinator check a run's params
 * with {@link #checkParams}.
 */
public final class JobLimits {
    /** Steps per job: main steps plus {@code onFailure} steps. */
    public static final int MAX_STEPS = 5_000;
    /** The job definition, Avro-encoded as stored (including its {@code source}), in bytes. */
    public static final int MAX_DEFINITION_BYTES = 524_288;
    /** A run's params: the sum of the UTF-8 bytes of every name and value. */
    public static final int MAX_PARAMS_BYTES = 65_536;

    private JobLimits() {}

    /** The problems of a parsed job over a limit (path and message name the limit), empty when it is within them. */
    public static List<Problem> check(JobDefinition definition) {
        List<Problem> problems = new ArrayList<>();
        int main = definition.getSteps().size();
        int onFailure = definition.getOnFailure().size();
        if (main + onFailure > MAX_STEPS) {
            problems.add(new Problem("steps", (onFailure == 0 ? main + " steps"
                    : (main + onFailure) + " steps (" + main + " steps and " + onFailure + " onFailure steps)")
                    + " exceed the limit of " + MAX_STEPS + " steps per job (limit max_steps)"));
        }
        long bytes = registeredSize(definition);
        if (bytes > MAX_DEFINITION_BYTES) {
            problems.add(new Problem("$", "the job definition is " + bytes + " bytes encoded (with its source), over"
                    + " the limit of " + MAX_DEFINITION_BYTES + " bytes per job definition (limit max_definition_bytes)"));
        }
        return problems;
    }

    /**
     * A run's params over {@link #MAX_PARAMS_BYTES}, as a problem at {@code params} naming the limit; empty when
     * they are within it. Null names or values count as empty.
     */
    public static Optional<Problem> checkParams(Map<String, String> params) {
        long bytes = paramsBytes(params);
        if (bytes <= MAX_PARAMS_BYTES) {
            return Optional.empty();
        }
        return Optional.of(new Problem("params", "the params are " + bytes + " bytes (names and values, UTF-8),"
                + " over the limit of " + MAX_PARAMS_BYTES + " bytes per run (limit max_params_bytes)"));
    }

    /** The sum of the UTF-8 bytes of every param name and value. */
    public static long paramsBytes(Map<String, String> params) {
        long bytes = 0;
        for (Map.Entry<String, String> e : params.entrySet()) {
            bytes += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return bytes;
    }

    /**
     * The encoded size as registered: {@link #encodedSize} with {@code version} and {@code registeredAt} counted at
     * their widest (the registrar assigns them after parsing), so the same file always measures the same.
     */
    public static long registeredSize(JobDefinition definition) {
        long registeredAt = definition.getRegisteredAt() == null ? 0 : definition.getRegisteredAt().toEpochMilli();
        return encodedSize(definition) - varLongSize(definition.getVersion()) - varLongSize(registeredAt)
                + varLongSize(Integer.MIN_VALUE) + varLongSize(Long.MIN_VALUE);
    }

    /** Bytes of a zig-zag varint (Avro int and long). */
    private static int varLongSize(long value) {
        long n = (value << 1) ^ (value >> 63);
        int size = 1;
        while ((n & ~0x7FL) != 0) {
            n >>>= 7;
            size++;
        }
        return size;
    }

    /** The size of the definition in Avro binary encoding (without the 5-byte wire-format header). */
    public static long encodedSize(JobDefinition definition) {
        CountingStream counter = new CountingStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(counter, null);
        try {
            new SpecificDatumWriter<>(JobDefinition.class).write(definition, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count;
    }

    private static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
