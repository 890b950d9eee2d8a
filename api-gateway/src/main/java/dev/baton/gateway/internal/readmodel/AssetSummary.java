package dev.baton.gateway.internal.readmodel;

import java.util.LinkedHashMap;
import java.util.Map;

/** The latest state of one asset: its newest materialization, how many there were, checks and freshness. */
public final class AssetSummary {
    public String assetKey;
    public long materializationCount;
    /** The newest materialization, as stored in the materialization history. */
    public Map<String, Object> lastMaterialization;
    public Long lastMaterializedAt;
    public Map<String, Map<String, Object>> checks = new LinkedHashMap<>();
    public Map<String, Object> freshness;
}
