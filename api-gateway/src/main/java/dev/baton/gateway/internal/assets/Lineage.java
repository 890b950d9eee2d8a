package dev.baton.gateway.internal.assets;

import dev.baton.gateway.internal.api.AssetResponses;
import dev.baton.gateway.internal.readmodel.ApiViews;
import dev.baton.gateway.internal.readmodel.AssetSummary;
import dev.baton.jobs.AssetGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The neighbourhood of one asset in the lineage graph, N levels up and/or down, as the API shows it. */
public final class Lineage {
    private Lineage() {}

    /**
     * The assets reached and the edges among them.
     *
     * @param levels    asset → level: 0 the asset itself, -n n edges upstream, +n n edges downstream; in data-flow
     *                  order (most upstream first, then by key)
     * @param truncated some asset at the last level has neighbours further away in the direction walked
     */
    public record Walk(Map<String, Integer> levels, List<AssetGraph.Edge> edges, boolean truncated) {}

    /** Walks {@code depth} levels from {@code asset} (which need not be in the graph: then it stands alone). */
    public static Walk walk(AssetGraph graph, String asset, boolean up, boolean down, int depth) {
        Map<String, Set<String>> upstream = new HashMap<>();
        Map<String, Set<String>> downstream = new HashMap<>();
        for (AssetGraph.Edge e : graph.edges()) {
            upstream.computeIfAbsent(e.downstream(), k -> new TreeSet<>()).add(e.upstream());
            downstream.computeIfAbsent(e.upstream(), k -> new TreeSet<>()).add(e.downstream());
        }
        Map<String, Integer> levels = new HashMap<>();
        levels.put(asset, 0);
        boolean truncated = false;
        if (up) {
            truncated |= bfs(asset, upstream, depth, -1, levels);
        }
        if (down) {
            truncated |= bfs(asset, downstream, depth, 1, levels);
        }
        Map<String, Integer> ordered = new LinkedHashMap<>();
        levels.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> ordered.put(e.getKey(), e.getValue()));
        List<AssetGraph.Edge> edges = new ArrayList<>();
        for (AssetGraph.Edge e : graph.edges()) {
            if (levels.containsKey(e.upstream()) && levels.containsKey(e.downstream())) {
                edges.add(e);
            }
        }
        edges.sort(Comparator.comparing((AssetGraph.Edge e) -> levels.get(e.downstream()))
                .thenComparing(AssetGraph.Edge::downstream).thenComparing(AssetGraph.Edge::upstream));
        return new Walk(ordered, edges, truncated);
    }

    /** Breadth-first, nearest level first; returns whether the last level has neighbours beyond it. */
    private static boolean bfs(String start, Map<String, Set<String>> next, int depth, int sign, Map<String, Integer> levels) {
        List<String> frontier = List.of(start);
        for (int level = 1; level <= depth && !frontier.isEmpty(); level++) {
            List<String> following = new ArrayList<>();
            for (String a : frontier) {
                for (String n : next.getOrDefault(a, Set.of())) {
                    if (!levels.containsKey(n)) {
                        levels.put(n, sign * level);
                        following.add(n);
                    }
                }
            }
            frontier = following;
        }
        for (String a : frontier) {
            for (String n : next.getOrDefault(a, Set.of())) {
                if (!levels.containsKey(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A node: the asset, its level, who produces it (none for a source asset) and its latest materialization. */
    public static AssetResponses.Node node(String asset, int level, AssetCatalog catalog, AssetSummary summary) {
        AssetCatalog.Declaration d = catalog.declaration(asset).orElse(null);
        boolean source = d == null && catalog.graph().contains(asset); // named in deps, produced by no job
        boolean materialized = summary != null && summary.lastMaterialization != null;
        long failing = summary == null ? 0 : summary.checks.values().stream().filter(AssetSummary.Check::failing).count();
        return new AssetResponses.Node(asset, level, d == null ? null : d.job(), d == null ? null : d.step(),
                d == null ? null : d.spec().getGroup(), source ? Boolean.TRUE : null,
                materialized ? summary.lastMaterialization.get("materializationId") : null,
                materialized ? ApiViews.time(summary.lastMaterializedAt) : null,
                materialized ? summary.lastMaterialization.get("runId") : null, failing > 0 ? failing : null);
    }

    public static AssetResponses.Edge edge(AssetGraph.Edge e) {
        return new AssetResponses.Edge(e.upstream(), e.downstream(), e.kind().name(), e.job());
    }
}
