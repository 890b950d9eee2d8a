package dev.baton.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import org.junit.jupiter.api.Test;

class TraceContextTest {
    private static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void aTraceparentRoundTripsThroughASpanContextWithItsTracestate() {
        SpanContext sc = TraceContext.parse(TP, "vendor=abc");
        assertThat(sc.isValid()).isTrue();
        assertThat(sc.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(sc.getSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(sc.isSampled()).isTrue();
        TraceContext back = TraceContext.of(sc);
        assertThat(back).isEqualTo(new TraceContext(TP, "vendor=abc"));
        assertThat(back.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    }

    @Test
    void missingOrMalformedContextIsInvalidNotAnError() {
        assertThat(TraceContext.parse(null, null).isValid()).isFalse();
        assertThat(TraceContext.parse("", null).isValid()).isFalse();
        assertThat(TraceContext.parse("request-42", null).isValid()).isFalse();
        assertThat(TraceContext.parse("00-00000000000000000000000000000000-b7ad6b7169203331-01", null).isValid()).isFalse();
        assertThat(TraceContext.of(SpanContext.getInvalid())).isNull();
        assertThat(TraceContext.of(SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getDefault(), TraceState.getDefault())).tracestate()).isNull();
    }

    @Test
    void derivedIdsAreStableValidAndDistinctPerName() {
        String t1 = DeterministicIds.traceId("baton-run", "run-1");
        assertThat(t1).hasSize(32).isEqualTo(DeterministicIds.traceId("baton-run", "run-1"))
                .isNotEqualTo(DeterministicIds.traceId("baton-run", "run-2"));
        String s1 = DeterministicIds.spanId("baton-step", "run-1", "a");
        assertThat(s1).hasSize(16).isEqualTo(DeterministicIds.spanId("baton-step", "run-1", "a"))
                .isNotEqualTo(DeterministicIds.spanId("baton-step", "run-1", "b"));
        // the parts are separated: ("ab","c") and ("a","bc") are different names
        assertThat(DeterministicIds.spanId("ab", "c")).isNotEqualTo(DeterministicIds.spanId("a", "bc"));
        assertThat(SpanContext.create(t1, s1, TraceFlags.getSampled(), TraceState.getDefault()).isValid()).isTrue();
    }

    @Test
    void offUnlessAnExporterIsConfigured() {
        String before = System.getProperty("otel.traces.exporter");
        try {
            System.setProperty("otel.traces.exporter", "none");
            assertThat(Tracing.configured()).isFalse();
            System.setProperty("otel.traces.exporter", "logging-otlp");
            assertThat(Tracing.configured()).isTrue();
            System.setProperty("otel.sdk.disabled", "true");
            assertThat(Tracing.configured()).isFalse();
        } finally {
            System.clearProperty("otel.sdk.disabled");
            if (before == null) System.clearProperty("otel.traces.exporter");
            else System.setProperty("otel.traces.exporter", before);
        }
    }
}
