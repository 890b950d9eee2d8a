package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.events.AssetCheckSpec;
import dev.baton.events.AssetSpec;
import dev.baton.events.CancelRun;
import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.JobRegistrationRequest;
import dev.baton.events.JobRegistrationResult;
import dev.baton.events.RegistrationRejection;
import dev.baton.events.Origin;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryRun;
import dev.baton.events.RunRequest;
import dev.baton.events.StepDefinition;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.assets.AssetCatalog;
import dev.baton.gateway.internal.assets.Lineage;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.ApiViews;
import dev.baton.gateway.internal.readmodel.AssetViews;
import dev.baton.gateway.internal.readmodel.AssetSummary;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.jobs.JobValidationException;
import dev.baton.jobs.JobWriter;
import dev.baton.platform.RunIds;
import dev.baton.platform.TopicBootstrapper;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.KeyValue;

/** The REST handlers. Each answers through {@link Http}; blocking work (stores, parsing, admin) runs on the worker. */
final class ApiHandlers {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiHandlers.class);
    private static final int MAX_RUN_KEY = 512;
    private static final int MAX_TAG_KEY = 100;
    private static final int MAX_TAG_VALUE = 256;
    /** Most events one read returns (about 5 MB of JSON); a longer history is paged with {@code after=lastSequence}. */
    static final int MAX_EVENTS = 10_000;

    /** Most steps (and onFailure hooks) a job may have (docs/jobs.md, "Limits"). */
    static final int MAX_STEPS = dev.baton.jobs.JobLimits.MAX_STEPS;
    /** Largest params of a run (UTF-8 bytes of names and values). */
    static final int MAX_PARAMS_BYTES = dev.baton.jobs.JobLimits.MAX_PARAMS_BYTES;

    /** Cursor forms: what each list's nextCursor decodes to. */
    static final java.util.regex.Pattern RUN_ORDER = java.util.regex.Pattern.compile("\\d{19}\\|[A-Za-z0-9._:-]{1,200}");
    static final java.util.regex.Pattern TIME_ORDER = java.util.regex.Pattern.compile("\\d{19}\\|[^|\\p{Cntrl}]{1,1000}");
    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
    static final java.util.regex.Pattern STEP_POSITION = java.util.regex.Pattern.compile("\\d{1,9}");
    static final java.util.regex.Pattern ASSET_KEY = java.util.regex.Pattern.compile("[^|\\p{Cntrl}]{1,1000}");

    private final Services s;
    private final Http http;
    private final Counter jobsRegistered;

    ApiHandlers(Services services, Http http) {
        this.s = services;
        this.http = http;
        this.jobsRegistered = Counter.builder("baton.gateway.jobs.registered").description("Job versions registered")
                .register(services.meters());
        io.micrometer.core.instrument.FunctionCounter.builder("baton.gateway.logs.lines.read", services.readModel(),
                        ReadModel::logLinesRead)
                .description("Log lines read from the store by log queries (a page reads at most its size plus one)")
                .register(services.meters());
    }

    <T> Future<T> blocking(Callable<T> c) {
        return s.worker().executeBlocking(c, false);
    }

    void reply(RoutingContext ctx, Future<?> work) {
        work.onFailure(e -> http.fail(ctx, e));
    }

    // ---- jobs ----

    void registerJob(RoutingContext ctx) {
        Format format = formatOf(ctx.request().getHeader("Content-Type"));
        String text = ctx.body() == null || ctx.body().buffer() == null ? null : strictUtf8(ctx.body().buffer().getBytes());
        if (text == null || text.isBlank()) {
            http.fail(ctx, new ApiError(400, ApiError.INVALID_JOB, "the request body is empty: send the job file (YAML or JSON)",
                    Map.of("problems", List.of(problem("$", "empty document")))));
            return;
        }
        reply(ctx, blocking(() -> {
            try {
                return JobParser.parse(text, format, Instant.now()); // also enforces JobLimits
            } catch (JobValidationException e) {
                throw invalidJob(e);
            }
        }).compose(parsed -> {
            String name = parsed.getName();
            AuditInfoHelper.resource(ctx, "jobs/" + name);
            Http.audit(ctx, "job", name);
            return register(ctx, parsed);
        }));
    }

    /** Decodes a job file strictly ({@link JobParser#decode}): bytes that are not UTF-8 are refused with their offset. */
    static String strictUtf8(byte[] bytes) {
        try {
            return JobParser.decode(bytes);
        } catch (JobValidationException e) {
            throw invalidJob(e);
        }
    }

    static ApiError invalidJob(JobValidationException e) {
        List<Map<String, String>> problems = e.problems().stream().map(p -> problem(p.path(), p.message())).toList();
        return new ApiError(400, ApiError.INVALID_JOB, problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " in the job definition: " + String.join("; ", e.problems().stream().map(Object::toString).toList()),
                Map.of("problems", problems));
    }

    /**
     * Asks the job registry (one exactly-once writer shared by every gateway) to register {@code parsed}, and answers
     * with its verdict: 201 with the new version once this gateway's read model shows it (read-your-writes), 200 when
     * unchanged, 409 with the reason when the cross-job asset rules refuse it, 503 when no answer came in time.
     */
    private Future<Void> register(RoutingContext ctx, JobDefinition parsed) {
        String name = parsed.getName();
        Set<String> pools = new LinkedHashSet<>();
        parsed.getSteps().forEach(st -> pools.add(st.getPool()));
        parsed.getOnFailure().forEach(st -> pools.add(st.getPool()));
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        JobRegistrationRequest request = JobRegistrationRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setTimestamp(parsed.getRegisteredAt())
                .setTraceId(Http.requestId(ctx))
                .setRequestedBy(who == null ? null : who.name())
                .setDefinition(parsed)
                .build();
        // Pool topics first: once the registry accepts, runs of the new version may be dispatched at once.
        return blocking(() -> new TopicBootstrapper(s.admin()).ensure(s.topics().pools(pools, s.config().topicDefaults())))
                .compose(x -> s.registrations().register(s.vertx(), s.worker(), request))
                .recover(e -> Future.failedFuture(e instanceof TimeoutException
                        ? new ApiError(503, ApiError.UNAVAILABLE, "job registration is unavailable: " + e.getMessage()
                                + "; the job may still be registered later, send it again to find out") : e))
                .compose(result -> switch (result.getOutcome()) {
                    case UNCHANGED -> {
                        Http.audit(ctx, "version", result.getVersion());
                        Http.audit(ctx, "changed", false);
                        http.json(ctx, 200, Map.of("name", name, "version", result.getVersion(), "changed", false));
                        yield Future.<Void>succeededFuture();
                    }
                    case REGISTERED -> awaitReadModel(name, result.getVersion()).map(x -> {
                        jobsRegistered.increment();
                        Http.audit(ctx, "version", result.getVersion());
                        Http.audit(ctx, "changed", true);
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("name", name);
                        body.put("version", result.getVersion());
                        body.put("changed", true);
                        http.json(ctx, 201, body, Map.of("Location", "/api/v1/jobs/" + name));
                        return null;
                    });
                    case REJECTED -> Future.<Void>failedFuture(rejected(result));
                });
    }

    /** The 409 of a refused registration: the reason code and each problem with its path in the job file. */
    static ApiError rejected(JobRegistrationResult result) {
        List<Map<String, String>> problems = result.getProblems().stream().map(p -> problem(p.getPath(), p.getMessage())).toList();
        RegistrationRejection why = result.getRejection() == null ? RegistrationRejection.INVALID : result.getRejection();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("reason", why.name().toLowerCase(Locale.ROOT));
        extra.put("problems", problems);
        return new ApiError(409, ApiError.CONFLICT, problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " with the job's assets across the registered jobs: "
                + String.join("; ", result.getProblems().stream().map(p -> p.getPath() + ": " + p.getMessage()).toList()), extra);
    }

    /**
     * Completes once this gateway's read model holds {@code version} of {@code name} (or a later one), so the caller's
     * next GET shows what it registered; after the registration timeout it completes anyway (the version is registered).
     */
    private Future<Void> awaitReadModel(String name, int version) {
        io.vertx.core.Context context = s.vertx().getOrCreateContext();
        io.vertx.core.Promise<Void> folded = io.vertx.core.Promise.promise(); // completed on context only
        AutoCloseable subscription = s.readModel().feed().onJob(name, item -> {
            if (item.version() >= version) {
                context.runOnContext(v -> folded.tryComplete());
            }
        });
        long timer = s.vertx().setTimer(s.config().registrationTimeout().toMillis(), t -> {
            if (folded.tryComplete()) {
                log.warn("Job {} version {} is registered but this gateway's read model does not show it yet", name, version);
            }
        });
        blocking(() -> {
            JobDefinition d = decodeJob(s.readModel().job(name));
            return d != null && d.getVersion() >= version;
        }).onComplete(seen -> {
            if (seen.succeeded() && seen.result()) {
                folded.tryComplete();
            }
        });
        return folded.future().andThen(x -> {
            s.vertx().cancelTimer(timer);
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("closing a job subscription", e);
            }
        });
    }

    static Format formatOf(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return Format.YAML;
        }
        String ct = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        if (ct.equals("application/json") || ct.endsWith("+json")) {
            return Format.JSON;
        }
        if (ct.contains("yaml") || ct.contains("yml") || ct.equals("text/plain")) {
            return Format.YAML;
        }
        throw new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type " + contentType + " is not a job format: use application/yaml or application/json");
    }

    /** The newest definition of {@code name} in the read model (which waits for each registration it answers). Blocking. */
    JobDefinition latestJob(String name) {
        return decodeJob(s.readModel().job(name));
    }

    /** The latest version of every job, by name. Blocking. */
    Map<String, JobDefinition> latestJobs() {
        Map<String, JobDefinition> jobs = new TreeMap<>();
        for (byte[] b : s.readModel().allJobs()) {
            JobDefinition d = decodeJob(b);
            jobs.put(d.getName(), d);
        }
        return jobs;
    }

    private JobDefinition decodeJob(byte[] bytes) {
        return bytes == null ? null : s.codecs().jobs().deserialize(s.topics().jobs(), bytes);
    }

    void listJobs(RoutingContext ctx) {
        int limit = limit(ctx);
        String after = cursor(ctx, NAME);
        reply(ctx, blocking(() -> {
            TreeMap<String, JobDefinition> all = new TreeMap<>(latestJobs());
            List<Map<String, Object>> items = new ArrayList<>();
            String next = null;
            for (JobDefinition d : (after == null ? all : all.tailMap(after, false)).values()) {
                if (!AccessControl.allows(ctx, d.getName())) {
                    continue;
                }
                if (items.size() == limit) {
                    next = items.get(items.size() - 1).get("name").toString();
                    break;
                }
                items.add(jobSummary(d));
            }
            return page(items, next, limit);
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    static Map<String, Object> jobSummary(JobDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.getName());
        m.put("version", d.getVersion());
        if (d.getDescription() != null) {
            m.put("description", d.getDescription());
        }
        m.put("registeredAt", d.getRegisteredAt().toString());
        m.put("steps", d.getSteps().stream().map(StepDefinition::getKey).toList());
        m.put("schedules", d.getSchedules().stream().map(x -> x.getName()).toList());
        m.put("triggers", d.getTriggers().size());
        Set<String> assets = new LinkedHashSet<>();
        d.getSteps().forEach(st -> st.getProduces().forEach(a -> assets.add(a.getKey())));
        m.put("produces", List.copyOf(assets));
        m.put("tags", d.getTags());
        return m;
    }

    void getJob(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String v = ctx.request().getParam("version");
        Integer version = v == null ? null : intParam("version", v, 1, Integer.MAX_VALUE);
        reply(ctx, blocking(() -> {
            JobDefinition latest = latestJob(name);
            if (latest == null) {
                throw ApiError.notFound("no job named '" + name + "' is registered");
            }
            JobDefinition d = latest;
            if (version != null && version != latest.getVersion()) {
                d = decodeJob(s.readModel().jobVersion(name, version));
                if (d == null) {
                    throw ApiError.notFound("job '" + name + "' has no version " + version);
                }
            }
            List<Integer> versions = new ArrayList<>(s.readModel().jobVersions(name));
            if (!versions.contains(latest.getVersion())) {
                versions.add(latest.getVersion());
            }
            Map<String, Object> m = jobSummary(d);
            m.put("latestVersion", latest.getVersion());
            m.put("versions", versions);
            m.put("definition", JobWriter.toTree(d));
            if (d.getSource() != null) {
                m.put("source", d.getSource());
            }
            return m;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    // ---- runs ----

    void trigger(RoutingContext ctx, Origin origin) {
        String job = ctx.pathParam("name");
        JsonNode body = jsonBody(ctx);
        Map<String, String> params = stringMap(body, "params", false);
        Map<String, String> tags = stringMap(body, "tags", true);
        String runKey = text(body, "runKey");
        if (runKey == null && origin == Origin.WEBHOOK) {
            runKey = ctx.request().getHeader("Idempotency-Key");
        }
        if (runKey != null && (runKey.isBlank() || runKey.length() > MAX_RUN_KEY)) {
            throw ApiError.badRequest("runKey must be 1-" + MAX_RUN_KEY + " characters");
        }
        String key = runKey;
        String partition = text(body, "partition");
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        Http.audit(ctx, "job", job);
        reply(ctx, blocking(() -> {
            JobDefinition def = latestJob(job);
            if (def == null) {
                throw ApiError.notFound("no job named '" + job + "' is registered");
            }
            if (origin == Origin.WEBHOOK) {
                WebhookSignatures.verify(s.secrets(), def, ctx);
            }
            checkParams(def, params);
            PartitionRequests.check(def, partition);
            String runId = key != null ? RunIds.forRunKey(job, key) : RunIds.random();
            boolean known = s.readModel().run(runId).isPresent() || pendingKnown(runId);
            return new Object[] {def, runId, known};
        }).compose(x -> {
            JobDefinition def = (JobDefinition) x[0];
            String runId = (String) x[1];
            boolean known = (Boolean) x[2];
            Http.auditRun(ctx, runId);
            Http.audit(ctx, "version", def.getVersion());
            if (key != null) {
                Http.audit(ctx, "runKey", key);
            }
            RunRequest request = RunRequest.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setRunId(runId)
                    .setTimestamp(Instant.now())
                    .setTraceId(Http.requestId(ctx))
                    .setJob(job)
                    .setRunKey(key)
                    .setParams(params)
                    .setTags(tags)
                    .setOrigin(origin)
                    .setRequestedBy(who == null ? null : who.name())
                    .setDefinition(def)
                    .setPartition(partition)
                    .build();
            return s.producer().send(s.vertx(), s.worker(), s.topics().runRequests(), runId, request).map(md -> {
                if (!known) {
                    s.pendingRuns().put(runId, new Services.PendingRun(runId, job, def.getVersion(), key, origin.name(),
                            request.getRequestedBy(), params, tags, null, System.currentTimeMillis()));
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("runId", runId);
                out.put("job", job);
                out.put("version", def.getVersion());
                if (key != null) {
                    out.put("runKey", key);
                }
                if (partition != null) {
                    out.put("partition", partition);
                }
                // With a run key, a run that exists already is this request's run (the coordinator records the duplicate).
                out.put("duplicate", known);
                http.json(ctx, 202, out, Map.of("Location", "/api/v1/runs/" + runId));
                return null;
            });
        }));
    }

    /** Whether this gateway accepted {@code runId} moments ago and the read model has not shown it yet. */
    private boolean pendingKnown(String runId) {
        Services.PendingRun p = s.pendingRuns().get(runId);
        return p != null && System.currentTimeMillis() - p.acceptedAt() <= s.config().getLong(GatewayConfig.PENDING_TTL_MS);
    }

    static void checkParams(JobDefinition def, Map<String, String> params) {
        long bytes = 0;
        for (Map.Entry<String, String> e : params.entrySet()) {
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_PARAMS_BYTES) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "the params are " + bytes + " bytes; at most " + MAX_PARAMS_BYTES
                    + " bytes (UTF-8 names and values) are allowed per run (limit max_params_bytes)",
                    Map.of("problems", List.of(problem("params", "larger than " + MAX_PARAMS_BYTES + " bytes")),
                            "limit", Map.of("name", "max_params_bytes", "value", MAX_PARAMS_BYTES, "actual", bytes)));
        }
        List<Map<String, String>> problems = new ArrayList<>();
        for (String k : params.keySet()) {
            if (!def.getParams().containsKey(k)) {
                problems.add(problem("params." + k, "unknown param (declared: " + def.getParams().keySet() + ")"));
            }
        }
        for (Map.Entry<String, ParamSpec> e : def.getParams().entrySet()) {
            if (e.getValue().getRequired() && e.getValue().getDefault$() == null && !params.containsKey(e.getKey())) {
                problems.add(problem("params." + e.getKey(), "required param is missing"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "invalid params for job " + def.getName(), Map.of("problems", problems));
        }
    }

    void listRuns(RoutingContext ctx) {
        String job = ctx.request().getParam("job");
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
        int limit = limit(ctx);
        int offset = offset(ctx);
        String after = cursor(ctx, RUN_ORDER);
        reply(ctx, blocking(() -> AccessControl.runs(s.readModel(), new ReadModel.RunQuery(job, statuses, after, offset, limit),
                AccessControl.scope(ctx))).map(p -> {
            List<Map<String, Object>> items = p.items().stream().map(ApiViews::runSummary).toList();
            http.json(ctx, 200, page(items, p.nextCursor(), limit));
            return null;
        }));
    }

    void getRun(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        int stepsLimit = intParam("stepsLimit", ctx.request().getParam("stepsLimit"), 1, MAX_STEPS,
                s.config().getInt(GatewayConfig.RUN_STEPS_DEFAULT));
        String sc = ctx.request().getParam("stepsCursor");
        int stepsFrom = sc == null || sc.isEmpty() ? 0 : Integer.parseInt(cursorValue(sc, STEP_POSITION));
        reply(ctx, blocking(() -> {
            RunView v = runOrPending(id);
            if (v == null) {
                throw ApiError.notFound("no run " + id);
            }
            ReadModel.StepPage steps = s.readModel().steps(v, stepsFrom, stepsLimit);
            Map<String, Object> body = ApiViews.runDetail(v, steps.steps());
            body.put("stepCount", steps.total());
            if (steps.nextIndex() != null) {
                body.put("nextStepsCursor", encodeCursor(Integer.toString(steps.nextIndex())));
            }
            if (v.lastSequence == 0 && "REQUESTED".equals(v.status)) {
                body.put("pending", true);
            }
            return body;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    /** The run's view, or, for a run this gateway accepted moments ago, a provisional one. Blocking. */
    RunView runOrPending(String id) {
        RunView v = s.readModel().run(id).orElse(null);
        if (v != null) {
            s.pendingRuns().remove(id);
            return v;
        }
        Services.PendingRun p = s.pendingRuns().get(id);
        if (p == null || System.currentTimeMillis() - p.acceptedAt() > s.config().getLong(GatewayConfig.PENDING_TTL_MS)) {
            return null;
        }
        RunView pv = new RunView();
        pv.runId = p.runId();
        pv.job = p.job();
        pv.jobVersion = p.version();
        pv.status = "REQUESTED";
        pv.runKey = p.runKey();
        pv.origin = p.origin();
        pv.requestedBy = p.requestedBy();
        pv.params = new LinkedHashMap<>(p.params());
        pv.tags = new LinkedHashMap<>(p.tags());
        pv.parentRunId = p.parentRunId();
        pv.requestedAt = p.acceptedAt();
        pv.updatedAt = p.acceptedAt();
        return pv;
    }

    void cancel(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonNode body = jsonBody(ctx);
        String reason = text(body, "reason");
        long graceMs = body.has("graceMs") ? longValue(body.get("graceMs"), "graceMs") : 0L;
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        Http.auditRun(ctx, id);
        reply(ctx, blocking(() -> runOrPending(id)).compose(v -> {
            if (v == null) {
                throw ApiError.notFound("no run " + id);
            }
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
                http.json(ctx, 202, Map.of("runId", id, "status", "CANCELING"));
                return null;
            });
        }));
    }

    void retry(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        Http.auditRun(ctx, id);
        reply(ctx, blocking(() -> runOrPending(id)).compose(v -> {
            if (v == null) {
                throw ApiError.notFound("no run " + id);
            }
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
                s.pendingRuns().put(newRunId, new Services.PendingRun(newRunId, v.job, v.jobVersion, null, Origin.RETRY.name(),
                        who == null ? null : who.name(), v.params, v.tags, id, System.currentTimeMillis()));
                http.json(ctx, 202, Map.of("runId", newRunId, "parentRunId", id), Map.of("Location", "/api/v1/runs/" + newRunId));
                return null;
            });
        }));
    }

    void events(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        long after = ctx.request().getParam("after") == null ? 0 : longParam("after", ctx.request().getParam("after"));
        int limit = Math.min(intParam("limit", ctx.request().getParam("limit"), 1, MAX_EVENTS, MAX_EVENTS), MAX_EVENTS);
        reply(ctx, blocking(() -> {
            RunView v = runOrPending(id);
            if (v == null) {
                throw ApiError.notFound("no run " + id);
            }
            List<Object> items = new ArrayList<>();
            long last = after;
            byte[] lastJson = null;
            for (byte[] b : s.readModel().events(id, after, limit)) {
                items.add(new com.fasterxml.jackson.databind.util.RawValue(new String(b, StandardCharsets.UTF_8)));
                lastJson = b;
            }
            if (lastJson != null) {
                last = Json.tree(lastJson).get("sequence").asLong();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", id);
            m.put("status", ApiStatus.run(v.status));
            m.put("items", items);
            m.put("lastSequence", last);
            m.put("truncated", items.size() == limit);
            return m;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    /** A log read as the request asks for it (shared by the JSON endpoint and the live stream's history). */
    record LogRequest(String step, Integer attempt, String after, Integer tail, int limit, boolean limitGiven) {}

    LogRequest logRequest(RoutingContext ctx) {
        String step = ctx.request().getParam("step");
        String a = ctx.request().getParam("attempt");
        Integer attempt = a == null ? null : intParam("attempt", a, 0, 999_999);
        if (attempt != null && step == null) {
            throw ApiError.badRequest("attempt needs step");
        }
        int max = s.config().getInt(GatewayConfig.LOGS_PAGE_MAX);
        String tailParam = ctx.request().getParam("tail");
        Integer tail = tailParam == null ? null : intParam("tail", tailParam, 1, max);
        String limitParam = ctx.request().getParam("limit");
        int limit = intParam("limit", limitParam, 1, max, Math.min(s.config().getInt(GatewayConfig.LOGS_PAGE_DEFAULT), max));
        String after = cursor(ctx, dev.baton.gateway.internal.readmodel.Keys.LOG_POSITION);
        if (after == null && ctx.request().getParam("after") != null && !ctx.request().getParam("after").isEmpty()) {
            // "after" is the cursor's alias for log reads (a client following a log passes the last position back)
            after = cursorValue(ctx.request().getParam("after"), dev.baton.gateway.internal.readmodel.Keys.LOG_POSITION);
        }
        if (after != null && step != null) {
            var m = dev.baton.gateway.internal.readmodel.Keys.LOG_POSITION.matcher(after);
            if (m.matches() && !m.group(2).equals(step)) {
                throw badCursor();
            }
        }
        return new LogRequest(step, attempt, after, tail, limit, limitParam != null);
    }

    /**
     * Log lines, oldest first, one bounded page: {@code limit} lines from the start or after {@code cursor}, or the last
     * {@code tail} lines. Lines are written into the response as stored (no re-parsing), so a page costs about its bytes.
     */
    void logs(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        LogRequest q = logRequest(ctx);
        reply(ctx, blocking(() -> {
            RunView v = runOrPending(id);
            if (v == null) {
                throw ApiError.notFound("no run " + id);
            }
            boolean tail = q.tail() != null;
            ReadModel.LogPage page = s.readModel().logs(new ReadModel.LogQuery(id, q.step(), q.attempt(), q.after(), tail,
                    tail ? q.tail() : q.limit()));
            List<ReadModel.LogEntry> lines = page.items();
            boolean truncated = tail ? false : page.more();
            if (tail && q.limitGiven() && lines.size() > q.limit()) {
                lines = lines.subList(0, q.limit()); // as before: the first `limit` of the last `tail` lines
                truncated = true;
            }
            List<Object> items = new ArrayList<>(lines.size());
            for (ReadModel.LogEntry e : lines) {
                items.add(new com.fasterxml.jackson.databind.util.RawValue(new String(e.json(), StandardCharsets.UTF_8)));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", id);
            m.put("status", ApiStatus.run(v.status));
            m.put("items", items);
            m.put("total", page.total());
            m.put("truncated", truncated);
            m.put("limit", tail ? q.tail() : q.limit());
            // Logs grow: the position after the last line returned (or the one given) continues there later on.
            String next = lines.isEmpty() ? q.after() : lines.get(lines.size() - 1).position();
            m.put("nextCursor", encodeCursor(next));
            return m;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    // ---- assets ----

    /** Deepest lineage a single call walks: deeper graphs are paged by asking again from a frontier node. */
    static final int MAX_LINEAGE_DEPTH = 10;

    /** The assets and lineage graph of the latest version of every job. Blocking. */
    AssetCatalog catalog() {
        return AssetCatalog.of(latestJobs().values());
    }

    /** The asset key of an asset route: the rest of the path, percent-decoded if it was encoded. */
    static String assetKey(RoutingContext ctx) {
        String raw = ctx.pathParam("key");
        return raw.contains("%") ? URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8) : raw;
    }

    static Map<String, Object> declaredBy(AssetCatalog.Declaration d) {
        AssetSpec a = d.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", d.job());
        m.put("step", d.step());
        if (a.getGroup() != null) {
            m.put("group", a.getGroup());
        }
        if (a.getDescription() != null) {
            m.put("description", a.getDescription());
        }
        m.put("deps", a.getDeps());
        m.put("owners", a.getOwners());
        m.put("checks", a.getChecks().stream().map(AssetCheckSpec::getName).toList());
        if (a.getFreshnessMaxLagMs() != null) {
            m.put("freshnessMaxLagMs", a.getFreshnessMaxLagMs());
        }
        return m;
    }

    /** The fields an asset has in the list and in its detail: declaration, latest materialization, freshness. */
    static Map<String, Object> assetSummary(String key, AssetCatalog.Declaration decl, AssetSummary a, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("assetKey", key);
        if (decl != null) {
            m.put("declaredBy", declaredBy(decl));
            if (decl.spec().getGroup() != null) {
                m.put("group", decl.spec().getGroup());
            }
            m.put("owners", decl.spec().getOwners());
            if (decl.spec().getDescription() != null) {
                m.put("description", decl.spec().getDescription());
            }
        }
        m.put("materializationCount", a == null ? 0L : a.materializationCount);
        if (a != null && a.lastMaterializedAt != null) {
            m.put("lastMaterializedAt", ApiViews.time(a.lastMaterializedAt));
        }
        if (a != null && a.lastMaterialization != null) {
            m.put("lastMaterialization", a.lastMaterialization);
        }
        Map<String, Object> freshness = AssetViews.freshness(a, decl == null ? null : decl.spec().getFreshnessMaxLagMs(), now);
        if (freshness != null) {
            m.put("freshness", freshness);
        }
        m.put("failingChecks", a == null ? 0 : a.checks.values().stream().filter(AssetSummary.Check::failing).count());
        return m;
    }

    void listAssets(RoutingContext ctx) {
        int limit = limit(ctx);
        String after = cursor(ctx, ASSET_KEY);
        reply(ctx, blocking(() -> {
            long now = System.currentTimeMillis();
            AssetCatalog catalog = catalog();
            TreeMap<String, AssetSummary> summaries = new TreeMap<>();
            for (KeyValue<String, byte[]> kv : s.readModel().assets(null, Integer.MAX_VALUE).items()) {
                AssetSummary a = Json.read(kv.value, AssetSummary.class);
                summaries.put(a.assetKey, a);
            }
            TreeMap<String, Boolean> keys = new TreeMap<>();
            catalog.declarations().keySet().forEach(k -> keys.put(k, true));
            summaries.keySet().forEach(k -> keys.put(k, true));
            List<Map<String, Object>> items = new ArrayList<>();
            String next = null;
            for (String k : (after == null ? keys : keys.tailMap(after, false)).keySet()) {
                if (items.size() == limit) {
                    next = items.get(items.size() - 1).get("assetKey").toString();
                    break;
                }
                items.add(assetSummary(k, catalog.declaration(k).orElse(null), summaries.get(k), now));
            }
            return page(items, next, limit);
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    /** Latest result of each check: the declared checks in declaration order, then any others by name. */
    static List<Map<String, Object>> latestChecks(AssetCatalog.Declaration decl, AssetSummary a) {
        Map<String, AssetSummary.Check> results = new TreeMap<>(a == null ? Map.of() : a.checks);
        List<Map<String, Object>> out = new ArrayList<>();
        if (decl != null) {
            for (AssetCheckSpec c : decl.spec().getChecks()) {
                AssetSummary.Check r = results.remove(c.getName());
                Map<String, Object> m = r != null ? AssetViews.check(r) : new LinkedHashMap<>(Map.of("name", c.getName(),
                        "severity", c.getSeverity().name()));
                m.put("expression", c.getExpression());
                if (r != null && !r.severity.equals(c.getSeverity().name())) {
                    m.put("declaredSeverity", c.getSeverity().name()); // the declaration changed since the evaluation
                }
                out.add(m);
            }
        }
        results.values().forEach(r -> out.add(AssetViews.check(r)));
        return out;
    }

    void getAsset(RoutingContext ctx) {
        String key = assetKey(ctx);
        int limit = limit(ctx);
        String after = cursor(ctx, TIME_ORDER);
        reply(ctx, blocking(() -> {
            AssetCatalog.Declaration decl = catalog().declaration(key).orElse(null);
            byte[] stored = s.readModel().asset(key);
            if (decl == null && stored == null) {
                throw ApiError.notFound("no asset " + key + " (not declared by any job and never materialized)");
            }
            AssetSummary a = stored == null ? null : Json.read(stored, AssetSummary.class);
            Map<String, Object> m = assetSummary(key, decl, a, System.currentTimeMillis());
            m.remove("lastMaterialization"); // it is the first of the materializations below
            m.put("checks", latestChecks(decl, a));
            ReadModel.Page<byte[]> page = s.readModel().materializations(key, after, limit);
            List<Object> items = new ArrayList<>();
            for (byte[] b : page.items()) {
                ObjectNode n = (ObjectNode) Json.tree(b);
                var checks = n.putArray("checks");
                s.readModel().checksOf(key, n.path("materializationId").asText()).forEach(c -> checks.add(Json.tree(c)));
                items.add(n);
            }
            m.put("materializations", items);
            m.put("nextCursor", encodeCursor(page.nextCursor()));
            return m;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    void assetChecks(RoutingContext ctx) {
        String key = assetKey(ctx);
        int limit = limit(ctx);
        String after = cursor(ctx, TIME_ORDER);
        reply(ctx, blocking(() -> {
            if (catalog().declaration(key).isEmpty() && s.readModel().asset(key) == null) {
                throw ApiError.notFound("no asset " + key + " (not declared by any job and never materialized)");
            }
            ReadModel.Page<byte[]> page = s.readModel().checks(key, after, limit);
            List<Object> items = new ArrayList<>();
            page.items().forEach(b -> items.add(Json.tree(b)));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("assetKey", key);
            m.putAll(page(items, page.nextCursor(), limit));
            return m;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    void lineage(RoutingContext ctx) {
        String key = assetKey(ctx);
        String direction = ctx.request().getParam("direction") == null ? "both" : ctx.request().getParam("direction").toLowerCase(Locale.ROOT);
        if (!List.of("up", "down", "both").contains(direction)) {
            throw ApiError.badRequest("direction must be up, down or both");
        }
        int depth = intParam("depth", ctx.request().getParam("depth"), 1, MAX_LINEAGE_DEPTH, 1);
        reply(ctx, blocking(() -> {
            AssetCatalog catalog = catalog();
            byte[] root = s.readModel().asset(key);
            if (!catalog.graph().contains(key) && root == null) {
                throw ApiError.notFound("no asset " + key + " (not declared by any job and never materialized)");
            }
            Lineage.Walk walk = Lineage.walk(catalog.graph(), key, !direction.equals("down"), !direction.equals("up"), depth);
            List<Map<String, Object>> nodes = new ArrayList<>();
            walk.levels().forEach((asset, level) -> {
                byte[] b = asset.equals(key) ? root : s.readModel().asset(asset);
                nodes.add(Lineage.node(asset, level, catalog, b == null ? null : Json.read(b, AssetSummary.class)));
            });
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("assetKey", key);
            m.put("direction", direction);
            m.put("depth", depth);
            m.put("nodes", nodes);
            m.put("edges", walk.edges().stream().map(Lineage::edge).toList());
            m.put("truncated", walk.truncated());
            if (!catalog.excluded().isEmpty()) {
                m.put("excludedJobs", catalog.excluded());
            }
            return m;
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    // ---- agents ----

    void listAgents(RoutingContext ctx) {
        long staleMs = s.config().getLong(GatewayConfig.AGENT_STALE_MS);
        reply(ctx, blocking(() -> {
            long now = System.currentTimeMillis();
            List<Object> items = new ArrayList<>();
            for (byte[] b : s.readModel().agents()) {
                ObjectNode n = (ObjectNode) Json.tree(b);
                long last = Instant.parse(n.get("lastHeartbeat").asText()).toEpochMilli();
                n.put("stale", now - last > staleMs);
                items.add(n);
            }
            return Map.of("items", items);
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    // ---- helpers ----

    static Map<String, String> problem(String path, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("message", message);
        return m;
    }

    static JsonNode jsonBody(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
            return Json.MAPPER.createObjectNode();
        }
        String ct = ctx.request().getHeader("Content-Type");
        if (ct != null && !ct.toLowerCase(Locale.ROOT).contains("json")) {
            throw new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(ctx.body().buffer().getBytes());
            if (n == null || n.isNull() || n.isMissingNode()) {
                return Json.MAPPER.createObjectNode();
            }
            if (!n.isObject()) {
                throw ApiError.badRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw ApiError.badRequest("the body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isValueNode() || n.isBinary()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, field + " must be a string",
                    Map.of("problems", List.of(problem(field, "must be a string"))));
        }
        return n.asText();
    }

    static long longValue(JsonNode n, String field) {
        if (!n.canConvertToLong()) {
            throw ApiError.badRequest(field + " must be an integer");
        }
        long v = n.asLong();
        if (v < 0) {
            throw ApiError.badRequest(field + " must not be negative");
        }
        return v;
    }

    /** A JSON object of scalars as strings (numbers and booleans as written). */
    static Map<String, String> stringMap(JsonNode body, String field, boolean tags) {
        JsonNode n = body.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, field + " must be an object",
                    Map.of("problems", List.of(problem(field, "must be an object of strings"))));
        }
        List<Map<String, String>> problems = new ArrayList<>();
        n.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v == null || v.isNull() || !v.isValueNode()) {
                problems.add(problem(field + "." + e.getKey(), "must be a string, number or boolean"));
            } else if (tags && (e.getKey().isEmpty() || e.getKey().length() > MAX_TAG_KEY || v.asText().length() > MAX_TAG_VALUE)) {
                problems.add(problem(field + "." + e.getKey(), "tag keys have 1-" + MAX_TAG_KEY + " characters, values up to " + MAX_TAG_VALUE));
            } else {
                out.put(e.getKey(), v.asText());
            }
        });
        if (!problems.isEmpty()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "invalid " + field, Map.of("problems", problems));
        }
        return out;
    }

    int limit(RoutingContext ctx) {
        int max = s.config().getInt(GatewayConfig.PAGE_MAX);
        return intParam("limit", ctx.request().getParam("limit"), 1, max, Math.min(s.config().getInt(GatewayConfig.PAGE_DEFAULT), max));
    }

    static int offset(RoutingContext ctx) {
        return intParam("offset", ctx.request().getParam("offset"), 0, Integer.MAX_VALUE, 0);
    }

    /** The decoded cursor, if any: base64url of UTF-8 text without control characters, else 400. */
    static String cursor(RoutingContext ctx) {
        return cursor(ctx, null);
    }

    /** The decoded cursor, if any, which must also have {@code form} (what the list's nextCursor decodes to). */
    static String cursor(RoutingContext ctx, java.util.regex.Pattern form) {
        String c = ctx.request().getParam("cursor");
        return c == null || c.isEmpty() ? null : cursorValue(c, form);
    }

    static String cursorValue(String c, java.util.regex.Pattern form) {
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Base64.getUrlDecoder().decode(c))).toString();
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw badCursor();
        }
        if (decoded.isEmpty() || decoded.chars().anyMatch(Character::isISOControl) || (form != null && !form.matcher(decoded).matches())) {
            throw badCursor();
        }
        return decoded;
    }

    static ApiError badCursor() {
        return new ApiError(400, ApiError.INVALID_REQUEST, "invalid cursor: pass the nextCursor of the previous page unchanged",
                Map.of("problems", List.of(problem("cursor", "not a cursor of this list"))));
    }

    static String encodeCursor(String order) {
        return order == null ? null : Base64.getUrlEncoder().withoutPadding().encodeToString(order.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> page(List<?> items, String nextOrder, int limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("limit", limit);
        m.put("nextCursor", encodeCursor(nextOrder));
        return m;
    }

    static int intParam(String name, String value, int min, int max, int dflt) {
        return value == null || value.isEmpty() ? dflt : intParam(name, value, min, max);
    }

    static int intParam(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw ApiError.badRequest(name + " must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer");
        }
    }

    static long longParam(String name, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw ApiError.badRequest(name + " must not be negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer");
        }
    }

    /** Sets the audited resource once the handler knows it. */
    static final class AuditInfoHelper {
        static void resource(RoutingContext ctx, String resource) {
            Http.AuditInfo a = ctx.get(Http.AUDIT);
            if (a != null) {
                a.resource = resource;
            }
        }
    }
}
