package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrency limits: how many heavy reads and how many live streams one token may have in flight (over it: 429
 * {@code too_many_requests}), and how many heavy reads the whole gateway serves at once (over it: 503
 * {@code unavailable}), each with {@code Retry-After} at once. The per-token limit keeps one client from taking every
 * worker thread from the others; the gateway-wide one, with the byte cap of a log page, bounds the heap that responses
 * in flight can hold whatever the number of tokens. A slot is released when the response ends or the connection
 * closes.
 */
final class RequestLimits {
    /** Routes whose cost grows with the data (pages, graphs, streams); the other reads are point lookups. */
    static final Set<Api> HEAVY = EnumSet.of(Api.RUNS_LOGS, Api.RUNS_EVENTS, Api.ASSETS_LINEAGE, Api.ASSETS_GET,
            Api.ASSETS_CHECKS, Api.ASSETS_LIST, Api.JOBS_LIST, Api.RUNS_LIST, Api.SCHEDULES_LIST, Api.AGENTS_LIST, Api.POOLS_LIST,
            Api.SENSORS_LIST);

    enum Kind { HEAVY, STREAM }

    private final int heavyPerToken;
    private final int streamsPerToken;
    private final int retryAfterSeconds;
    private final int heavyTotal;
    private final AtomicInteger heavyInFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> heavy = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> streams = new ConcurrentHashMap<>();
    private final Counter refused;

    RequestLimits(Services s) {
        this.heavyPerToken = s.config().getInt(GatewayConfig.LIMIT_HEAVY_PER_TOKEN);
        this.streamsPerToken = s.config().getInt(GatewayConfig.LIMIT_STREAMS_PER_TOKEN);
        this.retryAfterSeconds = s.config().getInt(GatewayConfig.LIMIT_RETRY_AFTER_S);
        this.heavyTotal = s.config().getInt(GatewayConfig.LIMIT_HEAVY_TOTAL);
        Gauge.builder("baton.gateway.heavy.in.flight", heavyInFlight, AtomicInteger::get)
                .description("Heavy reads the gateway is serving now (limit " + GatewayConfig.LIMIT_HEAVY_TOTAL + ")")
                .register(s.meters());
        this.refused = Counter.builder("baton.gateway.requests.limited")
                .description("Calls refused with 429 (their token had too many in flight) or 503 (the gateway had)")
                .register(s.meters());
    }

    /** A route handler (after auth) that takes a slot for {@code api}'s heavy calls or refuses with 429. */
    Handler<RoutingContext> handler(Api api, Http http) {
        return ctx -> {
            TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
            if (!HEAVY.contains(api) || who == null) {
                ctx.next();
                return;
            }
            Kind kind = (api == Api.RUNS_LOGS || api == Api.RUNS_EVENTS || api == Api.RUNS_LIST) && LiveStreams.wantsStream(ctx) ? Kind.STREAM : Kind.HEAVY;
            AtomicInteger slots = (kind == Kind.STREAM ? streams : heavy).computeIfAbsent(who.name(), k -> new AtomicInteger());
            int max = kind == Kind.STREAM ? streamsPerToken : heavyPerToken;
            if (slots.incrementAndGet() > max) {
                slots.decrementAndGet();
                refused.increment();
                http.fail(ctx, new ApiError(429, ApiError.TOO_MANY_REQUESTS, "token '" + who.name() + "' already has " + max
                        + (kind == Kind.STREAM ? " live streams open" : " heavy reads in flight") + " (limit "
                        + (kind == Kind.STREAM ? GatewayConfig.LIMIT_STREAMS_PER_TOKEN : GatewayConfig.LIMIT_HEAVY_PER_TOKEN)
                        + "); retry after " + retryAfterSeconds + " s",
                        Map.of("limit", Map.of("name", kind == Kind.STREAM ? GatewayConfig.LIMIT_STREAMS_PER_TOKEN
                                : GatewayConfig.LIMIT_HEAVY_PER_TOKEN, "value", max), "retryAfterSeconds", retryAfterSeconds)));
                return;
            }
            if (kind == Kind.HEAVY && heavyInFlight.incrementAndGet() > heavyTotal) {
                heavyInFlight.decrementAndGet();
                slots.decrementAndGet();
                refused.increment();
                http.fail(ctx, new ApiError(503, ApiError.UNAVAILABLE, "the gateway already serves " + heavyTotal
                        + " heavy reads (limit " + GatewayConfig.LIMIT_HEAVY_TOTAL + "); retry after " + retryAfterSeconds + " s",
                        Map.of("limit", Map.of("name", GatewayConfig.LIMIT_HEAVY_TOTAL, "value", heavyTotal),
                                "retryAfterSeconds", retryAfterSeconds)));
                return;
            }
            AtomicInteger released = new AtomicInteger();
            Runnable release = () -> {
                if (released.compareAndSet(0, 1)) {
                    slots.decrementAndGet();
                    if (kind == Kind.HEAVY) {
                        heavyInFlight.decrementAndGet();
                    }
                }
            };
            ctx.addEndHandler(ar -> release.run());
            ctx.request().connection().closeHandler(v -> release.run());
            ctx.next();
        };
    }

    /** Slots in use by {@code token} (tests, metrics). */
    int inUse(Kind kind, String token) {
        AtomicInteger a = (kind == Kind.STREAM ? streams : heavy).get(token);
        return a == null ? 0 : a.get();
    }
}
