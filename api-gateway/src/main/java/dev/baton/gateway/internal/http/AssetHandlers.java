package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.events.AssetCheckSpec;
import dev.baton.events.AssetSpec;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.AssetResponses;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.assets.AssetCatalog;
import dev.baton.gateway.internal.assets.Lineage;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ApiViews;
import dev.baton.gateway.internal.readmodel.AssetSummary;
import dev.baton.gateway.internal.readmodel.AssetViews;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadStores;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assets and lineage: the assets every job declares or that were materialized, one asset with its checks and
 * materializations, its check history, and its neighbourhood in the lineage graph. Declarations come from the latest
 * version of every job ({@link AssetCatalog}), state from the read model.
 */
final class AssetHandlers {
    /** Deepest lineage a single call walks: deeper graphs are paged by asking again from a frontier node. */
    static final int MAX_LINEAGE_DEPTH = 10;

    private final GatewayConfig config;
    private final ReadStores stores;
    private final Replies replies;

    AssetHandlers(GatewayConfig config, ReadStores stores, Replies replies) {
        this.config = config;
        this.stores = stores;
        this.replies = replies;
    }

    /** The assets and lineage graph of the latest version of every job. Blocking. */
    private AssetCatalog catalog() {
        return AssetCatalog.of(stores.latestJobs().values());
    }

    private static ApiError noAsset(String key) {
        return ApiError.notFound("no asset " + key + " (not declared by any job and never materialized)");
    }

    static AssetResponses.DeclaredBy declaredBy(AssetCatalog.Declaration d) {
        AssetSpec a = d.spec();
        return new AssetResponses.DeclaredBy(d.job(), d.step(), a.getGroup(), a.getDescription(), a.getDeps(), a.getOwners(),
                a.getChecks().stream().map(AssetCheckSpec::getName).toList(), a.getFreshnessMaxLagMs());
    }

    /** The fields an asset has in the list and in its detail: declaration, latest materialization, freshness. */
    static AssetResponses.Asset asset(String key, AssetCatalog.Declaration decl, AssetSummary a, long now) {
        AssetSpec spec = decl == null ? null : decl.spec();
        return new AssetResponses.Asset(key, decl == null ? null : declaredBy(decl), spec == null ? null : spec.getGroup(),
                spec == null ? null : spec.getOwners(), spec == null ? null : spec.getDescription(),
                a == null ? 0L : a.materializationCount, a == null ? null : ApiViews.time(a.lastMaterializedAt),
                a == null ? null : a.lastMaterialization,
                AssetViews.freshness(a, spec == null ? null : spec.getFreshnessMaxLagMs(), now),
                a == null ? 0 : a.checks.values().stream().filter(AssetSummary.Check::failing).count());
    }

    /** {@code GET /assets}: declared and materialized assets, by key. */
    void list(RoutingContext ctx) {
        int limit = Requests.limit(ctx, config);
        String after = Requests.cursor(ctx, Requests.ASSET_KEY);
        replies.ok(ctx, () -> {
            long now = System.currentTimeMillis();
            AssetCatalog catalog = catalog();
            TreeMap<String, AssetSummary> summaries = new TreeMap<>();
            stores.assets().forEach(a -> summaries.put(a.assetKey, a));
            TreeMap<String, Boolean> keys = new TreeMap<>();
            catalog.declarations().keySet().forEach(k -> keys.put(k, true));
            summaries.keySet().forEach(k -> keys.put(k, true));
            List<AssetResponses.Asset> items = new ArrayList<>();
            String next = null;
            for (String k : (after == null ? keys : keys.tailMap(after, false)).keySet()) {
                if (items.size() == limit) {
                    next = items.get(items.size() - 1).assetKey();
                    break;
                }
                items.add(asset(k, catalog.declaration(k).orElse(null), summaries.get(k), now));
            }
            return Page.of(items, next, limit);
        });
    }

    /** Latest result of each check: the declared checks in declaration order, then any others by name. */
    static List<AssetResponses.LatestCheck> latestChecks(AssetCatalog.Declaration decl, AssetSummary a) {
        Map<String, AssetSummary.Check> results = new TreeMap<>(a == null ? Map.of() : a.checks);
        List<AssetResponses.LatestCheck> out = new ArrayList<>();
        if (decl != null) {
            for (AssetCheckSpec c : decl.spec().getChecks()) {
                AssetSummary.Check r = results.remove(c.getName());
                if (r == null) {
                    out.add(AssetResponses.LatestCheck.declared(c.getName(), c.getSeverity().name(), c.getExpression()));
                } else {
                    // declaredSeverity: the declaration changed since the evaluation
                    out.add(AssetResponses.LatestCheck.evaluated(AssetViews.check(r), c.getExpression(),
                            r.severity.equals(c.getSeverity().name()) ? null : c.getSeverity().name()));
                }
            }
        }
        results.values().forEach(r -> out.add(AssetResponses.LatestCheck.evaluated(AssetViews.check(r), null, null)));
        return out;
    }

    /** {@code GET /assets/{key}}: the asset with its checks and a page of materializations (each with its check results). */
    void get(RoutingContext ctx) {
        String key = Requests.assetKey(ctx);
        int limit = Requests.limit(ctx, config);
        String after = Requests.cursor(ctx, Requests.TIME_ORDER);
        replies.ok(ctx, () -> {
            AssetCatalog.Declaration decl = catalog().declaration(key).orElse(null);
            AssetSummary a = stores.asset(key);
            if (decl == null && a == null) {
                throw noAsset(key);
            }
            ReadModel.Page<byte[]> page = stores.materializations(key, after, limit);
            List<JsonNode> items = new ArrayList<>();
            for (byte[] b : page.items()) {
                ObjectNode n = (ObjectNode) Json.tree(b);
                var checks = n.putArray("checks");
                stores.checksOf(key, n.path("materializationId").asText()).forEach(c -> checks.add(Json.tree(c)));
                items.add(n);
            }
            // lastMaterialization is left out: it is the first of the materializations
            return new AssetResponses.Detail(asset(key, decl, a, System.currentTimeMillis()).withoutLastMaterialization(),
                    latestChecks(decl, a), items, Page.encodeCursor(page.nextCursor()));
        });
    }

    /** {@code GET /assets/{key}/checks}: the asset's check evaluations, newest first. */
    void checks(RoutingContext ctx) {
        String key = Requests.assetKey(ctx);
        int limit = Requests.limit(ctx, config);
        String after = Requests.cursor(ctx, Requests.TIME_ORDER);
        replies.ok(ctx, () -> {
            if (catalog().declaration(key).isEmpty() && stores.asset(key) == null) {
                throw noAsset(key);
            }
            ReadModel.Page<byte[]> page = stores.checks(key, after, limit);
            List<JsonNode> items = new ArrayList<>();
            page.items().forEach(b -> items.add(Json.tree(b)));
            return new AssetResponses.Checks(key, items, limit, Page.encodeCursor(page.nextCursor()));
        });
    }

    /** {@code GET /assets/{key}/lineage[?direction=up|down|both&depth=N]}. */
    void lineage(RoutingContext ctx) {
        String key = Requests.assetKey(ctx);
        String d = Requests.query(ctx, "direction");
        String direction = d == null ? "both" : d.toLowerCase(Locale.ROOT);
        if (!List.of("up", "down", "both").contains(direction)) {
            throw ApiError.badRequest("direction must be up, down or both");
        }
        int depth = Requests.intParam("depth", Requests.query(ctx, "depth"), 1, MAX_LINEAGE_DEPTH, 1);
        replies.ok(ctx, () -> {
            AssetCatalog catalog = catalog();
            AssetSummary root = stores.asset(key);
            if (!catalog.graph().contains(key) && root == null) {
                throw noAsset(key);
            }
            Lineage.Walk walk = Lineage.walk(catalog.graph(), key, !direction.equals("down"), !direction.equals("up"), depth);
            List<AssetResponses.Node> nodes = new ArrayList<>();
            walk.levels().forEach((asset, level) ->
                    nodes.add(Lineage.node(asset, level, catalog, asset.equals(key) ? root : stores.asset(asset))));
            return new AssetResponses.Lineage(key, direction, depth, nodes, walk.edges().stream().map(Lineage::edge).toList(),
                    walk.truncated(), catalog.excluded().isEmpty() ? null : catalog.excluded());
        });
    }
}
