package dev.baton.coordinator.internal.serde;

import dev.baton.coordinator.internal.Names;
import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored layout of a run's state (internal format). One {@link RunState} is split so that no record grows with
 * the job's size: a <b>header</b> (the state without its steps, the job definition by reference), one record per
 * <b>step</b>, and the <b>definition</b> stored once per content hash. {@link #assemble} puts them back together;
 * the logical model (and replay equivalence) is unchanged.
 *
 * <p>Header and step values start with a format byte. {@link #FORMAT} (2), written: a compact binary body
 * ({@link StateBinary}). {@link #FORMAT_JSON} (1), still read: a JSON body. A value starting with {@code '{'} is the
 * layout before the split (the whole state as one JSON blob), still read by {@link #isLegacy} /
 * {@link StateCodec#decode}. A header's body follows its format byte, the definition reference's length (one byte)
 * and the reference (ASCII) in every format; in format 2, a content hash (64 lowercase hex characters) is written as
 * its 32 bytes instead, marked by the length byte's high bit.
 */
public final class RunRecords {
    /** Format byte of header, step and instance-outputs values written: the binary body. */
    public static final byte FORMAT = 2;
    /** Format byte of the JSON body written before format 2; read, no longer written (but by {@link #encodeHeaderJson}). */
    public static final byte FORMAT_JSON = 1;

    /** Format 2: a reference length byte with this bit set is followed by the reference's bytes (hex in the key). */
    private static final int DIGEST_FLAG = 0x80;
    private static final int DIGEST_BYTES = 32;

    private RunRecords() {}

    /** A reference as {@link #definitionRef} makes it: 64 lowercase hex characters. */
    private static boolean isDigest(String ref) {
        if (ref.length() != 2 * DIGEST_BYTES) {
            return false;
        }
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** A decoded header: the state without steps and definition, and the definition's reference. */
    public record Header(String definitionRef, RunState stripped) {}

    public static boolean isLegacy(byte[] value) {
        return value.length > 0 && value[0] == '{';
    }

    /** The header's logical content: the state without steps and definition (comparable with equals). */
    public static RunState strip(RunState s) {
        return new RunState(s.runId(), s.job(), null, s.status(), s.runKey(), s.params(), s.tags(), s.origin(),
                s.parentRunId(), s.requestedBy(), s.priority(), s.traceId(), s.requestedAt(), s.startedAt(), s.endedAt(),
                s.sequence(), Map.of(), s.reuse(), s.cancelReason(), s.cancelDeadline(), s.failureReason(), s.timedOut(),
                s.retriedAs(), s.partition(), s.traceparent(), s.callChain(), s.noCache());
    }

    public static byte[] encodeHeader(RunState s, String definitionRef) {
        StateBinary.Out out = new StateBinary.Out(64 + 160);
        out.raw(FORMAT);
        if (isDigest(definitionRef)) { // a content hash as its 32 bytes, not 64 hex characters
            out.raw((byte) (DIGEST_FLAG | DIGEST_BYTES));
            out.raw(HexFormat.of().parseHex(definitionRef));
        } else {
            byte[] ref = definitionRef.getBytes(StandardCharsets.US_ASCII);
            if (ref.length >= DIGEST_FLAG) {
                throw new IllegalArgumentException("definition reference too long: " + definitionRef);
            }
            out.raw((byte) ref.length);
            out.raw(ref);
        }
        StateBinary.writeHeader(out, s);
        return out.toByteArray();
    }

    /** A format-1 (JSON) header, as written before format 2: for tests of reading old changelogs and for benchmarks. */
    public static byte[] encodeHeaderJson(RunState s, String definitionRef) {
        byte[] ref = definitionRef.getBytes(StandardCharsets.US_ASCII);
        byte[] json = json(strip(s));
        byte[] out = new byte[2 + ref.length + json.length];
        out[0] = FORMAT_JSON;
        out[1] = (byte) ref.length;
        System.arraycopy(ref, 0, out, 2, ref.length);
        System.arraycopy(json, 0, out, 2 + ref.length, json.length);
        return out;
    }

    public static Header decodeHeader(byte[] value) {
        byte format = check(value, "header");
        int len = refLength(value, format);
        String ref = ref(value, format);
        if (format == FORMAT) {
            return new Header(ref, binary(value, 2 + len, "run header", StateBinary::readHeader));
        }
        try {
            RunState stripped = StateCodec.json().readValue(value, 2 + len, value.length - 2 - len, RunState.class);
            return new Header(ref, stripped);
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt run header: " + e.getMessage(), e);
        }
    }

    /**
     * Only the definition reference of a stored header value (the body is not decoded), or null for a value of the
     * layout before the split, which holds its definition itself.
     */
    public static String headerDefinitionRef(byte[] value) {
        return isLegacy(value) ? null : ref(value, check(value, "header"));
    }

    private static int refLength(byte[] value, byte format) {
        int len = value[1] & 0xff;
        if (format == FORMAT && (len & DIGEST_FLAG) != 0) {
            len &= ~DIGEST_FLAG;
        }
        if (value.length < 2 + len) {
            throw new IllegalStateException("Corrupt run header: truncated definition reference");
        }
        return len;
    }

    private static String ref(byte[] value, byte format) {
        int len = refLength(value, format);
        boolean digest = format == FORMAT && (value[1] & DIGEST_FLAG) != 0;
        return digest ? HexFormat.of().formatHex(value, 2, 2 + len) : new String(value, 2, len, StandardCharsets.US_ASCII);
    }

    public static byte[] encodeStep(StepState s) {
        StateBinary.Out out = new StateBinary.Out(128);
        out.raw(FORMAT);
        StateBinary.writeStep(out, s);
        return out.toByteArray();
    }

    /** A format-1 (JSON) step, as written before format 2: for tests of reading old changelogs and for benchmarks. */
    public static byte[] encodeStepJson(StepState s) {
        byte[] json = json(s);
        byte[] out = new byte[1 + json.length];
        out[0] = FORMAT_JSON;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }

    public static StepState decodeStep(byte[] value) {
        byte format = check(value, "step");
        if (format == FORMAT) {
            return binary(value, 1, "step state", StateBinary::readStep);
        }
        try {
            return StateCodec.json().readValue(value, 1, value.length - 1, StepState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt step state: " + e.getMessage(), e);
        }
    }

    /** A forEach instance's outputs (format byte, then the map sorted by key: binary in format 2, JSON in 1). */
    public static byte[] encodeOutputs(Map<String, String> outputs) {
        StateBinary.Out out = new StateBinary.Out(64);
        out.raw(FORMAT);
        out.stringMap(new java.util.TreeMap<>(outputs));
        return out.toByteArray();
    }

    public static Map<String, String> decodeOutputs(byte[] value) {
        if (value.length >= 1 && value[0] == FORMAT) {
            Map<String, String> m = binary(value, 1, "instance outputs", in -> {
                Map<String, String> read = in.stringMap();
                if (read == null) {
                    throw new IllegalStateException("null map");
                }
                return read;
            });
            return new java.util.TreeMap<>(m);
        }
        if (value.length < 1 || value[0] != FORMAT_JSON) {
            throw new IllegalStateException("Unknown instance outputs record format");
        }
        try {
            return StateCodec.json().readValue(value, 1, value.length - 1,
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt instance outputs: " + e.getMessage(), e);
        }
    }

    /** Key of a step record: run id, separator, step key. */
    public static String stepKey(String runId, String stepKey) {
        return runId + Names.STEP_KEY_SEPARATOR + stepKey;
    }

    /** Prefix of every step record key of a run. */
    public static String stepPrefix(String runId) {
        return runId + Names.STEP_KEY_SEPARATOR;
    }

    /** The content hash a header refers to its definition by (hex SHA-256 of the definition's Avro binary). */
    public static String definitionRef(JobDefinition d) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(StateCodec.definitionBytes(d)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The run's state from its header, definition and step records, steps in the definition's order. */
    public static RunState assemble(RunState stripped, JobDefinition definition, Map<String, StepState> steps) {
        Map<String, StepState> ordered = new LinkedHashMap<>(steps.size() * 2);
        for (StepDefinition d : definition.getSteps()) {
            put(ordered, steps, d.getKey());
        }
        for (StepDefinition d : definition.getOnFailure()) {
            put(ordered, steps, d.getKey());
        }
        // forEach instances in flight: after the steps, by their step's position, then by element order
        Map<String, Integer> position = new java.util.HashMap<>();
        for (String k : ordered.keySet()) {
            position.put(k, position.size());
        }
        java.util.List<String> extra = new java.util.ArrayList<>();
        for (String k : steps.keySet()) {
            if (!ordered.containsKey(k)) {
                extra.add(k);
            }
        }
        extra.sort(java.util.Comparator.<String>comparingInt(k -> {
                    String p = dev.baton.runmodel.state.StepInstances.parent(k);
                    return p == null ? Integer.MAX_VALUE : position.getOrDefault(p, Integer.MAX_VALUE);
                })
                .thenComparingInt(k -> dev.baton.runmodel.state.StepInstances.isInstance(k)
                        ? dev.baton.runmodel.state.StepInstances.index(k) : 0)
                .thenComparing(java.util.Comparator.naturalOrder()));
        for (String k : extra) {
            ordered.put(k, steps.get(k));
        }
        RunState s = stripped;
        return new RunState(s.runId(), s.job(), definition, s.status(), s.runKey(), s.params(), s.tags(), s.origin(),
                s.parentRunId(), s.requestedBy(), s.priority(), s.traceId(), s.requestedAt(), s.startedAt(), s.endedAt(),
                s.sequence(), ordered, s.reuse(), s.cancelReason(), s.cancelDeadline(), s.failureReason(), s.timedOut(),
                s.retriedAs(), s.partition(), s.traceparent(), s.callChain(), s.noCache());
    }

    private static void put(Map<String, StepState> ordered, Map<String, StepState> steps, String key) {
        StepState st = steps.get(key);
        if (st != null) {
            ordered.put(key, st);
        }
    }

    /** The value's format byte (one this version reads), else throws. */
    private static byte check(byte[] value, String what) {
        if (value.length < 2 || (value[0] != FORMAT && value[0] != FORMAT_JSON)) {
            throw new IllegalStateException("Unknown " + what + " record format " + (value.length == 0 ? "(empty)" : value[0]));
        }
        return value[0];
    }

    private static <T> T binary(byte[] value, int offset, String what, java.util.function.Function<StateBinary.In, T> read) {
        try {
            StateBinary.In in = new StateBinary.In(value, offset);
            T o = read.apply(in);
            if (!in.atEnd()) {
                throw new IllegalStateException("trailing bytes");
            }
            return o;
        } catch (RuntimeException e) {
            throw new IllegalStateException("Corrupt " + what + ": " + e.getMessage(), e);
        }
    }

    private static byte[] json(Object o) {
        try {
            return StateCodec.json().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
