package dev.baton.platform.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A W3C trace context as it travels in Baton's events ({@code traceparent}, {@code tracestate} fields) and reaches a
 * step's process ({@code TRACEPARENT}, {@code TRACESTATE} environment variables).
 *
 * @param traceparent the header value {@code 00-<trace id>-<span id>-<flags>}; never null
 * @param tracestate  the matching {@code tracestate} header value, or null when there is none
 */
public record TraceContext(String traceparent, String tracestate) {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    public TraceContext {
        if (traceparent == null) throw new IllegalArgumentException("traceparent is required");
        if (tracestate != null && tracestate.isEmpty()) tracestate = null;
    }

    /** The context of a span, or null when the span context is not valid (tracing off, no parent). */
    public static TraceContext of(SpanContext sc) {
        if (sc == null || !sc.isValid()) return null;
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(sc)), carrier, Map::put);
        String tp = carrier.get(TRACEPARENT);
        return tp == null ? null : new TraceContext(tp, carrier.get(TRACESTATE));
    }

    /** The span context named by a traceparent/tracestate pair; invalid when traceparent is null or malformed. */
    public static SpanContext parse(String traceparent, String tracestate) {
        if (traceparent == null || traceparent.isBlank()) return SpanContext.getInvalid();
        Map<String, String> carrier = new HashMap<>(2);
        carrier.put(TRACEPARENT, traceparent.trim());
        if (tracestate != null && !tracestate.isBlank()) carrier.put(TRACESTATE, tracestate.trim());
        Context ctx = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER);
        return Span.fromContext(ctx).getSpanContext();
    }

    /** This context as a span context (remote). */
    public SpanContext spanContext() {
        return parse(traceparent, tracestate);
    }

    /** The 32-hex trace id, or null when the traceparent is malformed. */
    public String traceId() {
        SpanContext sc = spanContext();
        return sc.isValid() ? sc.getTraceId() : null;
    }

    /** A context with this span context as parent (for {@code SpanBuilder.setParent}); root when invalid. */
    public static Context asParent(SpanContext sc) {
        return sc == null || !sc.isValid() ? Context.root() : Context.root().with(Span.wrap(sc));
    }

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return List.copyOf(carrier.keySet());
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
}
