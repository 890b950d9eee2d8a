package dev.baton.coordinator.internal;

import dev.baton.events.RunEvent;
import dev.baton.events.StepDefinition;
import dev.baton.platform.tracing.DeterministicIds;
import dev.baton.platform.tracing.SpanAttributes;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import java.time.Instant;
import java.util.List;

/**
 * The run's trace as the coordinator sees it. Nothing here takes part in the fold: the trace context is a pure function
 * of the run's state (its requester's {@code traceparent} and its run id), and the run and step spans are rebuilt
 * from accepted events, after they were decided, with explicit start and end times taken from the events and span ids
 * derived from run id and step key. A replay or a second coordinator instance that decides the same events rebuilds
 * the same spans with the same ids (a backend sees a duplicate at worst, never a different tree).
 *
 * <ul>
 *   <li>trace id: the requester's (API request, schedule tick, sensor record) when the request carried a valid
 *       {@code traceparent}, else derived from the run id;</li>
 *   <li>run span {@code baton.run}: id derived from the run id, child of the requester's span, from the request to the
 *       run's end;</li>
 *   <li>step span {@code baton.step}: id derived from run id and step key, child of the run span, from the dispatch of
 *       the step's last attempt to the step's end; the agents' attempt spans are its children.</li>
 * </ul>
 * When tracing is off ({@link Tracing#enabled()}) the coordinator writes no trace context and builds no spans.
 */
final class RunTrace {
    static final String RUN_SPAN = "baton.run";
    static final String STEP_SPAN = "baton.step";

    private final Tracing tracing;
    private final Tracer tracer;

    RunTrace(Tracing tracing) {
        this.tracing = tracing;
        this.tracer = tracing.tracer(Tracing.COORDINATOR);
    }

    boolean on() {
        return tracing.enabled();
    }

    /** The requester's span context (the run span's parent); invalid when the run has none. */
    static SpanContext requester(RunState s) {
        return TraceContext.parse(s.traceparent(), null);
    }

    static String traceId(RunState s) {
        SpanContext parent = requester(s);
        return parent.isValid() ? parent.getTraceId() : DeterministicIds.traceId("baton-run", s.runId());
    }

    static String runSpanId(String runId) {
        return DeterministicIds.spanId("baton-run", runId);
    }

    static String stepSpanId(String runId, String stepKey) {
        return DeterministicIds.spanId("baton-step", runId, stepKey);
    }

    private static TraceFlags flags(RunState s) {
        SpanContext parent = requester(s);
        return parent.isValid() ? parent.getTraceFlags() : TraceFlags.getSampled();
    }

    static SpanContext runContext(RunState s) {
        return SpanContext.create(traceId(s), runSpanId(s.runId()), flags(s), TraceState.getDefault());
    }

    static SpanContext stepContext(RunState s, String stepKey) {
        return SpanContext.create(traceId(s), stepSpanId(s.runId(), stepKey), flags(s), TraceState.getDefault());
    }

    /** The traceparent a step's command carries (its step span), or null when tracing is off. */
    String stepTraceparent(RunState s, String stepKey) {
        if (!on() || s == null) return null;
        TraceContext c = TraceContext.of(stepContext(s, stepKey));
        return c == null ? null : c.traceparent();
    }

    /** Stamps an event for baton.run-events with the run span (run-level) or the step span (step-level). */
    RunEvent stamp(RunEvent avro, Envelope e, RunState s) {
        if (!on() || s == null) return avro;
        SpanContext sc = e.stepKey() == null ? runContext(s) : stepContext(s, e.stepKey());
        TraceContext c = TraceContext.of(sc);
        return c == null ? avro : RunEvent.newBuilder(avro).setTraceparent(c.traceparent()).build();
    }

    /**
     * The spans an accepted event ends (the run span at the run's end, a step span at the step's end), to emit after
     * the decision was written. Empty when tracing is off.
     */
    void ended(Envelope e, RunState s, List<Runnable> spans) {
        if (!on() || s == null) return;
        Event ev = e.event();
        if (ev instanceof Event.RunSucceeded || ev instanceof Event.RunFailed || ev instanceof Event.RunCanceled) {
            String status = ev instanceof Event.RunSucceeded ? "SUCCEEDED" : ev instanceof Event.RunFailed ? "FAILED" : "CANCELED";
            String reason = ev instanceof Event.RunFailed f ? f.reason() : null;
            spans.add(() -> runSpan(s, e.timestamp(), status, reason));
        } else if (ev instanceof Event.StepSucceeded x) {
            spans.add(() -> stepSpan(s, e.stepKey(), x.attempt(), e.timestamp(), "SUCCEEDED", null));
        } else if (ev instanceof Event.StepFailed f && f.last()) {
            spans.add(() -> stepSpan(s, e.stepKey(), f.attempt(), e.timestamp(), "FAILED", f.errorClass() + ": " + f.message()));
        } else if (ev instanceof Event.StepCanceled c) {
            spans.add(() -> stepSpan(s, e.stepKey(), c.attempt(), e.timestamp(), "CANCELED", null));
        }
    }

    private void runSpan(RunState s, Instant end, String status, String error) {
        SpanContext parent = requester(s);
        SpanBuilder b = tracer.spanBuilder(RUN_SPAN)
                .setParent(TraceContext.asParent(parent))
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(s.requestedAt())
                .setAttribute(SpanAttributes.RUN_ID, s.runId())
                .setAttribute(SpanAttributes.JOB, s.job())
                .setAttribute(SpanAttributes.ORIGIN, s.origin() == null ? "UNKNOWN" : s.origin().name())
                .setAttribute(SpanAttributes.STATUS, status);
        Span span = tracing.startWithIds(b, traceId(s), runSpanId(s.runId()));
        if (error != null) span.setStatus(StatusCode.ERROR, error);
        span.end(end);
    }

    private void stepSpan(RunState s, String stepKey, int attempt, Instant end, String status, String error) {
        StepState st = s.step(stepKey);
        Instant start = st != null && st.dispatchedAt() != null ? st.dispatchedAt() : end;
        SpanBuilder b = tracer.spanBuilder(STEP_SPAN)
                .setParent(TraceContext.asParent(runContext(s)))
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(start)
                .setAttribute(SpanAttributes.RUN_ID, s.runId())
                .setAttribute(SpanAttributes.JOB, s.job())
                .setAttribute(SpanAttributes.STEP, stepKey)
                .setAttribute(SpanAttributes.ATTEMPT, (long) attempt)
                .setAttribute(SpanAttributes.STATUS, status);
        String pool = pool(s, stepKey);
        if (pool != null) b.setAttribute(SpanAttributes.POOL, pool);
        Span span = tracing.startWithIds(b, null, stepSpanId(s.runId(), stepKey));
        if (error != null) span.setStatus(StatusCode.ERROR, error);
        span.end(end);
    }

    private static String pool(RunState s, String stepKey) {
        if (s.definition() == null) return null;
        for (List<StepDefinition> list : List.of(s.definition().getSteps(), s.definition().getOnFailure())) {
            for (StepDefinition d : list) {
                if (d.getKey().equals(stepKey)) return d.getPool();
            }
        }
        return null;
    }
}
