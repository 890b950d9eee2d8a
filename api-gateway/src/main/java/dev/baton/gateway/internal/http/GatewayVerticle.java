package dev.baton.gateway.internal.http;

import dev.baton.gateway.internal.partitions.KafkaPartitionKeyStore;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import dev.baton.events.Origin;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.readmodel.KafkaReadStores;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.platform.BatonService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The HTTP server: routes from {@link Api}, bearer-token auth per route, JSON errors, audit of mutating calls. */
public final class GatewayVerticle extends VerticleBase {
    public static final String OPENAPI_RESOURCE = "/dev/baton/gateway/openapi.yaml";

    private final Services s;
    /** What the handlers read: the read model's stores (an in-memory implementation in handler tests). */
    private final ReadStores stores;
    /** Other components of this process whose health {@code /health} reports (every one of them in {@code baton dev}). */
    private final List<BatonService> components = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private Health health;
    private long tokenReload = -1;
    private BackfillHandlers backfills;
    private final dev.baton.gateway.internal.backfills.BackfillOutput backfillOutput;
    private IncidentHandlers incidents;
    /** The keys of dynamic partition sets (on Kafka; in memory in handler tests). */
    private final PartitionKeyStore partitionKeys;

    public GatewayVerticle(Services services) {
        this(services, new KafkaReadStores(services.readModel(), services.codecs(), services.topics().jobs()));
    }

    GatewayVerticle(Services services, ReadStores stores) {
        this(services, stores, services.producer() == null ? null
                : new dev.baton.gateway.internal.backfills.KafkaBackfillOutput(services.topics(), services.producer()));
    }

    /** With the output backfills write to (in memory in handler tests). */
    GatewayVerticle(Services services, ReadStores stores, dev.baton.gateway.internal.backfills.BackfillOutput backfillOutput) {
        this(services, stores, backfillOutput,
                new KafkaPartitionKeyStore(services.config().kafkaClient(), services.topics().partitionKeys()));
    }

    /** With the output backfills write to and the store of dynamic partition keys (in memory in handler tests). */
    GatewayVerticle(Services services, ReadStores stores, dev.baton.gateway.internal.backfills.BackfillOutput backfillOutput,
                    PartitionKeyStore partitionKeys) {
        this.s = services;
        this.stores = stores;
        this.backfillOutput = backfillOutput;
        this.partitionKeys = partitionKeys;
    }

    @Override
    public Future<?> start() {
        Router router = router();
        backfills.startResuming(vertx);
        long reload = s.config().getLong(GatewayConfig.TOKENS_RELOAD_MS);
        if (reload > 0 && s.config().tokensFile() != null) {
            tokenReload = vertx.setPeriodic(reload, id -> vertx.executeBlocking(() -> {
                s.tokens().reloadIfChanged();
                return null;
            }, false));
        }
        long ttl = s.config().getLong(GatewayConfig.PENDING_TTL_MS);
        vertx.setPeriodic(Math.max(1000, ttl / 2), id -> {
            long now = System.currentTimeMillis();
            s.pendingRuns().values().removeIf(p -> now - p.acceptedAt() > ttl);
        });
        server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true));
        return server.requestHandler(router).invalidRequestHandler(GatewayVerticle::invalidRequest)
                .listen(s.config().port(), s.config().host());
    }

    @Override
    public Future<?> stop() {
        if (tokenReload >= 0) {
            vertx.cancelTimer(tokenReload);
        }
        if (backfills != null) {
            backfills.close();
        }
        if (incidents != null) {
            incidents.close();
        }
        partitionKeys.close();
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int actualPort() {
        return server.actualPort();
    }

    /** Adds a component of this process to {@code /health}. */
    public void watch(BatonService component) {
        components.add(component);
    }

    public boolean healthy() {
        return health != null && health.lastUp();
    }

    Router router() {
        Http http = new Http(s);
        Replies replies = s.readModel() == null ? new Replies(s.worker(), http)
                : new Replies(s.worker(), http, s.readModel()::ready, s.config().getLong(GatewayConfig.READ_MODEL_WAIT_MS));
        RunLookup runs = new RunLookup(stores, s.pendingRuns(), s.config().getLong(GatewayConfig.PENDING_TTL_MS));
        JobHandlers jobs = new JobHandlers(s, stores, replies);
        RunHandlers run = new RunHandlers(s, stores, runs, replies, partitionKeys);
        HistoryHandlers history = new HistoryHandlers(s.config(), stores, runs, replies);
        AssetHandlers assets = new AssetHandlers(s.config(), stores, replies);
        AgentHandlers agents = new AgentHandlers(s.config(), stores, replies);
        PoolHandlers pools = new PoolHandlers(s, stores, replies);
        SensorHandlers sensors = new SensorHandlers(s, stores, replies);
        ScheduleHandlers schedules = new ScheduleHandlers(s, stores, replies);
        LiveStreams live = new LiveStreams(s, stores, runs, replies);
        health = new Health(s, replies, () -> List.copyOf(components));
        AuditHandlers audit = new AuditHandlers(s, replies);
        incidents = new IncidentHandlers(s, replies, http);
        RequestLimits limits = new RequestLimits(s);
        UiHandlers ui = new UiHandlers(stores, replies);
        if (s.readModel() != null) {
            io.micrometer.core.instrument.FunctionCounter.builder("baton.gateway.logs.lines.read", s.readModel(),
                            ReadModel::logLinesRead)
                    .description("Log lines read from the store by log queries (a page reads at most its size plus one)")
                    .register(s.meters());
        }
        backfills = new BackfillHandlers(s, stores, replies, backfillOutput, partitionKeys);
        PartitionHandlers partitions = new PartitionHandlers(s.config(), stores, replies, partitionKeys);
        PartitionKeyHandlers partitionKeyHandlers = new PartitionKeyHandlers(s.config(), partitionKeys, replies);
        Buffer openApi = openApi();

        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(s.config().getLong(GatewayConfig.BODY_MAX_BYTES));
        for (Api a : Api.values()) {
            var route = a.regex() ? router.routeWithRegex(a.method(), a.vertxRegex()).setName(a.path())
                    : router.route(a.method(), a.vertxPath());
            if (a.method().name().equals("POST")) {
                route.handler(body); // first, so the whole request is read even when auth refuses it
            }
            route.handler(auth(a, http, replies, runs));
            route.handler(limits.handler(a, http));
            Handler<RoutingContext> h = switch (a) {
                case HEALTH -> health::handle;
                case METRICS -> ctx -> replies.blocking(() -> s.prometheus().scrape()).onSuccess(text ->
                        http.send(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", Buffer.buffer(text), Map.of()))
                        .onFailure(e -> http.fail(ctx, e));
                case OPENAPI -> ctx -> http.send(ctx, 200, "application/yaml", openApi, Map.of());
                case JOBS_REGISTER -> jobs::register;
                case JOBS_LIST -> jobs::list;
                case JOBS_GET -> jobs::get;
                case RUNS_TRIGGER -> ctx -> run.trigger(ctx, Origin.API);
                case WEBHOOK_TRIGGER -> ctx -> run.trigger(ctx, Origin.WEBHOOK);
                case SCHEDULES_LIST -> schedules::list;
                case JOB_SCHEDULES_LIST -> schedules::listOfJob;
                case JOB_SCHEDULES_GET -> schedules::get;
                case SCHEDULES_PAUSE -> ctx -> schedules.pauseOrResume(ctx, true);
                case SCHEDULES_RESUME -> ctx -> schedules.pauseOrResume(ctx, false);
                case RUNS_LIST -> ctx -> {
                    if (LiveStreams.wantsStream(ctx)) {
                        live.runs(ctx, run.runQuery(ctx));
                    } else {
                        run.list(ctx);
                    }
                };
                case RUNS_GET -> run::get;
                case RUNS_CANCEL -> run::cancel;
                case RUNS_RETRY -> run::retry;
                case RUNS_EVENTS -> ctx -> {
                    if (LiveStreams.wantsStream(ctx)) {
                        live.events(ctx);
                    } else {
                        history.events(ctx);
                    }
                };
                case RUNS_LOGS -> ctx -> {
                    if (LiveStreams.wantsStream(ctx)) {
                        live.logs(ctx);
                    } else {
                        history.logs(ctx);
                    }
                };
                case ASSETS_LIST -> assets::list;
                case ASSETS_GET -> assets::get;
                case ASSETS_LINEAGE -> assets::lineage;
                case ASSETS_CHECKS -> assets::checks;
                case AGENTS_LIST -> agents::list;
                case POOLS_LIST -> pools::list;
                case SENSORS_LIST -> sensors::list;
                case AUDIT_LIST -> audit::list;
                case RUNS_STATE -> ui::runState;
                case SESSION_CREATE -> ui::createSession;
                case SESSION_DELETE -> ui::deleteSession;
                case WHOAMI -> ui::whoami;
                case BACKFILLS_CREATE -> backfills::create;
                case BACKFILLS_LIST -> backfills::list;
                case BACKFILLS_GET -> backfills::get;
                case BACKFILLS_CANCEL -> backfills::cancel;
                case BACKFILLS_PAUSE -> backfills::pause;
                case BACKFILLS_RESUME -> backfills::resume;
                case BACKFILLS_RETRY_FAILED -> backfills::retryFailed;
                case JOB_PARTITIONS -> partitions::job;
                case ASSETS_PARTITIONS -> partitions::asset;
                case INCIDENTS_LIST -> incidents::list;
                case INCIDENTS_GET -> incidents::get;
                case INCIDENTS_ACK -> incidents::acknowledge;
                case PARTITION_KEYS_ADD -> partitionKeyHandlers::add;
                case PARTITION_KEYS_LIST -> partitionKeyHandlers::list;
                case PARTITION_KEYS_REMOVE -> partitionKeyHandlers::remove;
            };
            route.handler(h);
            route.failureHandler(ctx -> http.fail(ctx, failureOf(ctx)));
        }
        dev.baton.ui.WebUi.mount(router); // the web UI: static files and history-API routing for every non-API page
        router.route("/api/*").handler(ctx -> http.fail(ctx, ApiError.notFound("no such endpoint: "
                + ctx.request().method() + " " + ctx.request().path() + " (see /api/v1/openapi.yaml)")));
        router.errorHandler(404, ctx -> http.fail(ctx, ApiError.notFound("no such endpoint: " + ctx.request().path())));
        router.errorHandler(405, ctx -> http.fail(ctx, new ApiError(405, ApiError.METHOD_NOT_ALLOWED,
                ctx.request().method() + " is not allowed on " + ctx.request().path())));
        router.errorHandler(413, ctx -> http.fail(ctx, new ApiError(413, ApiError.PAYLOAD_TOO_LARGE,
                "the body is larger than " + s.config().getLong(GatewayConfig.BODY_MAX_BYTES) + " bytes")));
        router.errorHandler(500, ctx -> http.fail(ctx, failureOf(ctx)));
        return router;
    }

    /** A request the HTTP decoder refused (over-long URL or headers, malformed): a JSON error, then the connection closes. */
    static void invalidRequest(io.vertx.core.http.HttpServerRequest req) {
        Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
        int status;
        String code;
        String message;
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
            status = 414;
            code = ApiError.URI_TOO_LONG;
            message = "the request line is longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes: shorten the URL";
        } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
            status = 431;
            code = ApiError.HEADERS_TOO_LARGE;
            message = "the request headers are larger than " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes";
        } else {
            status = 400;
            code = ApiError.INVALID_REQUEST;
            message = "malformed HTTP request" + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("requestId", java.util.UUID.randomUUID().toString());
        var r = req.response();
        r.setStatusCode(status).putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, Http.JSON)
                .putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, "close")
                .end(Buffer.buffer(dev.baton.gateway.internal.json.Json.bytes(body)))
                .onComplete(x -> req.connection().close());
    }

    private static Throwable failureOf(RoutingContext ctx) {
        if (ctx.failure() != null) {
            return ctx.failure();
        }
        return switch (ctx.statusCode()) {
            case 413 -> new ApiError(413, ApiError.PAYLOAD_TOO_LARGE, "the body is too large");
            case 400 -> ApiError.badRequest("bad request");
            case 404 -> ApiError.notFound("not found");
            default -> new ApiError(ctx.statusCode() > 0 ? ctx.statusCode() : 500, ApiError.INTERNAL, "request failed");
        };
    }

    private Handler<RoutingContext> auth(Api a, Http http, Replies replies, RunLookup runs) {
        return ctx -> {
            Http.requestId(ctx);
            if (a.action() != null) {
                ctx.put(Http.AUDIT, new Http.AuditInfo(a.action(), resource(a, ctx)));
            }
            if (a.role() == null) {
                ctx.next();
                return;
            }
            String header = ctx.request().getHeader("Authorization");
            String token;
            try {
                token = UiHandlers.token(ctx, header); // the bearer token, else the UI's session cookie
            } catch (ApiError e) {
                http.fail(ctx, e);
                return;
            }
            TokenStore.Check check = s.tokens().check(token, java.time.Instant.now());
            if (!(check instanceof TokenStore.Check.Valid valid)) {
                http.fail(ctx, AccessControl.refusal(check, header != null));
                return;
            }
            TokenStore.Principal principal = valid.principal();
            ctx.put(Http.PRINCIPAL, principal);
            if (!principal.role().allows(a.role())) {
                http.fail(ctx, new ApiError(403, ApiError.FORBIDDEN, "token '" + principal.name() + "' has role "
                        + principal.role().id() + "; " + (a.action() != null ? a.action() : a.path()) + " needs "
                        + a.role().id()));
                return;
            }
            AccessControl.checkPath(ctx, replies, runs).onSuccess(x -> ctx.next()).onFailure(e -> http.fail(ctx, e));
        };
    }

    private static String resource(Api a, RoutingContext ctx) {
        return switch (a) {
            case JOBS_REGISTER -> "jobs";
            case RUNS_TRIGGER, WEBHOOK_TRIGGER -> "jobs/" + ctx.pathParam("name");
            case RUNS_CANCEL, RUNS_RETRY -> "runs/" + ctx.pathParam("id");
            case SCHEDULES_PAUSE, SCHEDULES_RESUME -> "jobs/" + ctx.pathParam("name") + "/schedules/" + ctx.pathParam("schedule");
            case INCIDENTS_ACK -> "incidents/" + ctx.pathParam("incidentId");
            default -> ctx.request().path();
        };
    }

    static Buffer openApi() {
        try (InputStream in = GatewayVerticle.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
