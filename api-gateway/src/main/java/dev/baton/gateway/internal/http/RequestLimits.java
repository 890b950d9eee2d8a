package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-token concurrency limits: how many heavy reads and how many live streams one token may have in flight. Over
 * the limit a call answers 429 {@code too_many_requests} with {@code Retry-After} at once, so one client cannot take
 * every worker thread (or the heap) from the others. A slot is released when the response ends or the connection
 * closes.
 */
final class RequestLimits {
    /** Routes whose cost grows with the data (pages, graphs, streams); the other reads are point lookups. */
    static final Set<Api> HEAVY = EnumSet.of(Api.RUNS_LOGS, Api.RUNS_EVENTS, Api.ASSETS_LINEAGE, Api.ASSETS_GET,
            Api.ASSETS_CHECKS, Api.ASSETS_LIST, Api.JOBS_LIST, Api.RUNS_LIST, Api.SCHEDULES_LIST, Api.AGENTS_LIST,
            Api.SENSORS_LIST);

    enum Kind { HEAVY, STREAM }

    private final int heavyPerToken;
    private final int streamsPerToken;
    private final int retryAfterSeconds;
    private final Map<String, AtomicInteger> heavy = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> streams = new ConcurrentHashMap<>();
    private final Counter refused;

    RequestLimits(Services s) {
        this.heavyPerToken = s.config().getInt(GatewayConfig.LIMIT_HEAVY_PER_TOKEN);
        this.streamsPerToken = s.config().getInt(GatewayConfig.LIMIT_STREAMS_PER_TOKEN);
        this.retryAfterSeconds = s.config().getInt(GatewayConfig.LIMIT_RETRY_AFTER_S);
        this.refused = Counter.builder("baton.gateway.requests.limited")
                .description("Calls refused with 429 because their token had too many in flight").register(s.meters());
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
            AtomicInteger released = new AtomicInteger();
            Runnable release = () -> {
                if (released.compareAndSet(0, 1)) {
                    slots.decrementAndGet();
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
