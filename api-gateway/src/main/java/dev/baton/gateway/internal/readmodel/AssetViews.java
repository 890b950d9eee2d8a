package dev.baton.gateway.internal.readmodel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Renders asset state (check results, freshness) as API JSON trees. */
public final class AssetViews {
    public static final String FRESH = "FRESH";
    public static final String STALE = "STALE";
    public static final String UNKNOWN = "UNKNOWN";

    private AssetViews() {}

    /** One check evaluation as the API shows it (also the value of the check history stores). */
    public static Map<String, Object> check(AssetSummary.Check c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name);
        m.put("severity", c.severity);
        m.put("outcome", c.outcome);
        m.put("message", c.message);
        m.put("materializationId", c.materializationId);
        ApiViews.put(m, "runId", c.runId);
        ApiViews.put(m, "partition", c.partition);
        m.put("timestamp", ApiViews.time(c.atMs));
        m.put("eventId", c.eventId);
        return m;
    }

    /**
     * The freshness of an asset at {@code now}, or null when it has no freshness policy and no freshness event.
     *
     * <p>The coordinator's latest {@code AssetFreshnessChanged} decides, unless the asset was materialized after it
     * (or there is none yet): then the state follows from the last materialization and the allowed lag, which is
     * what the coordinator will report once it looks (a healthy asset never gets an event).
     *
     * @param declaredMaxLagMs the lag the producing job declares ({@code freshness.maxLag}), or null
     */
    public static Map<String, Object> freshness(AssetSummary s, Long declaredMaxLagMs, long now) {
        AssetSummary.Freshness f = s == null ? null : s.freshness;
        Long maxLag = declaredMaxLagMs != null ? declaredMaxLagMs : f == null ? null : f.maxLagMs;
        if (maxLag == null) {
            return null;
        }
        Long last = s == null ? null : s.lastMaterializedAt;
        if (f != null && f.lastMaterializedAtMs != null && (last == null || f.lastMaterializedAtMs > last)) {
            last = f.lastMaterializedAtMs;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        String status;
        Long since;
        if (f != null && (last == null || f.atMs >= last)) {
            status = f.fresh ? FRESH : STALE;
            since = f.sinceMs;
            maxLag = f.maxLagMs; // the lag the verdict was made against
        } else if (last == null) {
            status = UNKNOWN; // never materialized, and the coordinator has not said anything yet
            since = null;
        } else if (now - last <= maxLag) {
            status = FRESH;
            since = last;
        } else {
            status = STALE;
            since = last + maxLag;
        }
        m.put("status", status);
        if (!status.equals(UNKNOWN)) {
            m.put("fresh", status.equals(FRESH));
        }
        m.put("maxLagMs", maxLag);
        ApiViews.put(m, "lastMaterializedAt", ApiViews.time(last));
        ApiViews.put(m, "since", ApiViews.time(since));
        if (f != null) {
            m.put("lastEventAt", ApiViews.time(f.atMs));
        }
        return m;
    }
}
