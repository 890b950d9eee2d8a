package dev.baton.gateway.internal.http;

import dev.baton.events.AuditRecord;
import dev.baton.gateway.internal.json.Json;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Responses and the audit trail. Every response of a mutating route, refusals included, is appended to the
 * audit topic before it is sent, so a client that saw a 2xx knows the call is on record.
 */
public final class Http {
    private static final Logger log = LoggerFactory.getLogger(Http.class);

    static final String PRINCIPAL = "baton.principal";
    static final String AUDIT = "baton.audit";
    static final String REQUEST_ID = "baton.requestId";
    public static final String JSON = "application/json";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    /** The audit entry of one mutating call, filled in by the handlers. */
    static final class AuditInfo {
        final String action;
        String resource;
        String runId;
        final Map<String, String> details = new LinkedHashMap<>();

        AuditInfo(String action, String resource) {
            this.action = action;
            this.resource = resource;
        }
    }

    private final Services services;
    private final Counter auditFailures;

    Http(Services services) {
        this.services = services;
        this.auditFailures = Counter.builder("baton.gateway.audit.failures")
                .description("Audit records that could not be written (the response was still sent)")
                .register(services.meters());
    }

    static String requestId(RoutingContext ctx) {
        String id = ctx.get(REQUEST_ID);
        if (id == null) {
            String given = ctx.request().getHeader(REQUEST_ID_HEADER);
            id = given != null && given.matches("[A-Za-z0-9._:-]{1,100}") ? given : UUID.randomUUID().toString();
            ctx.put(REQUEST_ID, id);
        }
        return id;
    }

    static void audit(RoutingContext ctx, String key, Object value) {
        AuditInfo a = ctx.get(AUDIT);
        if (a != null && value != null) {
            a.details.put(key, String.valueOf(value));
        }
    }

    static void auditRun(RoutingContext ctx, String runId) {
        AuditInfo a = ctx.get(AUDIT);
        if (a != null) {
            a.runId = runId;
        }
    }

    /** Sends {@code body} as JSON with {@code status}, after the audit record (if any) is written. */
    void json(RoutingContext ctx, int status, Object body) {
        json(ctx, status, body, Map.of());
    }

    void json(RoutingContext ctx, int status, Object body, Map<String, String> headers) {
        send(ctx, status, JSON, Buffer.buffer(Json.bytes(body)), headers);
    }

    void send(RoutingContext ctx, int status, String contentType, Buffer body, Map<String, String> headers) {
        auditThen(ctx, status).onComplete(x -> {
            HttpServerResponse r = ctx.response();
            if (r.ended() || r.closed()) {
                return;
            }
            r.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).putHeader(REQUEST_ID_HEADER, requestId(ctx));
            headers.forEach(r::putHeader);
            r.end(body);
        });
    }

    /** Answers with the error that {@code failure} stands for. */
    void fail(RoutingContext ctx, Throwable failure) {
        ApiError e = toApiError(failure);
        if (e.status() >= 500 && !(failure instanceof ApiError)) {
            log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", e.code());
        body.put("message", e.getMessage());
        body.put("path", ctx.request().path());
        body.putAll(e.extra());
        body.put("requestId", requestId(ctx));
        audit(ctx, "error", e.code());
        Map<String, String> headers = e.status() == 401 ? Map.of("WWW-Authenticate", "Bearer realm=\"baton\"")
                : e.status() == 429 || e.extra().containsKey("retryAfterSeconds") ? Map.of("Retry-After", String.valueOf(e.extra().getOrDefault("retryAfterSeconds", 1)))
                : Map.of();
        json(ctx, e.status(), body, headers);
    }

    static ApiError toApiError(Throwable t) {
        if (t instanceof ApiError e) {
            return e;
        }
        Throwable c = t;
        while (c != null) {
            if (c instanceof org.apache.kafka.common.errors.RecordTooLargeException) {
                // Retrying cannot help: the record is larger than the producer or the topic accepts.
                return new ApiError(413, ApiError.PAYLOAD_TOO_LARGE, "the record this call would write is larger than Kafka accepts "
                        + "(the producer's max.request.size or the topic's max.message.bytes): " + c.getMessage(),
                        Map.of("limit", Map.of("name", "max.request.size")));
            }
            if (c instanceof InvalidStateStoreException) {
                return new ApiError(503, ApiError.UNAVAILABLE, "the read model is not ready yet (it is starting or rebalancing); "
                        + "retry shortly", Map.of("retryAfterSeconds", 1));
            }
            if (c instanceof KafkaException || c instanceof TimeoutException
                    || c instanceof org.apache.kafka.common.errors.TimeoutException) {
                return ApiError.unavailable("Kafka did not answer in time: " + c.getMessage());
            }
            if (c instanceof dev.baton.schemas.serde.SchemaRegistryException) {
                return ApiError.unavailable("the schema registry did not answer: " + c.getMessage());
            }
            c = c.getCause();
        }
        return new ApiError(500, ApiError.INTERNAL, "internal error: " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    private Future<?> auditThen(RoutingContext ctx, int status) {
        AuditInfo a = ctx.get(AUDIT);
        if (a == null || services.producer() == null) {
            return Future.succeededFuture(); // nothing audited, or no Kafka (handler tests over in-memory stores)
        }
        ctx.remove(AUDIT); // exactly one record per call
        TokenStore.Principal p = ctx.get(PRINCIPAL);
        String requestId = requestId(ctx);
        Map<String, String> details = new LinkedHashMap<>(a.details);
        details.put("method", ctx.request().method().name());
        details.put("path", ctx.request().path());
        details.put("requestId", requestId);
        String agent = ctx.request().getHeader(HttpHeaders.USER_AGENT);
        if (agent != null) {
            details.put("userAgent", agent.length() > 200 ? agent.substring(0, 200) : agent);
        }
        String actor = p == null ? "anonymous" : p.name();
        AuditRecord record = AuditRecord.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRunId(a.runId)
                .setTimestamp(Instant.now())
                .setTraceId(requestId)
                .setActor(actor)
                .setRole(p == null ? "none" : p.role().id())
                .setAction(a.action)
                .setResource(a.resource)
                .setSourceAddress(ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress())
                .setStatus(status)
                .setDetails(details)
                .build();
        return services.producer().send(services.vertx(), services.worker(), services.topics().audit(), actor, record)
                .onFailure(e -> {
                    auditFailures.increment();
                    log.error("Cannot write audit record {} {} by {} (status {}): {}", a.action, a.resource, actor, status, e.toString());
                })
                .recover(e -> Future.succeededFuture());
    }
}
