package dev.baton.gateway.internal.http;

import dev.baton.events.JobDefinition;
import dev.baton.events.JobRegistrationRequest;
import dev.baton.events.JobRegistrationResult;
import dev.baton.events.RegistrationRejection;
import dev.baton.gateway.internal.api.JobResponses;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.jobs.JobValidationException;
import dev.baton.jobs.JobWriter;
import dev.baton.platform.TopicBootstrapper;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/** {@code /api/v1/jobs}: register a job file, list the jobs, show one job (any version). */
final class JobHandlers {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JobHandlers.class);

    private final Services s;
    private final ReadStores stores;
    private final Replies replies;
    private final Http http;
    private final Counter jobsRegistered;

    JobHandlers(Services services, ReadStores stores, Replies replies) {
        this.s = services;
        this.stores = stores;
        this.replies = replies;
        this.http = replies.http();
        this.jobsRegistered = Counter.builder("baton.gateway.jobs.registered").description("Job versions registered")
                .register(services.meters());
    }

    /** The newest definition of {@code name}, or 404. Blocking. */
    static JobDefinition require(ReadStores stores, String name) {
        JobDefinition d = stores.job(name);
        if (d == null) {
            throw ApiError.notFound("no job named '" + name + "' is registered");
        }
        return d;
    }

    // ---- register ----

    void register(RoutingContext ctx) {
        Format format = formatOf(ctx.request().getHeader("Content-Type"));
        String text = ctx.body() == null || ctx.body().buffer() == null ? null : strictUtf8(ctx.body().buffer().getBytes());
        if (text == null || text.isBlank()) {
            http.fail(ctx, new ApiError(400, ApiError.INVALID_JOB, "the request body is empty: send the job file (YAML or JSON)",
                    Map.of("problems", List.of(Requests.problem("$", "empty document")))));
            return;
        }
        replies.reply(ctx, replies.blocking(() -> {
            try {
                return JobParser.parse(text, format, Instant.now()); // also enforces JobLimits
            } catch (JobValidationException e) {
                throw invalidJob(e);
            }
        }).compose(parsed -> {
            String name = parsed.getName();
            Requests.auditResource(ctx, "jobs/" + name);
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
        List<Requests.Problem> problems = e.problems().stream().map(p -> Requests.problem(p.path(), p.message())).toList();
        return new ApiError(400, ApiError.INVALID_JOB, problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " in the job definition: " + String.join("; ", e.problems().stream().map(Object::toString).toList()),
                Map.of("problems", problems));
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
        return replies.blocking(() -> new TopicBootstrapper(s.admin()).ensure(s.topics().pools(pools, s.config().topicDefaults())))
                .compose(x -> s.registrations().register(s.vertx(), s.worker(), request))
                .recover(e -> Future.failedFuture(e instanceof TimeoutException
                        ? new ApiError(503, ApiError.UNAVAILABLE, "job registration is unavailable: " + e.getMessage()
                                + "; the job may still be registered later, send it again to find out") : e))
                .compose(result -> switch (result.getOutcome()) {
                    case UNCHANGED -> {
                        Http.audit(ctx, "version", result.getVersion());
                        Http.audit(ctx, "changed", false);
                        http.json(ctx, 200, new JobResponses.Registered(name, result.getVersion(), false));
                        yield Future.<Void>succeededFuture();
                    }
                    case REGISTERED -> awaitReadModel(name, result.getVersion()).map(x -> {
                        jobsRegistered.increment();
                        Http.audit(ctx, "version", result.getVersion());
                        Http.audit(ctx, "changed", true);
                        http.json(ctx, 201, new JobResponses.Registered(name, result.getVersion(), true),
                                Map.of("Location", "/api/v1/jobs/" + name));
                        return null;
                    });
                    case REJECTED -> Future.<Void>failedFuture(rejected(result));
                });
    }

    /** The 409 of a refused registration: the reason code and each problem with its path in the job file. */
    static ApiError rejected(JobRegistrationResult result) {
        List<Requests.Problem> problems = result.getProblems().stream()
                .map(p -> Requests.problem(p.getPath(), p.getMessage())).toList();
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
        AutoCloseable subscription = stores.feed().onJob(name, item -> {
            if (item.version() >= version) {
                context.runOnContext(v -> folded.tryComplete());
            }
        });
        long timer = s.vertx().setTimer(s.config().registrationTimeout().toMillis(), t -> {
            if (folded.tryComplete()) {
                log.warn("Job {} version {} is registered but this gateway's read model does not show it yet", name, version);
            }
        });
        replies.blocking(() -> {
            JobDefinition d = stores.job(name);
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

    // ---- read ----

    /** {@code GET /jobs}: the latest version of every job the caller may see, by name. */
    void list(RoutingContext ctx) {
        int limit = Requests.limit(ctx, s.config());
        String after = Requests.cursor(ctx, Requests.NAME);
        replies.ok(ctx, () -> {
            TreeMap<String, JobDefinition> all = new TreeMap<>(stores.latestJobs());
            List<JobResponses.Summary> items = new ArrayList<>();
            String next = null;
            for (JobDefinition d : (after == null ? all : all.tailMap(after, false)).values()) {
                if (!AccessControl.allows(ctx, d.getName())) {
                    continue;
                }
                if (items.size() == limit) {
                    next = items.get(items.size() - 1).name();
                    break;
                }
                items.add(JobResponses.Summary.of(d));
            }
            return Page.of(items, next, limit);
        });
    }

    /** {@code GET /jobs/{name}[?version=N]}. */
    void get(RoutingContext ctx) {
        String name = Requests.path(ctx, "name");
        String v = Requests.query(ctx, "version");
        Integer version = v == null ? null : Requests.intParam("version", v, 1, Integer.MAX_VALUE);
        replies.ok(ctx, () -> {
            JobDefinition latest = require(stores, name);
            JobDefinition d = latest;
            if (version != null && version != latest.getVersion()) {
                d = stores.jobVersion(name, version);
                if (d == null) {
                    throw ApiError.notFound("job '" + name + "' has no version " + version);
                }
            }
            List<Integer> versions = new ArrayList<>(stores.jobVersions(name));
            if (!versions.contains(latest.getVersion())) {
                versions.add(latest.getVersion());
            }
            return new JobResponses.Detail(JobResponses.Summary.of(d), latest.getVersion(), versions, JobWriter.toTree(d),
                    d.getSource());
        });
    }
}
