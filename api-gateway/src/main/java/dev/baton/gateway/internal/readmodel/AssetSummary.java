package dev.baton.gateway.internal.readmodel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest state of one asset: its newest materialization, how many there were, the latest result of each
 * check and the freshness state. Times are epoch millis here; {@link AssetViews} renders them for the API.
 */
public final class AssetSummary {
    public String assetKey;
    public long materializationCount;
    /** The newest materialization, as stored in the materialization history. */
    public Map<String, Object> lastMaterialization;
    public Long lastMaterializedAt;
    /** Check name → its latest evaluation (newest by event time). */
    public Map<String, Check> checks = new LinkedHashMap<>();
    /** From the newest {@code AssetFreshnessChanged}; null before the first one. */
    public Freshness freshness;

    /** One evaluation of one check on one materialization. */
    public static final class Check {
        public String eventId;
        public String name;
        public String severity;
        public String outcome;
        public String materializationId;
        public String message;
        public String runId;
        /** The partition of the checked materialization, or null. */
        public String partition;
        public long atMs;

        public boolean failing() {
            return outcome != null && !"PASSED".equals(outcome);
        }
    }

    /** The coordinator's latest freshness verdict. */
    public static final class Freshness {
        public boolean fresh;
        public long maxLagMs;
        public Long lastMaterializedAtMs;
        /** When the asset entered its current state (the first event saying so). */
        public long sinceMs;
        /** Time of the newest freshness event. */
        public long atMs;
    }
}
