package dev.baton.gateway.internal.assets;

import dev.baton.events.AssetSpec;
import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import dev.baton.jobs.AssetGraph;
import dev.baton.jobs.AssetGraphException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The assets that the registered jobs declare and the lineage graph between them ({@link AssetGraph} over the
 * latest version of every job). Immutable; built per request from the read model's job store (job lists are
 * small).
 *
 * <p>Registration keeps the graph valid, but jobs registered before that rule (or by a second gateway at the same
 * moment) may still break it. Then the catalog leaves out, in name order, each job that cannot join the graph
 * built so far, and names it in {@link #excluded()}, rather than answering no lineage at all.
 */
public final class AssetCatalog {

    /** An asset as a job declares it: producing job and step, the step's index and the asset's index in it. */
    public record Declaration(String job, String step, int stepIndex, int assetIndex, AssetSpec spec) {
        /** The problem path of the declaration inside its job file ({@code steps[1].produces[0]}). */
        public String path() {
            return "steps[" + stepIndex + "].produces[" + assetIndex + "]";
        }
    }

    private final AssetGraph graph;
    private final Map<String, Declaration> declarations;
    private final Map<String, String> excluded;

    private AssetCatalog(AssetGraph graph, Map<String, Declaration> declarations, Map<String, String> excluded) {
        this.graph = graph;
        this.declarations = Collections.unmodifiableMap(declarations);
        this.excluded = Collections.unmodifiableMap(excluded);
    }

    /** The catalog of {@code jobs} (one version per job name). */
    public static AssetCatalog of(Collection<JobDefinition> jobs) {
        List<JobDefinition> ordered = new ArrayList<>(jobs);
        ordered.sort((a, b) -> a.getName().compareTo(b.getName()));
        Map<String, String> excluded = new TreeMap<>();
        AssetGraph graph;
        List<JobDefinition> included = new ArrayList<>(ordered);
        try {
            graph = AssetGraph.of(ordered);
        } catch (AssetGraphException e) {
            included.clear();
            graph = AssetGraph.of(List.of());
            for (JobDefinition job : ordered) {
                included.add(job);
                try {
                    graph = AssetGraph.of(included);
                } catch (AssetGraphException x) {
                    included.remove(included.size() - 1);
                    excluded.put(job.getName(), x.getMessage());
                }
            }
        }
        Map<String, Declaration> declarations = new TreeMap<>();
        for (JobDefinition job : included) {
            declarations(job).forEach(declarations::putIfAbsent);
        }
        // An excluded job's assets are still declared (listed, with owners and checks), just not in the graph.
        for (JobDefinition job : ordered) {
            if (excluded.containsKey(job.getName())) {
                declarations(job).forEach(declarations::putIfAbsent);
            }
        }
        return new AssetCatalog(graph, declarations, excluded);
    }

    /** Every asset of one job, by key (the first declaration of a key wins). */
    static Map<String, Declaration> declarations(JobDefinition job) {
        Map<String, Declaration> out = new TreeMap<>();
        List<StepDefinition> steps = job.getSteps();
        for (int i = 0; i < steps.size(); i++) {
            List<AssetSpec> produces = steps.get(i).getProduces();
            for (int j = 0; j < produces.size(); j++) {
                out.putIfAbsent(produces.get(j).getKey(), new Declaration(job.getName(), steps.get(i).getKey(), i, j, produces.get(j)));
            }
        }
        return out;
    }

    public AssetGraph graph() {
        return graph;
    }

    /**
     * Assets some job produces, by key; where two jobs claim one, the job in the graph wins (source assets that are
     * only named in {@code deps} are in the graph only).
     */
    public Map<String, Declaration> declarations() {
        return declarations;
    }

    public Optional<Declaration> declaration(String assetKey) {
        return Optional.ofNullable(declarations.get(assetKey));
    }

    /** Jobs left out of the graph because their assets conflict with jobs before them in name order, with why. */
    public Map<String, String> excluded() {
        return excluded;
    }
}
