package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.BackfillCanceled;
import dev.baton.events.BackfillEvent;
import dev.baton.events.BackfillPaused;
import dev.baton.events.BackfillRequested;
import dev.baton.events.BackfillResumed;
import dev.baton.events.BackfillRetryRequested;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.backfills.BackfillFold;
import dev.baton.gateway.internal.backfills.BackfillMetrics;
import dev.baton.gateway.internal.backfills.BackfillOutput;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.backfills.BackfillSubmitter;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.jobs.Partition;
import dev.baton.jobs.PartitionSet;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Backfills: one run per partition of a range or list of a partitioned job ({@code POST /api/v1/jobs/{name}/backfills}),
 * their state (the fold of their events, read through {@link ReadStores}), and the commands pause, resume,
 * retry-failed and cancel, each recorded as a backfill event. The request is answered once its event is on Kafka; the
 * runs follow from {@link BackfillSubmitter}, lazily, with at most {@code maxConcurrent} in flight.
 */
final class BackfillHandlers implements AutoCloseable {
    /** Ids a client may choose: they go into run keys and URLs. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}");
    /** Keys one request may list (a range has no limit). */
    static final int MAX_LISTED = 10_000;
    /** How often the driving gateway looks for running backfills it does not drive yet (after a restart, or when it took the driving over). */
    static final long RESUME_EVERY_MS = 10_000;

    private final Services s;
    private final ReadStores stores;
    private final Replies replies;
    private final Http http;
    private final BackfillSubmitter submitter;
    private final BackfillMetrics metrics;
    /** The keys of dynamic partition sets: a backfill of a dynamic set covers keys current when it is requested. */
    private final dev.baton.gateway.internal.partitions.PartitionKeyStore partitionKeys;
    private io.vertx.core.Vertx timerOwner;
    private long resumeTimer = -1;
    private AutoCloseable feedSubscription;

    BackfillHandlers(Services services, ReadStores stores, Replies replies, BackfillOutput output,
                     dev.baton.gateway.internal.partitions.PartitionKeyStore partitionKeys) {
        this.partitionKeys = partitionKeys;
        this.s = services;
        this.stores = stores;
        this.replies = replies;
        this.http = replies.http();
        this.metrics = new BackfillMetrics(services.meters());
        this.submitter = new BackfillSubmitter(output, stores, this::definition,
                b -> metrics.finished(b.job(), b.outcome().name().toLowerCase(java.util.Locale.ROOT), b.completedAt() - b.requestedAt()),
                services.drivesBackfills() == null ? () -> true : services.drivesBackfills());
    }

    /**
     * Starts the periodic resume pass (from the verticle's start: the router alone does not need it), and drives a
     * backfill as soon as the read model shows it running, wherever it was requested, resumed or retried (a no-op unless
     * this gateway is the driver, or when it drives it already).
     */
    void startResuming(io.vertx.core.Vertx vertx) {
        timerOwner = vertx;
        if (s.readModel() != null) {
            feedSubscription = s.readModel().feed().onBackfills(b -> {
                if (BackfillState.Status.RUNNING.name().equals(b.status())) {
                    submitter.submit(b.id());
                }
            });
        }
        resumeTimer = vertx.setPeriodic(1_000, RESUME_EVERY_MS, id -> replies.blocking(() -> {
            if (s.readModel() == null || s.readModel().ready()) {
                submitter.resume();
            }
            return null;
        }));
    }

    /** The answer to a backfill request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Created(String backfillId, String job, int jobVersion, long partitions, String from, String to, String status,
                   boolean duplicate) {}

    /** A backfill as the API shows it: its folded state with its progress. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record View(String id, String job, int jobVersion, String from, String to, List<String> partitions, long count,
                Map<String, String> params, String status, String outcome, int round, String requestedBy, long requestedAt,
                String pausedBy, Long pausedAt, String canceledBy, Long canceledAt, Long completedAt, int maxConcurrent,
                Progress progress, List<String> inFlight) {
        static View of(BackfillState b) {
            return new View(b.id(), b.job(), b.jobVersion(), b.from(), b.to(), b.partitions(), b.count(), b.params(),
                    b.status().name(), b.outcome() == null ? null : b.outcome().name(), b.round(), b.requestedBy(),
                    b.requestedAt(), b.pausedBy(), b.pausedAt(), b.canceledBy(), b.canceledAt(), b.completedAt(),
                    b.maxConcurrent(), Progress.of(b), List.copyOf(b.inFlight().keySet()));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Progress(long total, long launched, long succeeded, long failed, long canceled, long running, long remaining,
                    long done, double ratePerSecond, Long startedAt, Long updatedAt) {
        static Progress of(BackfillState b) {
            long done = b.done();
            long running = b.running();
            double rate = 0;
            if (b.startedAt() != null && b.updatedAt() > b.startedAt()) {
                rate = Math.round(done * 1000.0 / (b.updatedAt() - b.startedAt()) * 100) / 100.0;
            }
            return new Progress(b.count(), b.launched(), b.succeeded(), b.failed(), b.canceled(), running,
                    Math.max(0, b.count() - done - running), done, rate, b.startedAt(), b.updatedAt());
        }
    }

    /**
     * One backfill; {@code runs} (partitions by the status of their current run, from the counters), {@code finished}
     * and {@code done} kept from the first version of this answer.
     */
    record Status(View backfill, Map<String, Long> runs, long finished, boolean done) {
        static Status of(BackfillState b) {
            Map<String, Long> runs = new java.util.LinkedHashMap<>();
            runs.put("SUCCEEDED", b.succeeded());
            runs.put("FAILED", b.failed());
            runs.put("CANCELED", b.canceled());
            runs.put("RUNNING", b.running());
            runs.put("NOT_STARTED", Math.max(0, b.count() - b.launched()));
            return new Status(View.of(b), runs, b.done(), b.finished());
        }
    }

    record Page(List<View> items) {}

    record Canceled(String backfillId, String status, long cancelRequested) {}

    /** The answer to pause, resume and retry-failed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Changed(String backfillId, String status, Long retried, Integer round) {}

    void create(RoutingContext ctx) {
        String job = ctx.pathParam("name");
        JsonNode body = Requests.jsonBody(ctx);
        String from = Requests.text(body, "from");
        String to = Requests.text(body, "to");
        List<String> listed = keys(body);
        Map<String, String> params = Requests.stringMap(body, "params", false);
        Integer maxConcurrent = maxConcurrent(body);
        String id = Requests.text(body, "backfillId");
        if (id == null) {
            id = ctx.request().getHeader("Idempotency-Key");
        }
        if (id != null && !ID.matcher(id).matches()) {
            throw problem("backfillId", "'" + id + "' is not a valid backfill id (letters, digits and _ . : -, at most 100 characters)");
        }
        if (listed != null && (from != null || to != null)) {
            throw problem("partitions", "give either partitions or a range (from, to), not both");
        }
        String requestedBy = actor(ctx);
        String givenId = id;
        Http.audit(ctx, "job", job);
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition def = stores.job(job);
            if (def == null) {
                throw ApiError.notFound("no job named '" + job + "' is registered");
            }
            if (def.getPartitions() == null) {
                throw problem("job", "job '" + job + "' is not partitioned: a backfill needs partitions (docs/jobs.md#partitions)");
            }
            RunHandlers.checkParams(def, params);
            PartitionSet set = PartitionSet.of(def.getPartitions(), new dev.baton.gateway.internal.partitions.StoreKeys(partitionKeys));
            Selection sel = listed != null ? list(set, listed) : set.dynamic() ? dynamicRange(set, from, to) : range(set, from, to);
            String backfillId = givenId != null ? givenId : BackfillState.derivedId(job, sel.from, sel.to, sel.keys, params, maxConcurrent);
            Http.audit(ctx, "backfill", backfillId);
            BackfillState existing = stores.backfill(backfillId);
            if (existing != null) {
                if (!existing.sameSelection(job, sel.from, sel.to, sel.keys, params)) {
                    throw ApiError.conflict("backfill " + backfillId + " exists with another selection (job " + existing.job()
                            + ", " + describe(existing) + "); choose another backfillId");
                }
                if (existing.status() == BackfillState.Status.CANCELED) {
                    throw ApiError.conflict("backfill " + backfillId + " was canceled; start a new one with another backfillId");
                }
                if (existing.status() == BackfillState.Status.RUNNING) {
                    submitter.submit(backfillId); // a no-op when this gateway drives it already
                }
                return new Created(backfillId, job, existing.jobVersion(), existing.count(), existing.from(), existing.to(),
                        existing.status().name(), true);
            }
            int limit = maxConcurrent != null ? maxConcurrent : s.config().getInt(GatewayConfig.BACKFILL_MAX_CONCURRENT);
            submitter.append(BackfillSubmitter.event(backfillId, Http.requestId(ctx), new BackfillRequested(job, def.getVersion(),
                    sel.from, sel.to, sel.keys, sel.count, params, limit, requestedBy)));
            submitter.submit(backfillId);
            return new Created(backfillId, job, def.getVersion(), sel.count, sel.from, sel.to, BackfillState.Status.RUNNING.name(), false);
        }).map(c -> {
            http.json(ctx, 202, c, Map.of("Location", "/api/v1/backfills/" + c.backfillId()));
            return null;
        }));
    }

    void list(RoutingContext ctx) {
        String job = ctx.request().getParam("job");
        replies.reply(ctx, replies.blocking(() -> {
            List<BackfillState> items = new ArrayList<>();
            for (BackfillState b : stores.backfills()) {
                if ((job == null || job.equals(b.job())) && AccessControl.allows(ctx, b.job())) {
                    items.add(b);
                }
            }
            items.sort(Comparator.comparingLong(BackfillState::requestedAt).reversed().thenComparing(BackfillState::id));
            return new Page(items.stream().map(View::of).toList());
        }).map(p -> {
            http.json(ctx, 200, p);
            return null;
        }));
    }

    void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        replies.ok(ctx, () -> Status.of(visible(ctx, id)));
    }

    /** What a state change does to one backfill the caller may see: checks its state, appends its event, says what it did. */
    @FunctionalInterface
    private interface Change {
        Object apply(BackfillState b, String id, String actor) throws Exception;
    }

    /** Answers 202 with what {@code change} did to the backfill of the path, audited. */
    private void change(RoutingContext ctx, Change change) {
        String id = ctx.pathParam("id");
        String actor = actor(ctx);
        replies.reply(ctx, replies.blocking(() -> {
            BackfillState b = visible(ctx, id);
            Http.audit(ctx, "backfill", id);
            return change.apply(b, id, actor);
        }).map(c -> {
            http.json(ctx, 202, c);
            return null;
        }));
    }

    /** Stops launching (the submitter sees the event) and asks each run in flight to cancel. */
    void cancel(RoutingContext ctx) {
        change(ctx, (b, id, actor) -> switch (b.status()) {
            case CANCELED -> new Canceled(id, b.status().name(), 0);
            case COMPLETED -> throw ApiError.conflict("backfill " + id + " is completed; nothing to cancel");
            case RUNNING, PAUSED -> {
                BackfillEvent e = BackfillSubmitter.event(id, Http.requestId(ctx),
                        new BackfillCanceled(actor, (long) b.inFlight().size()));
                submitter.append(e);
                BackfillState after = BackfillFold.apply(b, e).state();
                metrics.finished(b.job(), "canceled", after.canceledAt() - after.requestedAt());
                long asked = submitter.cancelRuns(b, "backfill " + id + " canceled");
                submitter.submit(id); // records the ends of the partitions in flight
                yield new Canceled(id, BackfillState.Status.CANCELED.name(), asked);
            }
        });
    }

    void pause(RoutingContext ctx) {
        change(ctx, (b, id, actor) -> {
            if (b.status() != BackfillState.Status.RUNNING) {
                throw ApiError.conflict("backfill " + id + " is " + b.status() + "; only a running backfill can be paused");
            }
            submitter.append(BackfillSubmitter.event(id, Http.requestId(ctx), new BackfillPaused(actor)));
            return new Changed(id, BackfillState.Status.PAUSED.name(), null, null);
        });
    }

    void resume(RoutingContext ctx) {
        change(ctx, (b, id, actor) -> {
            if (b.status() != BackfillState.Status.PAUSED) {
                throw ApiError.conflict("backfill " + id + " is " + b.status() + "; only a paused backfill can be resumed");
            }
            submitter.append(BackfillSubmitter.event(id, Http.requestId(ctx), new BackfillResumed(actor)));
            submitter.submit(id);
            return new Changed(id, BackfillState.Status.RUNNING.name(), null, null);
        });
    }

    void retryFailed(RoutingContext ctx) {
        change(ctx, (b, id, actor) -> {
            if (b.status() != BackfillState.Status.COMPLETED) {
                throw ApiError.conflict("backfill " + id + " is " + b.status() + "; retry-failed needs a completed backfill");
            }
            if (b.failed() == 0) {
                throw ApiError.conflict("backfill " + id + " has no failed partition");
            }
            int round = b.round() + 1;
            submitter.append(BackfillSubmitter.event(id, Http.requestId(ctx), new BackfillRetryRequested(round, b.failed(), actor)));
            submitter.submit(id);
            return new Changed(id, BackfillState.Status.RUNNING.name(), b.failed(), round);
        });
    }

    @Override
    public void close() {
        if (feedSubscription != null) {
            try {
                feedSubscription.close();
            } catch (Exception e) {
                // the feed only drops the listener
            }
        }
        if (resumeTimer >= 0) {
            timerOwner.cancelTimer(resumeTimer);
        }
        submitter.close();
    }

    // ---- helpers ----

    private record Selection(String from, String to, List<String> keys, long count) {}

    private static Integer maxConcurrent(JsonNode body) {
        JsonNode n = body.get("maxConcurrent");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > MAX_LISTED) {
            throw problem("maxConcurrent", "must be a whole number from 1 to " + MAX_LISTED);
        }
        return n.asInt();
    }

    private static List<String> keys(JsonNode body) {
        JsonNode n = body.get("partitions");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw problem("partitions", "must be a non-empty list of partition keys");
        }
        if (n.size() > MAX_LISTED) {
            throw problem("partitions", "at most " + MAX_LISTED + " keys per request; use a range (from, to) for more");
        }
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        for (JsonNode k : n) {
            if (!k.isTextual()) {
                throw problem("partitions", "every partition key must be a string");
            }
            keys.add(k.asText());
        }
        return List.copyOf(keys);
    }

    private static Selection list(PartitionSet set, List<String> keys) {
        List<Requests.Problem> problems = new ArrayList<>();
        for (int i = 0; i < keys.size() && problems.size() < 20; i++) {
            try {
                set.partition(keys.get(i));
            } catch (IllegalArgumentException e) {
                problems.add(Requests.problem("partitions[" + i + "]", e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, problems.get(0).message()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""), Map.of("problems", problems));
        }
        return new Selection(null, null, keys, keys.size());
    }

    /** Resolves an open range to the keys it has now, so the backfill does not grow with time. */
    private static Selection range(PartitionSet set, String from, String to) {
        PartitionSet.Dimension rd = set.rangeDimension();
        Iterator<Partition> it;
        try {
            it = set.range(from, to, Instant.now());
        } catch (IllegalArgumentException e) {
            String path = from != null && e.getMessage().contains("'" + from + "'") ? "from" : "to";
            throw problem(path, e.getMessage());
        }
        long count = 0;
        String first = null;
        String last = null;
        while (it.hasNext()) {
            Partition p = it.next();
            String k = set.multiDimensional() ? p.dimensions().get(rd.name()).key() : p.key();
            if (first == null) {
                first = k;
            }
            last = k;
            count++;
        }
        if (count == 0) {
            throw problem("to", "the range has no partitions (an open-ended time window counts only windows that have ended)");
        }
        return new Selection(first, last, null, count);
    }

    /**
     * A range of a set with a dynamic dimension, resolved now to the list of its keys (recorded as a listed backfill:
     * from and to stay null): the set's keys change, so a backfill keeps the keys current when it was requested (one
     * run each), never a position in a changing order. No bounds: every current key (for date × dynamic: every
     * current key for each date).
     */
    private static Selection dynamicRange(PartitionSet set, String from, String to) {
        Iterator<Partition> it;
        try {
            it = set.range(from, to, Instant.now());
        } catch (IllegalArgumentException e) {
            String path = from != null && e.getMessage().contains("'" + from + "'") ? "from" : "to";
            throw problem(path, e.getMessage());
        }
        String path = from != null || to != null ? "to" : "partitions";
        List<String> keys = new ArrayList<>();
        while (it.hasNext()) {
            if (keys.size() >= MAX_LISTED) {
                throw problem(path, "the selection has more than " + MAX_LISTED + " partitions of a dynamic partition set;"
                        + " a backfill keeps them as a list, so backfill it in parts (partitions, or a narrower from/to)");
            }
            keys.add(it.next().key());
        }
        if (keys.isEmpty()) {
            String sets = String.join(", ", set.dimensions().stream().filter(d -> d instanceof PartitionSet.DynamicDimension)
                    .map(d -> "'" + ((PartitionSet.DynamicDimension) d).set() + "'").toList());
            throw problem(path, "the selection has no partitions: dynamic partition set " + sets + " has no keys"
                    + (set.multiDimensional() ? " (or the range has no windows)" : "") + "; add keys with baton partitions add");
        }
        return new Selection(null, null, keys, keys.size());
    }

    private static ApiError problem(String path, String message) {
        return new ApiError(400, ApiError.INVALID_REQUEST, message,
                Map.of("problems", List.of(Requests.problem(path, message))));
    }

    private static String actor(RoutingContext ctx) {
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        return who == null ? null : who.name();
    }

    private static String describe(BackfillState b) {
        return b.partitions() != null ? b.partitions().size() + " listed partitions" : "from " + b.from() + " to " + b.to();
    }

    private BackfillState visible(RoutingContext ctx, String id) {
        BackfillState b = stores.backfill(id);
        if (b == null || !AccessControl.allows(ctx, b.job())) {
            throw ApiError.notFound("no backfill " + id);
        }
        return b;
    }

    /** The job version the backfill runs. Blocking. */
    private JobDefinition definition(BackfillState b) {
        JobDefinition def = stores.jobVersion(b.job(), b.jobVersion());
        if (def == null) {
            def = stores.job(b.job());
        }
        if (def == null || def.getPartitions() == null) {
            throw ApiError.conflict("job " + b.job() + " version " + b.jobVersion() + " of backfill " + b.id()
                    + " is no longer available as a partitioned job");
        }
        return def;
    }
}
