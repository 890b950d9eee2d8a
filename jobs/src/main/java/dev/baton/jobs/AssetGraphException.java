package dev.baton.jobs;

import java.util.List;
import java.util.Map;

/** Asset definitions that do not form a valid lineage graph. */
public class AssetGraphException extends RuntimeException {
    private final transient List<List<String>> cycles;
    private final transient Map<String, List<AssetGraph.Producer>> conflicts;

    public AssetGraphException(List<List<String>> cycles, Map<String, List<AssetGraph.Producer>> conflicts, String message) {
        super(message);
        this.cycles = List.copyOf(cycles);
        this.conflicts = Map.copyOf(conflicts);
    }

    /**
     * Each cycle as the assets along it in data-flow order (upstream to downstream), starting and ending at its
     * smallest key, e.g. {@code [a, b, a]}.
     */
    public List<List<String>> cycles() {
        return cycles;
    }

    /** Assets produced by more than one step, with every producer. */
    public Map<String, List<AssetGraph.Producer>> conflicts() {
        return conflicts;
    }
}
