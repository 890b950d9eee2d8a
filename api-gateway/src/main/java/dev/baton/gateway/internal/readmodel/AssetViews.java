package dev.baton.gateway.internal.readmodel;

import dev.baton.gateway.internal.api.AssetResponses;

/** Renders asset state (check results, freshness) as API bodies. */
public final class AssetViews {
    public static final String FRESH = "FRESH";
    public static final String STALE = "STALE";
    public static final String UNKNOWN = "UNKNOWN";

    private AssetViews() {}

    /** One check evaluation as the API shows it (also the value of the check history stores). */
    public static AssetResponses.Check check(AssetSummary.Check c) {
        return new AssetResponses.Check(c.name, c.severity, c.outcome, c.message, c.materializationId, c.runId, c.partition,
                ApiViews.time(c.atMs), c.eventId);
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
    public static AssetResponses.Freshness freshness(AssetSummary s, Long declaredMaxLagMs, long now) {
        AssetSummary.Freshness f = s == null ? null : s.freshness;
        Long maxLag = declaredMaxLagMs != null ? declaredMaxLagMs : f == null ? null : f.maxLagMs;
        if (maxLag == null) {
            return null;
        }
        Long last = s == null ? null : s.lastMaterializedAt;
        if (f != null && f.lastMaterializedAtMs != null && (last == null || f.lastMaterializedAtMs > last)) {
            last = f.lastMaterializedAtMs;
        }
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
        return new AssetResponses.Freshness(status, status.equals(UNKNOWN) ? null : status.equals(FRESH), maxLag,
                ApiViews.time(last), ApiViews.time(since), f == null ? null : ApiViews.time(f.atMs));
    }
}
