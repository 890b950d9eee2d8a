package dev.baton.coordinator.internal.serde;

import dev.baton.runmodel.events.Event.ErrorClass;
import dev.baton.runmodel.events.Event.Materialized;
import dev.baton.runmodel.events.Event.Origin;
import dev.baton.runmodel.events.Event.Reused;
import dev.baton.runmodel.state.ForEachProgress;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact binary body of run header and step records ({@link RunRecords#FORMAT} 2). Fields are written in the
 * record components' order with no names or tags; any change to the layout needs a new format byte (older formats
 * stay readable, see {@link RunRecords}).
 *
 * <ul>
 *   <li>int, long: zigzag varint (LEB128); boolean: one byte.</li>
 *   <li>String: varint (UTF-8 length + 1), then the bytes; 0 is null.</li>
 *   <li>Instant: varint 0 for null, else 1, zigzag epoch second, varint nano.</li>
 *   <li>enum: varint (position in the codec's own table + 1), 0 is null. The tables below are the wire order, not
 *       the enum's declaration order, so reordering an enum does not change stored states; a constant missing from
 *       its table fails at class initialisation.</li>
 *   <li>map, list: varint (size + 1), 0 is null, then the entries; maps keep their iteration order.</li>
 *   <li>nested records (reuse entries, materializations, forEach progress): varint 0 for null, else 1, then the
 *       components in order.</li>
 * </ul>
 * Decoded maps and lists are mutable ({@link LinkedHashMap}, {@link ArrayList}), as the JSON format decoded them.
 */
final class StateBinary {
    // wire order: append only
    private static final RunStatus[] RUN_STATUS = {RunStatus.REQUESTED, RunStatus.QUEUED, RunStatus.RUNNING,
            RunStatus.CANCELING, RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED};
    private static final StepStatus[] STEP_STATUS = {StepStatus.PENDING, StepStatus.QUEUED, StepStatus.DISPATCHED,
            StepStatus.RUNNING, StepStatus.RETRY_WAIT, StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED,
            StepStatus.CANCELED};
    private static final Origin[] ORIGIN = {Origin.API, Origin.SCHEDULE, Origin.SENSOR, Origin.ASSET, Origin.RETRY,
            Origin.WEBHOOK, Origin.UNKNOWN, Origin.SUBJOB};
    private static final ErrorClass[] ERROR_CLASS = {ErrorClass.USER_ERROR, ErrorClass.TIMEOUT,
            ErrorClass.INFRASTRUCTURE, ErrorClass.CANCELED, ErrorClass.LOST, ErrorClass.UNKNOWN,
            ErrorClass.SECRET_MISSING};
    private static final int[] RUN_STATUS_CODE = codes(RUN_STATUS, RunStatus.values().length);
    private static final int[] STEP_STATUS_CODE = codes(STEP_STATUS, StepStatus.values().length);
    private static final int[] ORIGIN_CODE = codes(ORIGIN, Origin.values().length);
    private static final int[] ERROR_CLASS_CODE = codes(ERROR_CLASS, ErrorClass.values().length);

    private StateBinary() {}

    // ---- run header (the state without definition and steps) ----

    static void writeHeader(Out o, RunState s) {
        o.string(s.runId());
        o.string(s.job());
        o.enumValue(RUN_STATUS_CODE, s.status());
        o.string(s.runKey());
        o.stringMap(s.params());
        o.stringMap(s.tags());
        o.enumValue(ORIGIN_CODE, s.origin());
        o.string(s.parentRunId());
        o.string(s.requestedBy());
        o.varlong(s.priority());
        o.string(s.traceId());
        o.instant(s.requestedAt());
        o.instant(s.startedAt());
        o.instant(s.endedAt());
        o.varlong(s.sequence());
        Map<String, Reused> reuse = s.reuse();
        if (reuse == null) {
            o.uvarint(0);
        } else {
            o.uvarint(reuse.size() + 1L);
            for (Map.Entry<String, Reused> e : reuse.entrySet()) {
                o.string(e.getKey());
                Reused r = e.getValue();
                if (r == null) {
                    o.uvarint(0);
                } else {
                    o.uvarint(1);
                    o.string(r.fromRunId());
                    o.varlong(r.attempt());
                    o.stringMap(r.outputs());
                }
            }
        }
        o.string(s.cancelReason());
        o.instant(s.cancelDeadline());
        o.string(s.failureReason());
        o.bool(s.timedOut());
        o.stringList(s.retriedAs());
        o.string(s.partition());
        o.string(s.traceparent());
        o.stringList(s.callChain());
        o.bool(s.noCache());
    }

    /** The stripped state: no definition, no steps (as {@link RunRecords#strip} makes it). */
    static RunState readHeader(In in) {
        String runId = in.string();
        String job = in.string();
        RunStatus status = in.enumValue(RUN_STATUS);
        String runKey = in.string();
        Map<String, String> params = in.stringMap();
        Map<String, String> tags = in.stringMap();
        Origin origin = in.enumValue(ORIGIN);
        String parentRunId = in.string();
        String requestedBy = in.string();
        int priority = in.varint();
        String traceId = in.string();
        Instant requestedAt = in.instant();
        Instant startedAt = in.instant();
        Instant endedAt = in.instant();
        long sequence = in.varlong();
        Map<String, Reused> reuse = null;
        int n = in.size();
        if (n >= 0) {
            reuse = new LinkedHashMap<>(capacity(n));
            for (int i = 0; i < n; i++) {
                String key = in.string();
                Reused r = null;
                if (in.present()) {
                    r = new Reused(in.string(), in.varint(), in.stringMap());
                }
                reuse.put(key, r);
            }
        }
        String cancelReason = in.string();
        Instant cancelDeadline = in.instant();
        String failureReason = in.string();
        boolean timedOut = in.bool();
        List<String> retriedAs = in.stringList();
        String partition = in.string();
        String traceparent = in.string();
        List<String> callChain = in.stringList();
        boolean noCache = in.bool();
        return new RunState(runId, job, null, status, runKey, params, tags, origin, parentRunId, requestedBy, priority,
                traceId, requestedAt, startedAt, endedAt, sequence, Map.of(), reuse, cancelReason, cancelDeadline,
                failureReason, timedOut, retriedAs, partition, traceparent, callChain, noCache);
    }

    // ---- step ----

    static void writeStep(Out o, StepState s) {
        o.string(s.key());
        o.bool(s.hook());
        o.enumValue(STEP_STATUS_CODE, s.status());
        o.varlong(s.attempt());
        o.string(s.attemptId());
        o.string(s.agentId());
        o.instant(s.dispatchedAt());
        o.instant(s.startedAt());
        o.instant(s.lastHeartbeat());
        o.instant(s.endedAt());
        o.stringMap(s.outputs());
        o.stringMap(s.outputRefs());
        materializations(o, s.materializations());
        o.enumValue(ERROR_CLASS_CODE, s.lastError());
        o.string(s.lastMessage());
        o.bool(s.cancelRequested());
        o.instant(s.retryDueAt());
        o.string(s.reusedFrom());
        materializations(o, s.upstream());
        o.varlong(s.infraRetries());
        o.string(s.childRunId());
        ForEachProgress f = s.forEach();
        if (f == null) {
            o.uvarint(0);
        } else {
            o.uvarint(1);
            o.varlong(f.count());
            o.varlong(f.maxParallel());
            o.varlong(f.started());
            o.varlong(f.succeeded());
            o.varlong(f.failed());
            o.varlong(f.canceled());
        }
    }

    static StepState readStep(In in) {
        String key = in.string();
        boolean hook = in.bool();
        StepStatus status = in.enumValue(STEP_STATUS);
        int attempt = in.varint();
        String attemptId = in.string();
        String agentId = in.string();
        Instant dispatchedAt = in.instant();
        Instant startedAt = in.instant();
        Instant lastHeartbeat = in.instant();
        Instant endedAt = in.instant();
        Map<String, String> outputs = in.stringMap();
        Map<String, String> outputRefs = in.stringMap();
        List<Materialized> materializations = materializations(in);
        ErrorClass lastError = in.enumValue(ERROR_CLASS);
        String lastMessage = in.string();
        boolean cancelRequested = in.bool();
        Instant retryDueAt = in.instant();
        String reusedFrom = in.string();
        List<Materialized> upstream = materializations(in);
        int infraRetries = in.varint();
        String childRunId = in.string();
        ForEachProgress forEach = null;
        if (in.present()) {
            forEach = new ForEachProgress(in.varint(), in.varint(), in.varint(), in.varint(), in.varint(), in.varint());
        }
        return new StepState(key, hook, status, attempt, attemptId, agentId, dispatchedAt, startedAt, lastHeartbeat,
                endedAt, outputs, outputRefs, materializations, lastError, lastMessage, cancelRequested, retryDueAt,
                reusedFrom, upstream, infraRetries, childRunId, forEach);
    }

    private static void materializations(Out o, List<Materialized> list) {
        if (list == null) {
            o.uvarint(0);
            return;
        }
        o.uvarint(list.size() + 1L);
        for (Materialized m : list) {
            if (m == null) {
                o.uvarint(0);
            } else {
                o.uvarint(1);
                o.string(m.assetKey());
                o.string(m.partition());
                o.string(m.id());
                o.string(m.dataVersion());
            }
        }
    }

    private static List<Materialized> materializations(In in) {
        int n = in.size();
        if (n < 0) {
            return null;
        }
        List<Materialized> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.present() ? new Materialized(in.string(), in.string(), in.string(), in.string()) : null);
        }
        return list;
    }

    private static int capacity(int n) {
        return n < 3 ? n + 1 : (int) (n / 0.75f) + 1;
    }

    private static int[] codes(Enum<?>[] table, int constants) {
        int[] codes = new int[constants];
        Arrays.fill(codes, -1);
        for (int i = 0; i < table.length; i++) {
            codes[table[i].ordinal()] = i + 1;
        }
        for (int i = 0; i < constants; i++) {
            if (codes[i] < 0) {
                throw new IllegalStateException("enum constant without a wire code: "
                        + table[0].getDeclaringClass().getEnumConstants()[i]);
            }
        }
        return codes;
    }

    // ---- primitives ----

    /** A growable output buffer. */
    static final class Out {
        private byte[] buf;
        private int pos;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void raw(byte b) {
            ensure(1);
            buf[pos++] = b;
        }

        void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        void uvarint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void varlong(long v) {
            uvarint((v << 1) ^ (v >> 63));
        }

        void bool(boolean b) {
            raw(b ? (byte) 1 : (byte) 0);
        }

        void string(String s) {
            if (s == null) {
                uvarint(0);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            uvarint(b.length + 1L);
            raw(b);
        }

        void instant(Instant t) {
            if (t == null) {
                uvarint(0);
                return;
            }
            uvarint(1);
            varlong(t.getEpochSecond());
            uvarint(t.getNano());
        }

        void enumValue(int[] codes, Enum<?> e) {
            uvarint(e == null ? 0 : codes[e.ordinal()]);
        }

        void stringMap(Map<String, String> m) {
            if (m == null) {
                uvarint(0);
                return;
            }
            uvarint(m.size() + 1L);
            for (Map.Entry<String, String> e : m.entrySet()) {
                string(e.getKey());
                string(e.getValue());
            }
        }

        void stringList(List<String> l) {
            if (l == null) {
                uvarint(0);
                return;
            }
            uvarint(l.size() + 1L);
            for (String s : l) {
                string(s);
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, pos);
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }
    }

    /** Reads what {@link Out} wrote; throws {@link IllegalStateException} on truncated or malformed input. */
    static final class In {
        private final byte[] buf;
        private int pos;
        private final int end;

        In(byte[] buf, int offset) {
            this.buf = buf;
            this.pos = offset;
            this.end = buf.length;
        }

        boolean atEnd() {
            return pos == end;
        }

        private byte next() {
            if (pos >= end) {
                throw new IllegalStateException("truncated");
            }
            return buf[pos++];
        }

        long uvarint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = next();
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new IllegalStateException("malformed varint");
        }

        long varlong() {
            long u = uvarint();
            return (u >>> 1) ^ -(u & 1);
        }

        int varint() {
            long v = varlong();
            if (v != (int) v) {
                throw new IllegalStateException("int out of range: " + v);
            }
            return (int) v;
        }

        /** A size written as size + 1; -1 for null. */
        int size() {
            long n = uvarint() - 1;
            if (n > end - pos) { // every element takes at least one byte
                throw new IllegalStateException("size " + n + " beyond the value's end");
            }
            return (int) n;
        }

        boolean present() {
            long tag = uvarint();
            if (tag > 1) {
                throw new IllegalStateException("bad presence tag " + tag);
            }
            return tag == 1;
        }

        boolean bool() {
            byte b = next();
            if (b != 0 && b != 1) {
                throw new IllegalStateException("bad boolean " + b);
            }
            return b == 1;
        }

        String string() {
            int n = size();
            if (n < 0) {
                return null;
            }
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        Instant instant() {
            if (!present()) {
                return null;
            }
            long seconds = varlong();
            long nanos = uvarint();
            return Instant.ofEpochSecond(seconds, nanos);
        }

        <E extends Enum<E>> E enumValue(E[] table) {
            long code = uvarint();
            if (code == 0) {
                return null;
            }
            if (code > table.length) {
                throw new IllegalStateException("unknown " + table[0].getDeclaringClass().getSimpleName() + " code " + code);
            }
            return table[(int) code - 1];
        }

        Map<String, String> stringMap() {
            int n = size();
            if (n < 0) {
                return null;
            }
            Map<String, String> m = new LinkedHashMap<>(capacity(n));
            for (int i = 0; i < n; i++) {
                m.put(string(), string());
            }
            return m;
        }

        List<String> stringList() {
            int n = size();
            if (n < 0) {
                return null;
            }
            List<String> l = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                l.add(string());
            }
            return l;
        }
    }
}
