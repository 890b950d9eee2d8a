package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.CancelRun;
import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.jobs.JobParams;
import dev.baton.events.RetryRun;
import dev.baton.events.RunRequest;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.api.RunResponses;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.ApiViews;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.platform.RunIds;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Runs: trigger a job (API and webhook), list and show runs, cancel a run, retry one from failure. */
final class RunHandlers {
    private static final int MAX_RUN_KEY = 512;
    /** Most steps (and onFailure hooks) a job may have (docs/jobs.md, "Limits"): the largest page of a run's steps. */
    static final int MAX_STEPS = dev.baton.jobs.JobLimits.MAX_STEPS;
    /** Largest params of a run (UTF-8 bytes of names and values). */
    static final int MAX_PARAMS_BYTES = dev.baton.jobs.JobLimits.MAX_PARAMS_BYTES;

    private final Services s;
    private final ReadStores stores;
    private final RunLookup runs;
    private final Replies replies;
    private final Http http;
    /** The keys of dynamic partition sets: a run of a dynamic partition must name a current key. */
    private final dev.baton.gateway.internal.partitions.PartitionKeyStore partitionKeys;

    RunHandlers(Services services, ReadStores stores, RunLookup runs, Replies replies,
                dev.baton.gateway.internal.partitions.PartitionKeyStore partitionKeys) {
        this.partitionKeys = partitionKeys;
        this.s = services;
        this.stores = stores;
        this.runs = runs;
        this.replies = replies;
        this.http = replies.http();
    }

    /** What a trigger decided on the worker, before the request is produced. */
    private record Accepted(JobDefinition def, String runId, boolean known) {}

    /** The trigger body's {@code noCache} (bypass the step cache): absent or null is false; anything but a boolean is a 400. */
    static boolean noCache(JsonNode body) {
        JsonNode n = body.get("noCache");
        if (n != null && !n.isNull() && !n.isBoolean()) {
            throw ApiError.badRequest("noCache must be true or false");
        }
        return n != null && n.asBoolean(false);
    }

    /** {@code POST /jobs/{name}/runs} and {@code .../trigger} (a webhook, signed when the job asks for it). */
    void trigger(RoutingContext ctx, Origin origin) {
        String job = Requests.path(ctx, "name");
        JsonNode body = Requests.jsonBody(ctx);
        Map<String, String> params = Requests.stringMap(body, "params", false);
        Map<String, String> tags = Requests.stringMap(body, "tags", true);
        String runKey = Requests.text(body, "runKey");
        if (runKey == null && origin == Origin.WEBHOOK) {
            runKey = ctx.request().getHeader("Idempotency-Key");
        }
        if (runKey != null && (runKey.isBlank() || runKey.length() > MAX_RUN_KEY)) {
            throw ApiError.badRequest("runKey must be 1-" + MAX_RUN_KEY + " characters");
        }
        String key = runKey;
        String partition = Requests.text(body, "partition");
        boolean noCache = noCache(body);
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        Http.audit(ctx, "job", job);
        var span = ApiSpans.start(ctx, origin == Origin.WEBHOOK ? "/api/v1/jobs/{name}/trigger" : "/api/v1/jobs/{name}/runs", job);
        var trace = dev.baton.platform.tracing.TraceContext.of(span.getSpanContext());
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition def = JobHandlers.require(stores, job);
            if (origin == Origin.WEBHOOK) {
                WebhookSignatures.verify(s.secrets(), def, ctx);
            }
            checkParams(def, params);
            PartitionRequests.check(def, partition, new dev.baton.gateway.internal.partitions.StoreKeys(partitionKeys));
            String runId = key != null ? RunIds.forRunKey(job, key) : RunIds.random();
            return new Accepted(def, runId, stores.run(runId).isPresent() || runs.pendingKnown(runId));
        }).compose(a -> {
            span.setAttribute(dev.baton.platform.tracing.SpanAttributes.RUN_ID, a.runId());
            Http.auditRun(ctx, a.runId());
            Http.audit(ctx, "version", a.def().getVersion());
            if (key != null) {
                Http.audit(ctx, "runKey", key);
            }
            RunRequest request = RunRequest.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setRunId(a.runId())
                    .setTimestamp(Instant.now())
                    .setTraceId(Http.requestId(ctx))
                    .setJob(job)
                    .setRunKey(key)
                    .setParams(params)
                    .setTags(tags)
                    .setOrigin(origin)
                    .setRequestedBy(who == null ? null : who.name())
                    .setDefinition(a.def())
                    .setPartition(partition)
                    .setTraceparent(trace == null ? null : trace.traceparent())
                    .setTracestate(trace == null ? null : trace.tracestate())
                    .setNoCache(noCache)
                    .build();
            if (noCache) {
                Http.audit(ctx, "noCache", true);
            }
            return s.producer().send(s.vertx(), s.worker(), s.topics().runRequests(), a.runId(), request).map(md -> {
                if (!a.known()) {
                    runs.accepted(new Services.PendingRun(a.runId(), job, a.def().getVersion(), key, origin.name(),
                            request.getRequestedBy(), params, tags, null, System.currentTimeMillis(), partition));
                }
                // With a run key, a run that exists already is this request's run (the coordinator records the duplicate).
                http.json(ctx, 202, new RunResponses.Triggered(a.runId(), job, a.def().getVersion(), key, partition, a.known()),
                        Map.of("Location", "/api/v1/runs/" + a.runId()));
                return null;
            });
        }).onComplete(r -> ApiSpans.end(span, r)));
    }

    /** Params a run of {@code def} may have: declared names only, every required one, at most {@link #MAX_PARAMS_BYTES}. */
    static void checkParams(JobDefinition def, Map<String, String> params) {
        long bytes = 0;
        for (Map.Entry<String, String> e : params.entrySet()) {
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_PARAMS_BYTES) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "the params are " + bytes + " bytes; at most " + MAX_PARAMS_BYTES
                    + " bytes (UTF-8 names and values) are allowed per run (limit max_params_bytes)",
                    Map.of("problems", List.of(Requests.problem("params", "larger than " + MAX_PARAMS_BYTES + " bytes")),
                            "limit", Map.of("name", "max_params_bytes", "value", MAX_PARAMS_BYTES, "actual", bytes)));
        }
        // One checker for the API, the scheduler and the coordinator: unknown, missing, and type/values/pattern/maxLength.
        List<Requests.Problem> problems = new ArrayList<>();
        for (dev.baton.jobs.Problem p : JobParams.check(def, params)) {
            problems.add(Requests.problem(p.path(), p.message()));
        }
        if (!problems.isEmpty()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "invalid params for job " + def.getName() + ": "
                    + String.join("; ", problems.stream().map(p -> p.path() + ": " + p.message()).toList()),
                    Map.of("problems", problems));
        }
    }

    /** {@code GET /runs[?job=&status=&origin=&since=&until=&cursor=&offset=&limit=]}: newest first. */
    void list(RoutingContext ctx) {
        ReadModel.RunQuery q = runQuery(ctx);
        replies.ok(ctx, () -> {
            ReadModel.Page<RunView> p = AccessControl.runs(stores, q, AccessControl.scope(ctx));
            return Page.of(p.items().stream().map(ApiViews::runSummary).toList(), p.nextCursor(), q.limit());
        });
    }

    /** The run list filters of a request; 400 for an unknown status or origin, or a time that is not ISO-8601. */
    ReadModel.RunQuery runQuery(RoutingContext ctx) {
        String job = Requests.query(ctx, "job");
        List<String> statuses = new ArrayList<>();
        for (String v : ctx.queryParam("status")) {
            for (String part : v.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                String st = ApiStatus.parseRun(part);
                if (st == null) {
                    throw ApiError.badRequest("unknown status '" + part + "' (one of " + ApiStatus.RUN_STATUSES + ")");
                }
                if (!statuses.contains(st)) {
                    statuses.add(st);
                }
            }
        }
        List<String> origins = new ArrayList<>();
        for (String v : ctx.queryParam("origin")) {
            for (String part : v.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                String o = part.trim().toUpperCase(java.util.Locale.ROOT);
                if (java.util.Arrays.stream(Origin.values()).noneMatch(x -> x.name().equals(o))) {
                    throw ApiError.badRequest("unknown origin '" + part + "' (one of " + java.util.Arrays.toString(Origin.values()) + ")");
                }
                if (!origins.contains(o)) {
                    origins.add(o);
                }
            }
        }
        Long since = instantParam(ctx, "since");
        Long until = instantParam(ctx, "until");
        if (since != null && until != null && until <= since) {
            throw ApiError.badRequest("until must be after since");
        }
        int limit = Requests.limit(ctx, s.config());
        int offset = Requests.offset(ctx);
        String after = Requests.cursor(ctx, Requests.RUN_ORDER);
        return new ReadModel.RunQuery(job, statuses, origins, since, until, after, offset, limit);
    }

    /** An ISO-8601 instant ({@code 2026-01-02T03:04:05Z}) as epoch millis, or null when absent. */
    private static Long instantParam(RoutingContext ctx, String name) {
        String v = Requests.query(ctx, name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v.trim()).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant such as 2026-01-02T03:04:05Z, not '" + v + "'");
        }
    }

    /** {@code GET /runs/{id}[?stepsLimit=&stepsCursor=]}: the run with one page of its steps. */
    void get(RoutingContext ctx) {
        String id = Requests.path(ctx, "id");
        int stepsLimit = Requests.intParam("stepsLimit", Requests.query(ctx, "stepsLimit"), 1, MAX_STEPS,
                s.config().getInt(GatewayConfig.RUN_STEPS_DEFAULT));
        String sc = Requests.query(ctx, "stepsCursor");
        int stepsFrom = sc == null || sc.isEmpty() ? 0 : Integer.parseInt(Requests.cursorValue(sc, Requests.STEP_POSITION));
        replies.ok(ctx, () -> {
            RunView v = runs.require(id);
            ReadModel.StepPage steps = stores.steps(v, stepsFrom, stepsLimit);
            return ApiViews.runDetail(v, steps.steps()).paged(steps.total(),
                    steps.nextIndex() == null ? null : Page.encodeCursor(Integer.toString(steps.nextIndex())),
                    v.lastSequence == 0 && "REQUESTED".equals(v.status));
        });
    }

    /** {@code POST /runs/{id}/cancel}: asks the coordinator to cancel (with a grace period for running steps). */
    void cancel(RoutingContext ctx) {
        String id = Requests.path(ctx, "id");
        JsonNode body = Requests.jsonBody(ctx);
        String reason = Requests.text(body, "reason");
        long graceMs = body.has("graceMs") ? Requests.longValue(body.get("graceMs"), "graceMs") : 0L;
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        Http.auditRun(ctx, id);
        replies.reply(ctx, replies.blocking(() -> runs.require(id)).compose(v -> {
            Http.audit(ctx, "job", v.job);
            String status = ApiStatus.run(v.status);
            if (ApiStatus.finished(status)) {
                throw ApiError.conflict("run " + id + " is already " + status);
            }
            ControlCommand c = ControlCommand.newBuilder()
                    .setEventId(UUID.randomUUID().toString()).setRunId(id).setTimestamp(Instant.now())
                    .setTraceId(Http.requestId(ctx)).setActor(who == null ? null : who.name())
                    .setCommand(new CancelRun(reason == null ? "canceled by " + (who == null ? "api" : who.name()) : reason, graceMs))
                    .build();
            return s.producer().send(s.vertx(), s.worker(), s.topics().runControl(), id, c).map(md -> {
                http.json(ctx, 202, new RunResponses.Canceling(id, "CANCELING"));
                return null;
            });
        }));
    }

    /** {@code POST /runs/{id}/retry}: a new run of a FAILED or CANCELED one that reuses its succeeded steps. */
    void retry(RoutingContext ctx) {
        String id = Requests.path(ctx, "id");
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        Http.auditRun(ctx, id);
        replies.reply(ctx, replies.blocking(() -> runs.require(id)).compose(v -> {
            Http.audit(ctx, "job", v.job);
            String status = ApiStatus.run(v.status);
            if (!status.equals("FAILED") && !status.equals("CANCELED")) {
                throw ApiError.conflict("only a FAILED or CANCELED run can be retried from failure; run " + id + " is " + status);
            }
            String newRunId = RunIds.random();
            Http.audit(ctx, "newRunId", newRunId);
            ControlCommand c = ControlCommand.newBuilder()
                    .setEventId(UUID.randomUUID().toString()).setRunId(id).setTimestamp(Instant.now())
                    .setTraceId(Http.requestId(ctx)).setActor(who == null ? null : who.name())
                    .setCommand(new RetryRun(newRunId))
                    .build();
            return s.producer().send(s.vertx(), s.worker(), s.topics().runControl(), id, c).map(md -> {
                runs.accepted(new Services.PendingRun(newRunId, v.job, v.jobVersion, null, Origin.RETRY.name(),
                        who == null ? null : who.name(), v.params, v.tags, id, System.currentTimeMillis(), v.partition));
                http.json(ctx, 202, new RunResponses.Retried(newRunId, id), Map.of("Location", "/api/v1/runs/" + newRunId));
                return null;
            });
        }));
    }
}
