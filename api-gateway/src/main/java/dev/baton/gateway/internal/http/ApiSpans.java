package dev.baton.gateway.internal.http;

import dev.baton.platform.tracing.SpanAttributes;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.AsyncResult;
import io.vertx.ext.web.RoutingContext;

/**
 * The span of an API request that starts a run ({@code SERVER} kind, named by method and route), child of the
 * client's {@code traceparent} header when it sends one. Its context goes into the run request's {@code traceparent},
 * so the run's trace starts here. A no-op (that still passes a client's valid traceparent on) when tracing is off.
 */
final class ApiSpans {
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("baton.request.id");

    private ApiSpans() {}

    static Span start(RoutingContext ctx, String route, String job) {
        String method = ctx.request().method().name();
        var parent = TraceContext.parse(ctx.request().getHeader(TraceContext.TRACEPARENT),
                ctx.request().getHeader(TraceContext.TRACESTATE));
        return Tracing.get().tracer(Tracing.GATEWAY).spanBuilder(method + " " + route)
                .setParent(TraceContext.asParent(parent))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(HTTP_METHOD, method)
                .setAttribute(HTTP_ROUTE, route)
                .setAttribute(REQUEST_ID, Http.requestId(ctx))
                .setAttribute(SpanAttributes.JOB, job)
                .startSpan();
    }

    /** Ends the span when the request's work is done (error status when it failed). */
    static void end(Span span, AsyncResult<?> result) {
        if (result.failed()) {
            span.setStatus(StatusCode.ERROR, String.valueOf(result.cause().getMessage()));
        }
        span.end();
    }
}
