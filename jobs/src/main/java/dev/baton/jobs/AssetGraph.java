package dev.baton.jobs;

import dev.baton.events.AssetSpec;
import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The asset lineage graph over a set of jobs. Pure and immutable.
 *
 * <p>Nodes are asset keys: every asset some step produces, and every key named in {@code deps} (a key nobody
 * produces is a source asset). Edges point downstream, from an input to what is made from it:
 * <ul>
 *   <li>explicit: each key in an asset's {@code deps};</li>
 *   <li>inferred: inside a job, a step's assets are downstream of the assets of its nearest producing upstream
 *       steps (following {@code needs}; a step that produces nothing is looked through).</li>
 * </ul>
 * Building fails with {@link AssetGraphException} when an asset has two producers or the graph has a cycle.
 */
public final class AssetGraph {

    /** The job and step that materialize an asset. */
    public record Producer(String job, String step) {}

    public enum EdgeKind { EXPLICIT, INFERRED }

    /** An edge from {@code upstream} to {@code downstream}, declared or inferred in {@code job}. */
    public record Edge(String upstream, String downstream, EdgeKind kind, String job) {}

    private final Set<String> assets;
    private final Map<String, Producer> producers;
    private final List<Edge> edges;
    private final Map<String, Set<String>> up;
    private final Map<String, Set<String>> down;

    private AssetGraph(Set<String> assets, Map<String, Producer> producers, List<Edge> edges) {
        this.assets = Collections.unmodifiableSet(assets);
        this.producers = Collections.unmodifiableMap(producers);
        this.edges = List.copyOf(edges);
        Map<String, Set<String>> u = new HashMap<>();
        Map<String, Set<String>> d = new HashMap<>();
        for (String a : assets) {
            u.put(a, new TreeSet<>());
            d.put(a, new TreeSet<>());
        }
        for (Edge e : edges) {
            u.get(e.downstream()).add(e.upstream());
            d.get(e.upstream()).add(e.downstream());
        }
        this.up = u;
        this.down = d;
    }

    /**
     * Builds the graph.
     *
     * @param jobs one version per job name
     * @throws AssetGraphException naming every asset with more than one producer and every cycle
     * @throws IllegalArgumentException when a job name occurs twice
     */
    public static AssetGraph of(Collection<JobDefinition> jobs) {
        Set<String> assets = new TreeSet<>();
        Map<String, Producer> producers = new TreeMap<>();
        Map<String, List<Producer>> conflicts = new TreeMap<>();
        Map<List<String>, Edge> edges = new LinkedHashMap<>();
        List<JobDefinition> ordered = new ArrayList<>(jobs);
        ordered.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (int i = 1; i < ordered.size(); i++) {
            if (ordered.get(i).getName().equals(ordered.get(i - 1).getName())) {
                throw new IllegalArgumentException("job '" + ordered.get(i).getName()
                        + "' is given more than once; pass one version per job");
            }
        }
        for (JobDefinition job : ordered) {
            for (StepDefinition step : job.getSteps()) {
                for (AssetSpec asset : step.getProduces()) {
                    assets.add(asset.getKey());
                    Producer producer = new Producer(job.getName(), step.getKey());
                    Producer first = producers.putIfAbsent(asset.getKey(), producer);
                    if (first != null) {
                        conflicts.computeIfAbsent(asset.getKey(), k -> new ArrayList<>(List.of(first))).add(producer);
                    }
                    for (String dep : asset.getDeps()) {
                        assets.add(dep);
                        edges.putIfAbsent(List.of(dep, asset.getKey()), new Edge(dep, asset.getKey(), EdgeKind.EXPLICIT, job.getName()));
                    }
                }
            }
            inferEdges(job, edges);
        }
        AssetGraph graph = new AssetGraph(assets, producers, new ArrayList<>(edges.values()));
        List<List<String>> cycles = graph.findCycles();
        if (!conflicts.isEmpty() || !cycles.isEmpty()) {
            throw new AssetGraphException(cycles, conflicts, graph.describe(cycles, conflicts));
        }
        return graph;
    }

    private static void inferEdges(JobDefinition job, Map<List<String>, Edge> edges) {
        Map<String, StepDefinition> steps = new HashMap<>();
        for (StepDefinition step : job.getSteps()) {
            steps.putIfAbsent(step.getKey(), step);
        }
        for (StepDefinition step : job.getSteps()) {
            if (step.getProduces().isEmpty()) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(step.getNeeds());
            while (!todo.isEmpty()) {
                StepDefinition upstream = steps.get(todo.removeFirst());
                if (upstream == null || upstream == step || !seen.add(upstream.getKey())) {
                    continue;
                }
                if (upstream.getProduces().isEmpty()) {
                    todo.addAll(upstream.getNeeds());
                    continue;
                }
                for (AssetSpec from : upstream.getProduces()) {
                    for (AssetSpec to : step.getProduces()) {
                        if (!from.getKey().equals(to.getKey())) {
                            edges.putIfAbsent(List.of(from.getKey(), to.getKey()),
                                    new Edge(from.getKey(), to.getKey(), EdgeKind.INFERRED, job.getName()));
                        }
                    }
                }
            }
        }
    }

    /** Every asset key, sorted. */
    public Set<String> assets() {
        return assets;
    }

    public boolean contains(String asset) {
        return assets.contains(asset);
    }

    /** Who produces the asset; empty for source assets that are only named as deps. */
    public Optional<Producer> producer(String asset) {
        requireKnown(asset);
        return Optional.ofNullable(producers.get(asset));
    }

    /** Every edge, one per pair (explicit wins over inferred when both exist). */
    public List<Edge> edges() {
        return edges;
    }

    /** All transitive upstream assets, nearest first. */
    public Set<String> upstream(String asset) {
        return walk(asset, Integer.MAX_VALUE, up);
    }

    /** Upstream assets at most {@code levels} edges away (1 = direct inputs), nearest first. */
    public Set<String> upstream(String asset, int levels) {
        return walk(asset, levels, up);
    }

    /** All transitive downstream assets, nearest first. */
    public Set<String> downstream(String asset) {
        return walk(asset, Integer.MAX_VALUE, down);
    }

    /** Downstream assets at most {@code levels} edges away (1 = direct dependents), nearest first. */
    public Set<String> downstream(String asset, int levels) {
        return walk(asset, levels, down);
    }

    /** Every asset, each after all of its upstream assets; ties in key order. */
    public List<String> topologicalOrder() {
        Map<String, Integer> inDegree = new HashMap<>();
        assets.forEach(a -> inDegree.put(a, up.get(a).size()));
        PriorityQueue<String> ready = new PriorityQueue<>();
        inDegree.forEach((a, n) -> {
            if (n == 0) {
                ready.add(a);
            }
        });
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String a = ready.poll();
            order.add(a);
            for (String d : down.get(a)) {
                if (inDegree.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        return order;
    }

    private Set<String> walk(String asset, int levels, Map<String, Set<String>> next) {
        requireKnown(asset);
        if (levels < 1) {
            throw new IllegalArgumentException("levels must be at least 1 (got " + levels + ")");
        }
        Set<String> result = new LinkedHashSet<>();
        List<String> frontier = List.of(asset);
        for (int level = 0; level < levels && !frontier.isEmpty(); level++) {
            List<String> following = new ArrayList<>();
            for (String a : frontier) {
                for (String n : next.get(a)) {
                    if (!n.equals(asset) && result.add(n)) {
                        following.add(n);
                    }
                }
            }
            frontier = following;
        }
        return Collections.unmodifiableSet(result);
    }

    private void requireKnown(String asset) {
        if (!assets.contains(asset)) {
            throw new IllegalArgumentException("unknown asset '" + asset + "'");
        }
    }

    /** One cycle per back edge found by a depth-first walk in key order, each starting at its smallest key. */
    private List<List<String>> findCycles() {
        List<List<String>> cycles = new ArrayList<>();
        Set<Set<String>> seen = new HashSet<>();
        Map<String, Integer> state = new HashMap<>();
        for (String start : assets) {
            if (state.containsKey(start)) {
                continue;
            }
            // Iterative DFS: each frame is an asset and the iterator over its downstream neighbours.
            Deque<String> path = new ArrayDeque<>();
            Deque<java.util.Iterator<String>> iterators = new ArrayDeque<>();
            state.put(start, 1);
            path.addLast(start);
            iterators.addLast(down.get(start).iterator());
            while (!iterators.isEmpty()) {
                java.util.Iterator<String> it = iterators.peekLast();
                if (!it.hasNext()) {
                    state.put(path.removeLast(), 2);
                    iterators.removeLast();
                    continue;
                }
                String n = it.next();
                Integer s = state.get(n);
                if (s == null) {
                    state.put(n, 1);
                    path.addLast(n);
                    iterators.addLast(down.get(n).iterator());
                } else if (s == 1) {
                    List<String> cycle = new ArrayList<>();
                    boolean on = false;
                    for (String p : path) {
                        on |= p.equals(n);
                        if (on) {
                            cycle.add(p);
                        }
                    }
                    if (seen.add(new HashSet<>(cycle))) {
                        int min = cycle.indexOf(Collections.min(cycle));
                        List<String> rotated = new ArrayList<>();
                        for (int i = 0; i <= cycle.size(); i++) {
                            rotated.add(cycle.get((min + i) % cycle.size()));
                        }
                        cycles.add(List.copyOf(rotated));
                    }
                }
            }
        }
        return cycles;
    }

    private String describe(List<List<String>> cycles, Map<String, List<Producer>> conflicts) {
        Map<List<String>, Edge> byPair = new HashMap<>();
        edges.forEach(e -> byPair.put(List.of(e.upstream(), e.downstream()), e));
        List<String> lines = new ArrayList<>();
        conflicts.forEach((asset, list) -> lines.add("asset '" + asset + "' is produced by more than one step: "
                + String.join(", ", list.stream().map(p -> p.job() + "." + p.step()).toList())));
        for (List<String> cycle : cycles) {
            List<String> why = new ArrayList<>();
            for (int i = 0; i + 1 < cycle.size(); i++) {
                Edge e = byPair.get(List.of(cycle.get(i), cycle.get(i + 1)));
                why.add(e.upstream() + " -> " + e.downstream() + ": " + (e.kind() == EdgeKind.EXPLICIT
                        ? "deps in job '" + e.job() + "'" : "step needs in job '" + e.job() + "'"));
            }
            lines.add("asset dependency cycle: " + String.join(" -> ", cycle) + " (" + String.join("; ", why) + ")");
        }
        return String.join("\n", lines);
    }
}
