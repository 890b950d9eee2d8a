package dev.baton.gateway.internal.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** Bodies of the asset routes ({@code /api/v1/assets...}): assets, their checks and freshness, and lineage. */
public final class AssetResponses {
    private AssetResponses() {}

    /** Who declares an asset: the producing job and step and what the declaration says. */
    public record DeclaredBy(String job, String step, String group, String description, List<String> deps,
                             List<String> owners, List<String> checks, Long freshnessMaxLagMs) {}

    /**
     * An asset in the list (and the head of its detail): declaration, latest materialization (as stored), freshness.
     * {@code lastMaterialization} is left out of the detail, whose materializations start with it.
     */
    public record Asset(String assetKey, DeclaredBy declaredBy, String group, List<String> owners, String description,
                        long materializationCount, String lastMaterializedAt, Map<String, Object> lastMaterialization,
                        Freshness freshness, long failingChecks) {
        public Asset withoutLastMaterialization() {
            return new Asset(assetKey, declaredBy, group, owners, description, materializationCount, lastMaterializedAt, null,
                    freshness, failingChecks);
        }
    }

    /** {@code GET /assets/{key}}: the asset, the latest result of each check, one page of materializations (newest first). */
    public record Detail(@JsonUnwrapped Asset asset, List<LatestCheck> checks, List<JsonNode> materializations,
                         String nextCursor) {}

    /**
     * Freshness at the time of the call: {@code FRESH}, {@code STALE} or {@code UNKNOWN} (never materialized and not
     * judged yet; then {@code fresh} is absent).
     */
    public record Freshness(String status, Boolean fresh, long maxLagMs, String lastMaterializedAt, String since,
                            String lastEventAt) {}

    /** One evaluation of one check (also the value the check history stores keep). */
    public record Check(String name, String severity, String outcome, String message,
                        String materializationId, String runId, String partition, String timestamp,
                        String eventId) {}

    /**
     * The latest state of one check of an asset: its latest evaluation (if any) with the declared expression, or, for a
     * declared check never evaluated, its name and severity. {@code declaredSeverity} says the declaration changed since.
     */
    public record LatestCheck(@JsonUnwrapped Check result, String name, String severity, String expression,
                              String declaredSeverity) {
        public static LatestCheck evaluated(Check result, String expression, String declaredSeverity) {
            return new LatestCheck(result, null, null, expression, declaredSeverity);
        }

        public static LatestCheck declared(String name, String severity, String expression) {
            return new LatestCheck(null, name, severity, expression, null);
        }
    }

    /** {@code GET /assets/{key}/checks}: one page of the asset's check evaluations, newest first. */
    public record Checks(String assetKey, List<JsonNode> items, int limit,
                         String nextCursor) {}

    /** {@code GET /assets/{key}/lineage}: the neighbourhood of the asset, {@code depth} levels in {@code direction}. */
    public record Lineage(String assetKey, String direction, int depth, List<Node> nodes, List<Edge> edges, boolean truncated,
                          Map<String, String> excludedJobs) {}

    /** An asset in a lineage graph: its level (negative upstream), its producer (or {@code source}), its latest state. */
    public record Node(String assetKey, int level, String job, String step, String group, Boolean source,
                       Object lastMaterializationId, String lastMaterializedAt, Object lastRunId, Long failingChecks) {}

    /** A dependency: {@code upstream} feeds {@code downstream} in {@code job}. */
    public record Edge(String upstream, String downstream, String kind, String job) {}
}
