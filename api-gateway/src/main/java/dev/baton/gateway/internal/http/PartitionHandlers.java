package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.events.AssetSpec;
import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.readmodel.PartitionIndex.AssetPartition;
import dev.baton.gateway.internal.readmodel.PartitionIndex.PartitionRun;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.jobs.Partition;
import dev.baton.jobs.PartitionSet;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Partition status per job ({@code GET /api/v1/jobs/{name}/partitions}) and per asset
 * ({@code GET /api/v1/assets/{key}/partitions}): the partitions in their order, a page at a time (the cursor is the
 * last key the page looked at, so pages stay in place while keys are added to or removed from a dynamic set; the
 * earlier cursor form, a position, is still read), each looked up in the per-partition records of the read model (latest run, latest materialization of
 * the asset and of its upstream assets). Memory per request is one page, whatever the number of partitions.
 */
final class PartitionHandlers {
    /** Partitions one request looks at, at most, when a status filter skips most of them (the cursor continues). */
    static final int SCAN_MAX = 10_000;
    /** The earlier cursor form: the position in the partitions' order (still accepted). */
    static final Pattern POSITION = Pattern.compile("\\d{1,12}");
    /** The cursor: {@code k:} and the last partition key a page looked at. */
    static final String KEY_CURSOR = "k:";
    static final Pattern CURSOR = Pattern.compile("\\d{1,12}|k:.+", Pattern.DOTALL);

    enum Status { MATERIALIZED, FAILED, MISSING, STALE, RUNNING }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StaleBecause(String asset, String partition, long materializedAt) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Item(String partition, Status status, String runId, Long updatedAt, StaleBecause staleBecause) {}

    private final GatewayConfig config;
    private final ReadStores stores;
    private final Replies replies;
    private final Http http;
    /** The keys of dynamic partition sets: a dynamic set lists its current keys. */
    private final dev.baton.gateway.internal.partitions.PartitionKeyStore partitionKeys;

    PartitionHandlers(GatewayConfig config, ReadStores stores, Replies replies,
                      dev.baton.gateway.internal.partitions.PartitionKeyStore partitionKeys) {
        this.partitionKeys = partitionKeys;
        this.config = config;
        this.stores = stores;
        this.replies = replies;
        this.http = replies.http();
    }

    void job(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Query q = query(ctx);
        if (!AccessControl.allows(ctx, name)) {
            throw ApiError.notFound("no job named '" + name + "' is registered");
        }
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition def = stores.job(name);
            if (def == null) {
                throw ApiError.notFound("no job named '" + name + "' is registered");
            }
            Map<String, Set<String>> produced = upstreamOf(def, null);
            return page(set(def), q, p -> jobStatus(name, p, produced));
        }).map(p -> {
            http.json(ctx, 200, p);
            return null;
        }));
    }

    void asset(RoutingContext ctx) {
        String key = Requests.assetKey(ctx);
        Query q = query(ctx);
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition producer = null;
            for (JobDefinition d : stores.jobs()) {
                if (d.getSteps().stream().anyMatch(st -> st.getProduces().stream().anyMatch(a -> a.getKey().equals(key)))) {
                    producer = d;
                    break;
                }
            }
            if (producer == null || !AccessControl.allows(ctx, producer.getName())) {
                throw ApiError.notFound("no job produces asset '" + key + "'");
            }
            String job = producer.getName();
            Set<String> upstream = upstreamOf(producer, key).getOrDefault(key, Set.of());
            return page(set(producer), q, p -> assetStatus(job, key, p, upstream));
        }).map(p -> {
            http.json(ctx, 200, p);
            return null;
        }));
    }

    // ---- status ----

    private static boolean running(PartitionRun r) {
        return r != null && (r.status().equals("QUEUED") || r.status().equals("RUNNING") || r.status().equals("CANCELING"));
    }

    private Item jobStatus(String job, String p, Map<String, Set<String>> produced) {
        PartitionRun run = stores.partitionRun(job, p);
        if (running(run)) {
            return new Item(p, Status.RUNNING, run.runId(), run.updatedAt(), null);
        }
        if (run != null && run.status().equals("FAILED")) {
            return new Item(p, Status.FAILED, run.runId(), run.updatedAt(), null);
        }
        if (produced.isEmpty()) {
            return run != null && run.status().equals("SUCCEEDED")
                    ? new Item(p, Status.MATERIALIZED, run.runId(), run.updatedAt(), null)
                    : new Item(p, Status.MISSING, run == null ? null : run.runId(), run == null ? null : run.updatedAt(), null);
        }
        Item worst = null;
        for (Map.Entry<String, Set<String>> a : produced.entrySet()) {
            Item i = materialized(p, a.getKey(), a.getValue());
            if (worst == null || i.status() == Status.MISSING || i.status() == Status.STALE && worst.status() != Status.MISSING) {
                worst = i;
            }
        }
        return worst;
    }

    private Item assetStatus(String job, String asset, String p, Set<String> upstream) {
        PartitionRun run = stores.partitionRun(job, p);
        AssetPartition m = stores.assetPartition(asset, p);
        boolean newerRun = run != null && (m == null || run.requestedAt() > m.materializedAt());
        if (newerRun && running(run)) {
            return new Item(p, Status.RUNNING, run.runId(), run.updatedAt(), null);
        }
        if (newerRun && run.status().equals("FAILED")) {
            return new Item(p, Status.FAILED, run.runId(), run.updatedAt(), null);
        }
        return materialized(p, asset, upstream);
    }

    /** MISSING, STALE (an upstream asset's same partition materialized after it) or MATERIALIZED. */
    private Item materialized(String p, String asset, Set<String> upstream) {
        AssetPartition m = stores.assetPartition(asset, p);
        if (m == null) {
            return new Item(p, Status.MISSING, null, null, null);
        }
        Set<String> all = new LinkedHashSet<>(upstream);
        all.addAll(m.upstream());
        for (String u : all) {
            AssetPartition up = stores.assetPartition(u, p);
            if (up != null && up.materializedAt() > m.materializedAt()) {
                return new Item(p, Status.STALE, m.runId(), m.materializedAt(), new StaleBecause(u, p, up.materializedAt()));
            }
        }
        return new Item(p, Status.MATERIALIZED, m.runId(), m.materializedAt(), null);
    }

    /**
     * The assets a job produces (or only {@code onlyAsset}), each with its declared upstream: its {@code deps} and the
     * assets of the steps its step needs.
     */
    static Map<String, Set<String>> upstreamOf(JobDefinition def, String onlyAsset) {
        Map<String, List<String>> byStep = new LinkedHashMap<>();
        for (StepDefinition st : def.getSteps()) {
            byStep.put(st.getKey(), st.getProduces().stream().map(AssetSpec::getKey).toList());
        }
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (StepDefinition st : def.getSteps()) {
            for (AssetSpec a : st.getProduces()) {
                if (onlyAsset != null && !onlyAsset.equals(a.getKey())) {
                    continue;
                }
                Set<String> up = new LinkedHashSet<>(a.getDeps());
                st.getNeeds().forEach(n -> up.addAll(byStep.getOrDefault(n, List.of())));
                up.remove(a.getKey());
                out.putIfAbsent(a.getKey(), up);
            }
        }
        return out;
    }

    // ---- paging ----

    /**
     * @param after    continue after this partition key (the cursor), or null
     * @param position continue at this position (the earlier cursor form), when {@code after} is null
     */
    private record Query(String after, long position, int limit, Status status) {}

    private Query query(RoutingContext ctx) {
        int limit = Requests.limit(ctx, config);
        String c = Requests.cursor(ctx, CURSOR);
        String st = ctx.request().getParam("status");
        Status status = null;
        if (st != null) {
            try {
                status = Status.valueOf(st.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, ApiError.INVALID_REQUEST, "status must be one of MATERIALIZED, FAILED, MISSING, STALE, RUNNING",
                        Map.of("problems", List.of(Requests.problem("status", "unknown status '" + st + "'"))));
            }
        }
        if (c != null && c.startsWith(KEY_CURSOR)) {
            return new Query(c.substring(KEY_CURSOR.length()), 0, limit, status);
        }
        return new Query(null, c == null ? 0 : Long.parseLong(c), limit, status);
    }

    private PartitionSet set(JobDefinition def) {
        if (def.getPartitions() == null) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "job '" + def.getName() + "' is not partitioned",
                    Map.of("problems", List.of(Requests.problem("name", "job '" + def.getName() + "' has no partitions"))));
        }
        return PartitionSet.of(def.getPartitions(), new dev.baton.gateway.internal.partitions.StoreKeys(partitionKeys));
    }

    private static Page<Item> page(PartitionSet set, Query q, java.util.function.Function<String, Item> status) {
        Instant now = Instant.now();
        Iterator<Partition> it;
        if (q.after() != null) {
            try {
                it = set.after(q.after(), now);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, ApiError.INVALID_REQUEST, "invalid cursor: " + e.getMessage()
                        + " (the job's partitions changed; start again without a cursor)",
                        Map.of("problems", List.of(Requests.problem("cursor", e.getMessage()))));
            }
        } else {
            it = set.range(null, null, now);
            for (long pos = 0; pos < q.position() && it.hasNext(); pos++) {
                it.next();
            }
        }
        List<Item> items = new ArrayList<>();
        long scanned = 0;
        String last = null;
        while (it.hasNext() && items.size() < q.limit() && scanned < SCAN_MAX) {
            last = it.next().key();
            Item i = status.apply(last);
            scanned++;
            if (q.status() == null || q.status() == i.status()) {
                items.add(i);
            }
        }
        return Page.of(items, it.hasNext() && last != null ? KEY_CURSOR + last : null, q.limit());
    }
}
