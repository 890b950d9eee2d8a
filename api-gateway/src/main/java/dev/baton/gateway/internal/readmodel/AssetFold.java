package dev.baton.gateway.internal.readmodel;

import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetFreshnessChanged;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.LineageEvent;
import java.util.Map;

/**
 * Folds one lineage event into the asset's summary. Pure and idempotent: the read model is at-least-once, so an
 * event read again after a restart must leave the summary as it was (the caller says whether the materialization
 * was already stored; check and freshness updates only move forward in event time).
 */
public final class AssetFold {
    private AssetFold() {}

    /**
     * @param s                the summary so far (changed in place and returned); a new one for a first event
     * @param materialization  the materialization as the API shows it, for {@link AssetMaterialization} events
     * @param alreadyStored    the materialization is in the history already (the event is read a second time)
     */
    public static AssetSummary apply(AssetSummary s, LineageEvent e, Map<String, Object> materialization, boolean alreadyStored) {
        AssetSummary out = s == null ? new AssetSummary() : s;
        out.assetKey = e.getAssetKey();
        long at = e.getTimestamp().toEpochMilli();
        switch (e.getPayload()) {
            case AssetMaterialization m -> {
                if (!alreadyStored) {
                    out.materializationCount++;
                }
                if (out.lastMaterializedAt == null || at >= out.lastMaterializedAt) {
                    out.lastMaterializedAt = at;
                    out.lastMaterialization = materialization;
                }
            }
            case AssetCheckEvaluated c -> {
                AssetSummary.Check before = out.checks.get(c.getCheckName());
                if (before == null || at >= before.atMs) {
                    out.checks.put(c.getCheckName(), check(e, c));
                }
            }
            case AssetFreshnessChanged f -> {
                AssetSummary.Freshness before = out.freshness;
                if (before == null || at >= before.atMs) {
                    AssetSummary.Freshness n = new AssetSummary.Freshness();
                    n.fresh = f.getFresh();
                    n.maxLagMs = f.getMaxLagMs();
                    n.lastMaterializedAtMs = f.getLastMaterializedAt() == null ? null : f.getLastMaterializedAt().toEpochMilli();
                    n.atMs = at;
                    n.sinceMs = before != null && before.fresh == n.fresh ? before.sinceMs : since(n, at);
                    out.freshness = n;
                }
            }
            default -> { }
        }
        return out;
    }

    /**
     * When the asset entered the state the event reports: fresh since its last materialization, stale since that
     * plus the allowed lag (the event itself may come later, when the coordinator notices); the event time when the
     * asset was never materialized. A repeated verdict keeps the earlier time.
     */
    static long since(AssetSummary.Freshness f, long eventAt) {
        if (f.lastMaterializedAtMs == null) {
            return eventAt;
        }
        return f.fresh ? f.lastMaterializedAtMs : f.lastMaterializedAtMs + f.maxLagMs;
    }

    static AssetSummary.Check check(LineageEvent e, AssetCheckEvaluated c) {
        AssetSummary.Check x = new AssetSummary.Check();
        x.eventId = e.getEventId();
        x.name = c.getCheckName();
        x.severity = c.getSeverity().name();
        x.outcome = c.getOutcome().name();
        x.materializationId = c.getMaterializationId();
        x.message = c.getMessage();
        x.runId = e.getRunId();
        x.partition = e.getPartition();
        x.atMs = e.getTimestamp().toEpochMilli();
        return x;
    }
}
