package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.CancelRun;
import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.internal.backfills.Backfill;
import dev.baton.gateway.internal.backfills.BackfillSubmitter;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Backfills: one run per partition of a range or list of a partitioned job ({@code POST /api/v1/jobs/{name}/backfills}),
 * their status with run counts, and cancel. The request is answered once the backfill's record is on Kafka; the run
 * requests follow from {@link BackfillSubmitter}, lazily and with bounded memory, so 50,000 partitions neither time
 * the request out nor sit in the gateway's heap.
 */
final class BackfillHandlers implements AutoCloseable {
    /** Ids a client may choose: they go into run keys and URLs. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}");
    /** Keys one request may list (a range has no limit). */
    static final int MAX_LISTED = 10_000;
    /** How often this gateway looks for backfills still submitting (after a restart, or another gateway's crash). */
    static final long RESUME_EVERY_MS = 30_000;

    private final Services s;
    private final ReadStores stores;
    private final Replies replies;
    private final Http http;
    private final BackfillSubmitter submitter;
    private io.vertx.core.Vertx timerOwner;
    private long resumeTimer = -1;

    BackfillHandlers(Services services, ReadStores stores, Replies replies) {
        this.s = services;
        this.stores = stores;
        this.replies = replies;
        this.http = replies.http();
        this.submitter = new BackfillSubmitter(s.topics(), s.producer(), s.readModel(), this::definition);
    }

    /** Starts the periodic resume pass (from the verticle's start: the router alone does not need it). */
    void startResuming(io.vertx.core.Vertx vertx) {
        timerOwner = vertx;
        resumeTimer = vertx.setPeriodic(RESUME_EVERY_MS, RESUME_EVERY_MS, id -> replies.blocking(() -> {
            if (s.readModel().ready()) {
                submitter.resume();
            }
            return null;
        }));
    }

    /** The answer to a backfill request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Created(String backfillId, String job, int jobVersion, long partitions, String from, String to, String status,
                   boolean duplicate) {}

    /** A backfill with the status of its partitions' runs (by API run status; NOT_STARTED: no run seen yet). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Status(Backfill backfill, Map<String, Long> runs, long finished, boolean done) {}

    record Page(List<Backfill> items) {}

    record Canceled(String backfillId, String status, long cancelRequested) {}

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
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        String requestedBy = who == null ? null : who.name();
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
            PartitionSet set = PartitionSet.of(def.getPartitions());
            Selection sel = listed != null ? list(set, listed) : range(set, from, to);
            String backfillId = givenId != null ? givenId : Backfill.derivedId(job, sel.from, sel.to, sel.keys, params, maxConcurrent);
            Backfill b = new Backfill(backfillId, job, def.getVersion(), sel.from, sel.to, sel.keys, sel.count, params,
                    Backfill.SUBMITTING, requestedBy, System.currentTimeMillis(), null, null, null, maxConcurrent);
            Backfill existing = stored(backfillId);
            boolean duplicate = false;
            if (existing != null) {
                if (!existing.sameSelection(b)) {
                    throw ApiError.conflict("backfill " + backfillId + " exists with another selection (job " + existing.job()
                            + ", " + describe(existing) + "); choose another backfillId");
                }
                if (Backfill.CANCELED.equals(existing.status())) {
                    throw ApiError.conflict("backfill " + backfillId + " was canceled; start a new one with another backfillId");
                }
                duplicate = true;
                b = existing; // same runs: its job version and time stay those of the first request
            } else {
                submitter.write(b);
            }
            Http.audit(ctx, "backfill", backfillId);
            if (!Backfill.SUBMITTED.equals(b.status())) {
                submitter.submit(b, b.requestedBy(), Http.requestId(ctx));
            }
            return new Created(backfillId, job, b.jobVersion(), b.count(), b.from(), b.to(), b.status(), duplicate);
        }).map(c -> {
            http.json(ctx, 202, c, Map.of("Location", "/api/v1/backfills/" + c.backfillId()));
            return null;
        }));
    }

    void list(RoutingContext ctx) {
        String job = ctx.request().getParam("job");
        replies.reply(ctx, replies.blocking(() -> {
            List<Backfill> items = new ArrayList<>();
            for (byte[] bytes : s.readModel().backfills()) {
                Backfill b = Json.read(bytes, Backfill.class);
                if ((job == null || job.equals(b.job())) && AccessControl.allows(ctx, b.job())) {
                    items.add(b);
                }
            }
            items.sort(Comparator.comparingLong(Backfill::requestedAt).reversed());
            return new Page(items);
        }).map(p -> {
            http.json(ctx, 200, p);
            return null;
        }));
    }

    void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        replies.reply(ctx, replies.blocking(() -> {
            Backfill b = visible(ctx, id);
            Map<String, Long> runs = new TreeMap<>();
            long finished = 0;
            for (Iterator<String> it = b.keys(set(b)); it.hasNext(); ) {
                RunView v = stores.run(b.runId(it.next())).orElse(null);
                String status = v == null ? "NOT_STARTED" : ApiStatus.run(v.status);
                runs.merge(status, 1L, Long::sum);
                if (v != null && v.finished()) {
                    finished++;
                }
            }
            boolean done = finished == b.count() || Backfill.CANCELED.equals(b.status()) && !runs.containsKey("RUNNING")
                    && !runs.containsKey("QUEUED") && !runs.containsKey("CANCELING");
            return new Status(b, runs, finished, done);
        }).map(st -> {
            http.json(ctx, 200, st);
            return null;
        }));
    }

    /** Stops launching (every gateway's submission sees the record) and asks each unfinished run to cancel. */
    void cancel(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        String actor = who == null ? null : who.name();
        replies.reply(ctx, replies.blocking(() -> {
            Backfill b = visible(ctx, id);
            Http.audit(ctx, "backfill", id);
            submitter.markCanceled(id);
            if (!Backfill.CANCELED.equals(b.status())) {
                b = b.canceled(actor, System.currentTimeMillis());
                submitter.write(b);
            }
            long asked = 0;
            for (Iterator<String> it = b.keys(set(b)); it.hasNext(); ) {
                String runId = b.runId(it.next());
                RunView v = stores.run(runId).orElse(null);
                if (v != null && v.finished()) {
                    continue;
                }
                // A run not seen yet may still be on its way: the command waits for it in the run's partition.
                ControlCommand c = ControlCommand.newBuilder()
                        .setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(Instant.now())
                        .setTraceId(Http.requestId(ctx)).setActor(actor)
                        .setCommand(new CancelRun("backfill " + id + " canceled", 30_000L))
                        .build();
                s.producer().kafkaProducer().send(new ProducerRecord<>(s.topics().runControl(), runId,
                        s.producer().serialize(s.topics().runControl(), c)));
                asked++;
            }
            s.producer().kafkaProducer().flush();
            return new Canceled(id, Backfill.CANCELED, asked);
        }).map(c -> {
            http.json(ctx, 202, c);
            return null;
        }));
    }

    @Override
    public void close() {
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

    private static ApiError problem(String path, String message) {
        return new ApiError(400, ApiError.INVALID_REQUEST, message,
                Map.of("problems", List.of(Requests.problem(path, message))));
    }

    private static String describe(Backfill b) {
        return b.partitions() != null ? b.partitions().size() + " listed partitions" : "from " + b.from() + " to " + b.to();
    }

    private Backfill stored(String id) {
        byte[] bytes = s.readModel().backfill(id);
        return bytes == null ? null : Json.read(bytes, Backfill.class);
    }

    private Backfill visible(RoutingContext ctx, String id) {
        Backfill b = stored(id);
        if (b == null || !AccessControl.allows(ctx, b.job())) {
            throw ApiError.notFound("no backfill " + id);
        }
        return b;
    }

    private PartitionSet set(Backfill b) {
        return PartitionSet.of(definition(b).getPartitions());
    }

    /** The job version the backfill runs. Blocking. */
    private JobDefinition definition(Backfill b) {
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
