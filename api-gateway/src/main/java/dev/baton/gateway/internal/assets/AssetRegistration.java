package dev.baton.gateway.internal.assets;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.AssetGraph;
import dev.baton.jobs.AssetGraphException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cross-job asset rules a job must keep to be registered: its assets close no cycle with the assets of the
 * other registered jobs, and no other job produces them. (Rules within one job are the parser's.) Only problems
 * the new definition brings count: a graph that was broken before does not block unrelated registrations.
 */
public final class AssetRegistration {

    /** Which rule a problem breaks. */
    public enum Rule {
        /** An asset the candidate produces has another producer. */
        ONE_PRODUCER,
        /** The candidate's assets close a dependency cycle with other jobs' assets. */
        NO_CYCLE,
        /** The graph is invalid for a reason the two rules above do not explain. */
        GRAPH
    }

    /** A problem at {@code path} of the candidate's job file. */
    public record Problem(String path, String message, Rule rule) {}

    private AssetRegistration() {}

    /**
     * @param registered the latest version of every registered job (an older version of the candidate is ignored)
     * @param candidate  the definition to register
     * @return the problems, empty when the candidate may be registered
     */
    public static List<Problem> check(Collection<JobDefinition> registered, JobDefinition candidate) {
        List<JobDefinition> others = new ArrayList<>();
        registered.stream().filter(j -> !j.getName().equals(candidate.getName())).forEach(others::add);
        List<JobDefinition> with = new ArrayList<>(others);
        with.add(candidate);
        AssetGraphException after = failure(with);
        if (after == null) {
            return List.of();
        }
        AssetGraphException before = failure(others);
        Set<Set<String>> knownCycles = new HashSet<>();
        if (before != null) {
            before.cycles().forEach(c -> knownCycles.add(new HashSet<>(c)));
        }
        Map<String, AssetCatalog.Declaration> mine = AssetCatalog.declarations(candidate);
        List<Problem> problems = new ArrayList<>();
        after.conflicts().forEach((asset, producers) -> {
            AssetCatalog.Declaration d = mine.get(asset);
            if (d == null) {
                return; // a conflict between other jobs
            }
            List<String> elsewhere = producers.stream().filter(p -> !p.job().equals(candidate.getName()))
                    .map(p -> "job '" + p.job() + "' (step '" + p.step() + "')").toList();
            if (elsewhere.isEmpty()) {
                return; // twice in the candidate itself: the parser's rule, not a cross-job one
            }
            problems.add(new Problem(d.path(), "asset '" + asset + "' is already produced by " + String.join(", ", elsewhere)
                    + "; an asset has one producer", Rule.ONE_PRODUCER));
        });
        Map<String, Map<List<String>, AssetGraph.Edge>> edgesByJob = new LinkedHashMap<>();
        edgesByJob.put(candidate.getName(), edges(candidate));
        others.forEach(j -> edgesByJob.put(j.getName(), edges(j)));
        Map<String, JobDefinition> jobs = new LinkedHashMap<>();
        with.forEach(j -> jobs.put(j.getName(), j));
        for (List<String> cycle : after.cycles()) {
            if (knownCycles.contains(new HashSet<>(cycle))) {
                continue;
            }
            String path = null;
            List<String> why = new ArrayList<>();
            for (int i = 0; i + 1 < cycle.size(); i++) {
                List<String> pair = List.of(cycle.get(i), cycle.get(i + 1));
                for (var e : edgesByJob.entrySet()) { // the candidate first
                    AssetGraph.Edge edge = e.getValue().get(pair);
                    if (edge != null) {
                        String at = edgePath(jobs.get(e.getKey()), edge);
                        if (path == null && e.getKey().equals(candidate.getName())) {
                            path = at;
                        }
                        why.add(pair.get(0) + " -> " + pair.get(1) + ": " + (edge.kind() == AssetGraph.EdgeKind.EXPLICIT
                                ? "deps" : "inferred from step needs") + " in job '" + e.getKey() + "' at " + at);
                        break;
                    }
                }
            }
            problems.add(new Problem(path == null ? "$" : path, "asset dependency cycle across jobs: "
                    + String.join(" -> ", cycle) + " (" + String.join("; ", why) + ")", Rule.NO_CYCLE));
        }
        if (problems.isEmpty() && before == null) {
            // The graph was valid and is not any more, for a reason not explained above: refuse rather than guess.
            problems.add(new Problem("$", after.getMessage(), Rule.GRAPH));
        }
        return problems;
    }

    private static AssetGraphException failure(List<JobDefinition> jobs) {
        try {
            AssetGraph.of(jobs);
            return null;
        } catch (AssetGraphException e) {
            return e;
        }
    }

    /** The lineage edges one job declares or implies on its own, by (upstream, downstream). */
    private static Map<List<String>, AssetGraph.Edge> edges(JobDefinition job) {
        Map<List<String>, AssetGraph.Edge> out = new LinkedHashMap<>();
        try {
            AssetGraph.of(List.of(job)).edges().forEach(e -> out.put(List.of(e.upstream(), e.downstream()), e));
        } catch (AssetGraphException e) {
            // invalid on its own (registered before the parser checked it): it contributes no explanation
        }
        return out;
    }

    /**
     * Where in the job file the edge comes from: the {@code deps} entry of an explicit edge, the {@code needs} of the
     * producing step of an inferred one.
     */
    static String edgePath(JobDefinition job, AssetGraph.Edge edge) {
        AssetCatalog.Declaration d = AssetCatalog.declarations(job).get(edge.downstream());
        if (d == null) {
            return "$";
        }
        if (edge.kind() == AssetGraph.EdgeKind.EXPLICIT) {
            List<String> deps = d.spec().getDeps();
            int k = deps.indexOf(edge.upstream());
            return k < 0 ? d.path() : d.path() + ".deps[" + k + "]";
        }
        return "steps[" + d.stepIndex() + "].needs";
    }
}
