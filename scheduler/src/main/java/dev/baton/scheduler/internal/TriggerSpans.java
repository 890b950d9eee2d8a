package dev.baton.scheduler.internal;

import dev.baton.platform.tracing.DeterministicIds;
import dev.baton.platform.tracing.SpanAttributes;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Instant;

/**
 * The spans that start a run from the scheduler: {@code baton.schedule.tick} (from the tick's time to the request)
 * and {@code baton.sensor.record} (from the record's timestamp to the request: the sensor latency). Their ids derive
 * from the run id, like the coordinator's run span, so a Streams task that re-processes a tick after an aborted
 * transaction rebuilds the same span. A sensor record's own {@code traceparent} header is the span's parent (the run
 * joins the producer's trace); otherwise the trace id is the run's derived one. With tracing off no span is recorded:
 * a tick has no context, a sensor record passes its own {@code traceparent} header on.
 */
public final class TriggerSpans {
    public static final String TICK = "baton.schedule.tick";
    public static final String SENSOR_RECORD = "baton.sensor.record";
    static final AttributeKey<String> TOPIC = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> SOURCE = AttributeKey.stringKey("baton.source");

    private TriggerSpans() {}

    /** The tick's span (ended), whose context the run request carries; null when tracing is off. */
    public static TraceContext tick(String runId, String job, String schedule, Instant tick, Instant requested) {
        Tracing tracing = Tracing.get();
        if (!tracing.enabled()) return null;
        var b = tracing.tracer(Tracing.SCHEDULER).spanBuilder(TICK)
                .setNoParent()
                .setSpanKind(SpanKind.PRODUCER)
                .setStartTimestamp(tick.isAfter(requested) ? requested : tick)
                .setAttribute(SpanAttributes.RUN_ID, runId)
                .setAttribute(SpanAttributes.JOB, job)
                .setAttribute(SpanAttributes.SCHEDULE, schedule);
        Span span = tracing.startWithIds(b, DeterministicIds.traceId("baton-run", runId), DeterministicIds.spanId("baton-tick", runId));
        span.end(requested);
        return TraceContext.of(span.getSpanContext());
    }

    /**
     * The sensor record's span (ended); parent: the record's {@code traceparent} header when valid. With tracing off,
     * that header's context (or null).
     */
    public static TraceContext sensorRecord(String runId, String job, String trigger, String source, String topic,
                                            String traceparent, String tracestate, Instant recordTime, Instant requested) {
        Tracing tracing = Tracing.get();
        SpanContext parent = TraceContext.parse(traceparent, tracestate);
        if (!tracing.enabled()) return TraceContext.of(parent); // pass the producer's context on, add none

        Instant start = recordTime == null || recordTime.isAfter(requested) ? requested : recordTime;
        var b = tracing.tracer(Tracing.SCHEDULER).spanBuilder(SENSOR_RECORD)
                .setParent(TraceContext.asParent(parent))
                .setSpanKind(SpanKind.CONSUMER)
                .setStartTimestamp(start)
                .setAttribute(SpanAttributes.RUN_ID, runId)
                .setAttribute(SpanAttributes.JOB, job)
                .setAttribute(SpanAttributes.SENSOR, trigger)
                .setAttribute(TOPIC, topic)
                .setAttribute(SOURCE, source);
        Span span = tracing.startWithIds(b, DeterministicIds.traceId("baton-run", runId), DeterministicIds.spanId("baton-sensor", runId));
        span.end(requested);
        return TraceContext.of(span.getSpanContext());
    }
}
