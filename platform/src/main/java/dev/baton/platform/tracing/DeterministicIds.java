package dev.baton.platform.tracing;

import io.opentelemetry.sdk.trace.IdGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Trace and span ids derived from names (SHA-256 of the parts), so that a span rebuilt from the same events (a replay,
 * a second coordinator instance after a rebalance) gets the same ids and joins the same tree instead of inventing a
 * new one. {@link #GENERATOR} is the SDK's id generator: it hands out ids preset for the current thread by
 * {@link Tracing#startSpan} and random ids otherwise.
 */
public final class DeterministicIds {
    private DeterministicIds() {}

    /** A 32-hex trace id for these parts (never all zeros). */
    public static String traceId(String... parts) {
        return hex(parts, 16);
    }

    /** A 16-hex span id for these parts (never all zeros). */
    public static String spanId(String... parts) {
        return hex(parts, 8);
    }

    private static String hex(String[] parts, int bytes) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String p : parts) {
            md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        byte[] d = md.digest();
        byte[] out = new byte[bytes];
        System.arraycopy(d, 0, out, 0, bytes);
        boolean zero = true;
        for (byte b : out) zero &= b == 0;
        if (zero) out[bytes - 1] = 1;
        return HexFormat.of().formatHex(out);
    }

    private static final ThreadLocal<String> NEXT_TRACE_ID = new ThreadLocal<>();
    private static final ThreadLocal<String> NEXT_SPAN_ID = new ThreadLocal<>();

    static void preset(String traceId, String spanId) {
        NEXT_TRACE_ID.set(traceId);
        NEXT_SPAN_ID.set(spanId);
    }

    static void clear() {
        NEXT_TRACE_ID.remove();
        NEXT_SPAN_ID.remove();
    }

    /** Preset ids for the span being started on this thread, random ones otherwise. */
    static final IdGenerator GENERATOR = new IdGenerator() {
        private final IdGenerator random = IdGenerator.random();

        @Override
        public String generateSpanId() {
            String id = NEXT_SPAN_ID.get();
            if (id == null) return random.generateSpanId();
            NEXT_SPAN_ID.remove();
            return id;
        }

        @Override
        public String generateTraceId() {
            String id = NEXT_TRACE_ID.get();
            if (id == null) return random.generateTraceId();
            NEXT_TRACE_ID.remove();
            return id;
        }
    };
}
