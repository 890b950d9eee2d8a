package dev.baton.agent.internal;

import dev.baton.events.StepCommand;
import dev.baton.platform.tracing.SpanAttributes;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Instant;

/**
 * The span of one attempt on this agent ({@code baton.attempt}): from the command's dispatch (its timestamp) over the
 * start of the step (event {@code started}) to its result, child of the step span named by the command's
 * {@code traceparent}. Its context is what the step's process gets as {@code TRACEPARENT}/{@code TRACESTATE} and what the
 * agent's reports carry. With tracing off on this agent, the step's process still gets the command's context (the
 * step span), so its own instrumentation joins the run's trace; no span is recorded here.
 */
final class AttemptSpan {
    static final String NAME = "baton.attempt";

    private final Span span;
    private final TraceContext context;

    private AttemptSpan(Span span, TraceContext context) {
        this.span = span;
        this.context = context;
    }

    static AttemptSpan start(StepCommand cmd, String job, String agentId, String region) {
        SpanContext parent = TraceContext.parse(cmd.getTraceparent(), cmd.getTracestate());
        Tracing tracing = Tracing.get();
        if (!tracing.enabled() || !parent.isValid()) {
            TraceContext passOn = parent.isValid() ? TraceContext.of(parent) : null;
            return new AttemptSpan(null, passOn);
        }
        var b = tracing.tracer(Tracing.AGENT).spanBuilder(NAME)
                .setParent(TraceContext.asParent(parent))
                .setSpanKind(SpanKind.CONSUMER)
                .setStartTimestamp(cmd.getTimestamp())
                .setAttribute(SpanAttributes.RUN_ID, cmd.getRunId())
                .setAttribute(SpanAttributes.JOB, job)
                .setAttribute(SpanAttributes.STEP, cmd.getStepKey())
                .setAttribute(SpanAttributes.ATTEMPT, (long) cmd.getAttempt())
                .setAttribute(SpanAttributes.ATTEMPT_ID, cmd.getAttemptId())
                .setAttribute(SpanAttributes.POOL, cmd.getPool())
                .setAttribute(SpanAttributes.AGENT_ID, agentId);
        if (region != null && !region.isBlank()) b.setAttribute(SpanAttributes.REGION, region);
        Span span = b.startSpan();
        return new AttemptSpan(span, TraceContext.of(span.getSpanContext()));
    }

    /** The context to pass on (to the step's process and in reports); null when the command carried none. */
    TraceContext context() {
        return context;
    }

    /** The command as the agent reports about it: with this attempt's context as traceparent. */
    StepCommand forReports(StepCommand cmd) {
        if (span == null || context == null) return cmd;
        return StepCommand.newBuilder(cmd).setTraceparent(context.traceparent()).setTracestate(context.tracestate()).build();
    }

    void started(Instant at) {
        if (span != null) span.addEvent("started", at);
    }

    void end(String status, String error) {
        if (span == null) return;
        span.setAttribute(SpanAttributes.STATUS, status);
        if (error != null) span.setStatus(StatusCode.ERROR, error);
        span.end();
    }
}
