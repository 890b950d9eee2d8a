package dev.baton.coordinator.internal.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.JobParser;
import dev.baton.jobs.Format;
import dev.baton.runmodel.events.Event.ErrorClass;
import dev.baton.runmodel.events.Event.Materialized;
import dev.baton.runmodel.events.Event.Origin;
import dev.baton.runmodel.events.Event.Reused;
import dev.baton.runmodel.state.ForEachProgress;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The stored run records: every field of a run's state round-trips through the written format (2, binary), and the
 * values older versions wrote (format 1, JSON; the whole-state JSON before the split) still read.
 */
class RunRecordsTest {
    private static final Instant T = Instant.parse("2026-12-07T01:02:03.123456789Z");
    private static final String REF = "ab".repeat(32);
    private static final JobDefinition DEFINITION = JobParser.parse("""
            name: orders
            steps:
              - key: extract
                noop: {}
            """, Format.YAML, Instant.EPOCH);

    /** Every field set to a value other than null, false, zero or empty (checked below), in every nested record. */
    private static StepState fullStep() {
        return new StepState("extract", true, StepStatus.RETRY_WAIT, 3, "att-3", "agent-7", T, T.plusMillis(5),
                T.plusSeconds(1), T.plusSeconds(2), new LinkedHashMap<>(Map.of("rows", "42")), Map.of("blob", "s3://b/k"),
                List.of(new Materialized("db.t", "2026-12-06", "m-1", "v9")), ErrorClass.INFRASTRUCTURE, "lost \u00e9\u4e2d",
                true, T.plusSeconds(30), "run-0", List.of(new Materialized("db.u", "p", "m-0", "v1")), 1, "child-1",
                new ForEachProgress(10, 4, 6, 3, 1, 1));
    }

    private static RunState fullState() {
        return new RunState("run-1", "orders", DEFINITION, RunStatus.CANCELING, "key-1", Map.of("p", "1"),
                Map.of("team", "data"), Origin.SUBJOB, "parent-1", "alice", -5, "trace-1", T, T.plusMillis(1),
                T.plusSeconds(90), 17, Map.of("extract", fullStep()), Map.of("load", new Reused("run-0", 2, Map.of("x", "y"))),
                "user asked", T.plusSeconds(60), "boom", true, List.of("run-2"), "2026-12-06",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", List.of("orders", "daily"), true);
    }

    @Test
    void theFullSampleSetsEveryField() {
        // a field added to a state record must be given a value here, so that the round trips below cover it
        assertEveryComponentSet(fullState(), "RunState");
    }

    @Test
    void everyFieldRoundTripsInTheWrittenFormat() {
        RunState s = fullState();
        byte[] header = RunRecords.encodeHeader(s, REF);
        assertThat(header[0]).isEqualTo(RunRecords.FORMAT).isEqualTo((byte) 2);
        assertThat(header[1] & 0xff).as("the content hash as its 32 bytes").isEqualTo(0x80 | 32);
        RunRecords.Header h = RunRecords.decodeHeader(header);
        assertThat(h.definitionRef()).isEqualTo(REF);
        assertThat(h.stripped()).isEqualTo(RunRecords.strip(s));
        assertThat(RunRecords.decodeStep(RunRecords.encodeStep(fullStep()))).isEqualTo(fullStep());
        assertThat(RunRecords.assemble(h.stripped(), s.definition(), Map.of("extract",
                RunRecords.decodeStep(RunRecords.encodeStep(fullStep()))))).isEqualTo(s);
    }

    @Test
    void theWrittenFormatIsPinned() {
        // format 2's layout is fixed: a change to it needs a new format byte (values already stored must stay readable)
        assertThat(HexFormat.of().formatHex(RunRecords.encodeStep(fullStep()))).isEqualTo(FORMAT2_STEP);
        assertThat(HexFormat.of().formatHex(RunRecords.encodeHeader(fullState(), REF))).isEqualTo(FORMAT2_HEADER);
    }

    @Test
    void randomStatesRoundTripInBothFormats() {
        Random r = new Random(20);
        for (int i = 0; i < 400; i++) {
            RunState s = randomState(r);
            String ref = switch (i % 4) {
                case 0 -> REF;
                case 1 -> "";
                case 2 -> "x".repeat(64); // not a content hash: written as it is
                default -> RunRecords.definitionRef(DEFINITION);
            };
            for (byte[] header : List.of(RunRecords.encodeHeader(s, ref), RunRecords.encodeHeaderJson(s, ref))) {
                RunRecords.Header h = RunRecords.decodeHeader(header);
                assertThat(h.definitionRef()).isEqualTo(ref);
                assertThat(h.stripped()).as("header, format %d, case %d", header[0], i).isEqualTo(RunRecords.strip(s));
            }
            for (StepState st : s.steps().values()) {
                assertThat(RunRecords.decodeStep(RunRecords.encodeStep(st))).as("step, case %d", i).isEqualTo(st);
                assertThat(RunRecords.decodeStep(RunRecords.encodeStepJson(st))).as("JSON step, case %d", i).isEqualTo(st);
            }
        }
    }

    @Test
    void readsTheValuesTheJsonFormatsWrote() {
        // written by the format-1 codec (main at af0a5c7) for fullState() with endedAt null on both
        RunState expected = withoutEnds(fullState());
        StepState step = expected.step("extract");
        RunRecords.Header h = RunRecords.decodeHeader(Base64.getDecoder().decode(FORMAT1_HEADER));
        assertThat(h.definitionRef()).isEqualTo(REF);
        assertThat(h.stripped()).isEqualTo(RunRecords.strip(expected));
        assertThat(RunRecords.decodeStep(Base64.getDecoder().decode(FORMAT1_STEP))).isEqualTo(step);
        assertThat(RunRecords.decodeOutputs(Base64.getDecoder().decode(FORMAT1_OUTPUTS))).isEqualTo(Map.of("a", "1", "b", "2"));
        byte[] legacy = LEGACY.getBytes(StandardCharsets.UTF_8);
        assertThat(RunRecords.isLegacy(legacy)).isTrue();
        assertThat(RunRecords.isLegacy(RunRecords.encodeHeader(expected, REF))).isFalse();
        RunState whole = StateCodec.decode(legacy);
        assertThat(whole).isEqualTo(new RunState(expected.runId(), expected.job(), null, expected.status(), expected.runKey(),
                expected.params(), expected.tags(), expected.origin(), expected.parentRunId(), expected.requestedBy(),
                expected.priority(), expected.traceId(), expected.requestedAt(), expected.startedAt(), expected.endedAt(),
                expected.sequence(), Map.of("extract", step), expected.reuse(), expected.cancelReason(),
                expected.cancelDeadline(), expected.failureReason(), expected.timedOut(), expected.retriedAs(),
                expected.partition(), expected.traceparent(), expected.callChain(), expected.noCache()));
    }

    @Test
    void instanceOutputsRoundTripSorted() {
        byte[] v = RunRecords.encodeOutputs(Map.of("b", "2", "a", "1", "\u4e2d", ""));
        assertThat(v[0]).isEqualTo(RunRecords.FORMAT);
        assertThat(List.copyOf(RunRecords.decodeOutputs(v).entrySet()))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("\u4e2d", ""));
        assertThat(RunRecords.decodeOutputs(RunRecords.encodeOutputs(Map.of()))).isEmpty();
    }

    @Test
    void unknownFormatsAndDamagedValuesAreRefused() {
        byte[] step = RunRecords.encodeStep(fullStep());
        byte[] header = RunRecords.encodeHeader(fullState(), REF);
        assertThatThrownBy(() -> RunRecords.decodeStep(Arrays.copyOf(step, step.length - 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Corrupt step state");
        assertThatThrownBy(() -> RunRecords.decodeHeader(Arrays.copyOf(header, header.length - 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Corrupt run header");
        assertThatThrownBy(() -> RunRecords.decodeStep(Arrays.copyOf(step, step.length + 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("trailing bytes");
        byte[] future = step.clone();
        future[0] = 3;
        assertThatThrownBy(() -> RunRecords.decodeStep(future))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Unknown step record format 3");
        assertThatThrownBy(() -> RunRecords.decodeOutputs(new byte[] {RunRecords.FORMAT, 5, 1}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Corrupt instance outputs");
    }

    // ---- random states ----

    private static RunState randomState(Random r) {
        Map<String, StepState> steps = new LinkedHashMap<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            StepState st = randomStep(r, "s" + i);
            steps.put(st.key(), st);
        }
        Map<String, Reused> reuse = null;
        if (r.nextInt(4) > 0) {
            reuse = new LinkedHashMap<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                reuse.put(string(r) + i, r.nextInt(5) == 0 ? null : new Reused(string(r), r.nextInt(), map(r)));
            }
        }
        // a run always has a status (the JSON format could not write a state without one)
        return new RunState(string(r), string(r), null, RunStatus.values()[r.nextInt(RunStatus.values().length)], string(r), map(r), map(r),
                pick(r, Origin.values()), string(r), string(r), r.nextInt(), string(r), instant(r), instant(r), instant(r),
                r.nextLong(), steps, reuse, string(r), instant(r), string(r), r.nextBoolean(), list(r), string(r), string(r),
                list(r), r.nextBoolean());
    }

    private static StepState randomStep(Random r, String key) {
        return new StepState(key, r.nextBoolean(), pick(r, StepStatus.values()), r.nextInt(), string(r), string(r),
                instant(r), instant(r), instant(r), instant(r), map(r), map(r), materializations(r),
                pick(r, ErrorClass.values()), string(r), r.nextBoolean(), instant(r), string(r), materializations(r),
                r.nextInt(), string(r), r.nextBoolean() ? null : new ForEachProgress(r.nextInt(), r.nextInt(1000),
                        r.nextInt(), r.nextInt(), -r.nextInt(3), Integer.MIN_VALUE));
    }

    private static <E> E pick(Random r, E[] values) {
        int i = r.nextInt(values.length + 1);
        return i == values.length ? null : values[i];
    }

    private static final String[] STRINGS = {"", "a", "run-\u00e9\u4e2d\ud83d\ude00", "x".repeat(200), "\"{}\\\n\u0000",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"};

    private static String string(Random r) {
        int i = r.nextInt(STRINGS.length + 2);
        return i == STRINGS.length ? null : i > STRINGS.length ? Long.toString(r.nextLong(), 36) : STRINGS[i];
    }

    private static Instant instant(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> Instant.ofEpochMilli(1_700_000_000_000L + r.nextInt(1_000_000_000));
            case 2 -> Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 250_000_000_000L), r.nextInt(1_000_000_000));
            default -> T;
        };
    }

    private static Map<String, String> map(Random r) {
        if (r.nextInt(6) == 0) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            String k = string(r);
            m.put(k == null ? "k" + i : k, string(r));
        }
        return m;
    }

    private static List<String> list(Random r) {
        if (r.nextInt(6) == 0) {
            return null;
        }
        List<String> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            l.add(string(r));
        }
        return l;
    }

    private static List<Materialized> materializations(Random r) {
        if (r.nextInt(6) == 0) {
            return null;
        }
        List<Materialized> l = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            l.add(r.nextInt(6) == 0 ? null : new Materialized(string(r), string(r), string(r), string(r)));
        }
        return l;
    }

    // ---- the sample's completeness ----

    private static final Set<Class<?>> NESTED = Set.of(RunState.class, StepState.class, Reused.class, Materialized.class,
            ForEachProgress.class);

    private static void assertEveryComponentSet(Record r, String path) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            String at = path + "." + c.getName();
            assertThat(v).as(at).isNotNull();
            assertThat(v).as(at).isNotEqualTo(false).isNotEqualTo(0).isNotEqualTo(0L);
            if (v instanceof Collection<?> col) {
                assertThat(col).as(at).isNotEmpty();
                col.forEach(e -> nested(e, at));
            } else if (v instanceof Map<?, ?> m) {
                assertThat(m).as(at).isNotEmpty();
                m.values().forEach(e -> nested(e, at));
            } else {
                nested(v, at);
            }
        }
    }

    private static void nested(Object v, String at) {
        if (v != null && NESTED.contains(v.getClass())) {
            assertEveryComponentSet((Record) v, at);
        }
    }

    private static RunState withoutEnds(RunState s) {
        StepState st = s.step("extract");
        StepState step = new StepState(st.key(), st.hook(), st.status(), st.attempt(), st.attemptId(), st.agentId(),
                st.dispatchedAt(), st.startedAt(), st.lastHeartbeat(), null, st.outputs(), st.outputRefs(),
                st.materializations(), st.lastError(), st.lastMessage(), st.cancelRequested(), st.retryDueAt(),
                st.reusedFrom(), List.of(new Materialized("db.u", null, "m-0", null)), st.infraRetries(), st.childRunId(),
                st.forEach());
        return new RunState(s.runId(), s.job(), s.definition(), s.status(), s.runKey(), s.params(), s.tags(), s.origin(),
                s.parentRunId(), s.requestedBy(), s.priority(), s.traceId(), s.requestedAt(), s.startedAt(), null,
                s.sequence(), Map.of("extract", step), s.reuse(), s.cancelReason(), s.cancelDeadline(), s.failureReason(),
                s.timedOut(), s.retriedAs(), s.partition(), s.traceparent(), s.callChain(), s.noCache());
    }

    // format 1 and the legacy whole state, as the JSON codec wrote them
    private static final String FORMAT1_HEADER = "AUBhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFieyJydW5JZCI6InJ1bi0xIiwiam9iIjoib3JkZXJzIiwiZGVmaW5pdGlvbiI6bnVsbCwic3RhdHVzIjoiQ0FOQ0VMSU5HIiwicnVuS2V5Ijoia2V5LTEiLCJwYXJhbXMiOnsicCI6IjEifSwidGFncyI6eyJ0ZWFtIjoiZGF0YSJ9LCJvcmlnaW4iOiJTVUJKT0IiLCJwYXJlbnRSdW5JZCI6InBhcmVudC0xIiwicmVxdWVzdGVkQnkiOiJhbGljZSIsInByaW9yaXR5IjotNSwidHJhY2VJZCI6InRyYWNlLTEiLCJyZXF1ZXN0ZWRBdCI6IjIwMjYtMTItMDdUMDE6MDI6MDMuMTIzNDU2Nzg5WiIsInN0YXJ0ZWRBdCI6IjIwMjYtMTItMDdUMDE6MDI6MDMuMTI0NDU2Nzg5WiIsImVuZGVkQXQiOm51bGwsInNlcXVlbmNlIjoxNywic3RlcHMiOnt9LCJyZXVzZSI6eyJsb2FkIjp7ImZyb21SdW5JZCI6InJ1bi0wIiwiYXR0ZW1wdCI6Miwib3V0cHV0cyI6eyJ4IjoieSJ9fX0sImNhbmNlbFJlYXNvbiI6InVzZXIgYXNrZWQiLCJjYW5jZWxEZWFkbGluZSI6IjIwMjYtMTItMDdUMDE6MDM6MDMuMTIzNDU2Nzg5WiIsImZhaWx1cmVSZWFzb24iOiJib29tIiwidGltZWRPdXQiOnRydWUsInJldHJpZWRBcyI6WyJydW4tMiJdLCJwYXJ0aXRpb24iOiIyMDI2LTEyLTA2IiwidHJhY2VwYXJlbnQiOiIwMC0wYWY3NjUxOTE2Y2Q0M2RkODQ0OGViMjExYzgwMzE5Yy1iN2FkNmI3MTY5MjAzMzMxLTAxIiwiY2FsbENoYWluIjpbIm9yZGVycyIsImRhaWx5Il0sIm5vQ2FjaGUiOnRydWUsImZpbmlzaGVkIjpmYWxzZX0=";
    private static final String FORMAT1_STEP = "AXsia2V5IjoiZXh0cmFjdCIsImhvb2siOnRydWUsInN0YXR1cyI6IlJFVFJZX1dBSVQiLCJhdHRlbXB0IjozLCJhdHRlbXB0SWQiOiJhdHQtMyIsImFnZW50SWQiOiJhZ2VudC03IiwiZGlzcGF0Y2hlZEF0IjoiMjAyNi0xMi0wN1QwMTowMjowMy4xMjM0NTY3ODlaIiwic3RhcnRlZEF0IjoiMjAyNi0xMi0wN1QwMTowMjowMy4xMjg0NTY3ODlaIiwibGFzdEhlYXJ0YmVhdCI6IjIwMjYtMTItMDdUMDE6MDI6MDQuMTIzNDU2Nzg5WiIsImVuZGVkQXQiOm51bGwsIm91dHB1dHMiOnsicm93cyI6IjQyIn0sIm91dHB1dFJlZnMiOnsiYmxvYiI6InMzOi8vYi9rIn0sIm1hdGVyaWFsaXphdGlvbnMiOlt7ImFzc2V0S2V5IjoiZGIudCIsInBhcnRpdGlvbiI6IjIwMjYtMTItMDYiLCJpZCI6Im0tMSIsImRhdGFWZXJzaW9uIjoidjkifV0sImxhc3RFcnJvciI6IklORlJBU1RSVUNUVVJFIiwibGFzdE1lc3NhZ2UiOiJsb3N0IMOp5LitIiwiY2FuY2VsUmVxdWVzdGVkIjp0cnVlLCJyZXRyeUR1ZUF0IjoiMjAyNi0xMi0wN1QwMTowMjozMy4xMjM0NTY3ODlaIiwicmV1c2VkRnJvbSI6InJ1bi0wIiwidXBzdHJlYW0iOlt7ImFzc2V0S2V5IjoiZGIudSIsInBhcnRpdGlvbiI6bnVsbCwiaWQiOiJtLTAiLCJkYXRhVmVyc2lvbiI6bnVsbH1dLCJpbmZyYVJldHJpZXMiOjEsImNoaWxkUnVuSWQiOiJjaGlsZC0xIiwiZm9yRWFjaCI6eyJjb3VudCI6MTAsIm1heFBhcmFsbGVsIjo0LCJzdGFydGVkIjo2LCJzdWNjZWVkZWQiOjMsImZhaWxlZCI6MSwiY2FuY2VsZWQiOjF9fQ==";
    private static final String FORMAT1_OUTPUTS = "AXsiYSI6IjEiLCJiIjoiMiJ9";
    private static final String LEGACY = "{\"runId\":\"run-1\",\"job\":\"orders\",\"definition\":null,\"status\":\"CANCELING\",\"runKey\":\"key-1\",\"params\":{\"p\":\"1\"},\"tags\":{\"team\":\"data\"},\"origin\":\"SUBJOB\",\"parentRunId\":\"parent-1\",\"requestedBy\":\"alice\",\"priority\":-5,\"traceId\":\"trace-1\",\"requestedAt\":\"2026-12-07T01:02:03.123456789Z\",\"startedAt\":\"2026-12-07T01:02:03.124456789Z\",\"endedAt\":null,\"sequence\":17,\"steps\":{\"extract\":{\"key\":\"extract\",\"hook\":true,\"status\":\"RETRY_WAIT\",\"attempt\":3,\"attemptId\":\"att-3\",\"agentId\":\"agent-7\",\"dispatchedAt\":\"2026-12-07T01:02:03.123456789Z\",\"startedAt\":\"2026-12-07T01:02:03.128456789Z\",\"lastHeartbeat\":\"2026-12-07T01:02:04.123456789Z\",\"endedAt\":null,\"outputs\":{\"rows\":\"42\"},\"outputRefs\":{\"blob\":\"s3://b/k\"},\"materializations\":[{\"assetKey\":\"db.t\",\"partition\":\"2026-12-06\",\"id\":\"m-1\",\"dataVersion\":\"v9\"}],\"lastError\":\"INFRASTRUCTURE\",\"lastMessage\":\"lost \u00e9\u4e2d\",\"cancelRequested\":true,\"retryDueAt\":\"2026-12-07T01:02:33.123456789Z\",\"reusedFrom\":\"run-0\",\"upstream\":[{\"assetKey\":\"db.u\",\"partition\":null,\"id\":\"m-0\",\"dataVersion\":null}],\"infraRetries\":1,\"childRunId\":\"child-1\",\"forEach\":{\"count\":10,\"maxParallel\":4,\"started\":6,\"succeeded\":3,\"failed\":1,\"canceled\":1}}},\"reuse\":{\"load\":{\"fromRunId\":\"run-0\",\"attempt\":2,\"outputs\":{\"x\":\"y\"}}},\"cancelReason\":\"user asked\",\"cancelDeadline\":\"2026-12-07T01:03:03.123456789Z\",\"failureReason\":\"boom\",\"timedOut\":true,\"retriedAs\":[\"run-2\"],\"partition\":\"2026-12-06\",\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\",\"callChain\":[\"orders\",\"daily\"],\"noCache\":true,\"finished\":false}";
    // format 2, as this codec writes fullStep() and fullState()'s header (a change here breaks stored states)
    private static final String FORMAT2_STEP = "020865787472616374010506066174742d33086167656e742d37019696b0b10d959aef3a019696b0b10dd5b0a03d019896b0b10d959aef3a019a96b0b10d959aef3a0205726f77730334320205626c6f620973333a2f2f622f6b02010564622e740b323032362d31322d3036046d2d31037639030b6c6f737420c3a9e4b8ad0101d296b0b10d959aef3a0672756e2d3002010564622e750270046d2d3003763102086368696c642d310114080c060202";
    private static final String FORMAT2_HEADER = "02a0abababababababababababababababababababababababababababababababab0672756e2d31076f726465727304066b65792d31020270023102057465616d05646174610809706172656e742d3106616c696365090874726163652d31019696b0b10d959aef3a019696b0b10dd59eac3b01ca97b0b10d959aef3a2202056c6f6164010672756e2d300402027802790b757365722061736b6564018e97b0b10d959aef3a05626f6f6d01020672756e2d320b323032362d31322d30363830302d30616637363531393136636434336464383434386562323131633830333139632d623761643662373136393230333333312d303103076f7264657273066461696c7901";
}
