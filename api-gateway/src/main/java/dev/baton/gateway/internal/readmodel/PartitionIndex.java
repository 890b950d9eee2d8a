package dev.baton.gateway.internal.readmodel;

import dev.baton.events.AssetMaterialization;
import dev.baton.events.LineageEvent;
import dev.baton.events.UpstreamRef;
import dev.baton.gateway.internal.json.Json;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-partition records behind partition status: the latest run of each (job, partition) from the run events,
 * and the latest materialization of each (asset, partition) from the lineage stream. One small record per
 * partition, read by point lookups a page at a time, so 50,000 partitions are never held at once.
 */
public final class PartitionIndex {
    private PartitionIndex() {}

    /** The latest run of a job's partition (by request time). */
    public record PartitionRun(String runId, String status, long requestedAt, long updatedAt) {}

    /** The latest materialization of an asset's partition, with the upstream assets it was built from. */
    public record AssetPartition(String runId, long materializedAt, String job, List<String> upstream) {
        public AssetPartition {
            upstream = upstream == null ? List.of() : List.copyOf(upstream);
        }
    }

    public static String key(String name, String partition) {
        return Keys.prefix(name) + partition;
    }

    /** Keeps the run if it is the partition's latest (a run requested later replaces it; the same run updates it). */
    static void onRun(KeyValueStore<String, byte[]> store, RunView run) {
        if (run.partition == null || run.job == null) {
            return;
        }
        String k = key(run.job, run.partition);
        byte[] old = store.get(k);
        if (old != null) {
            PartitionRun before = Json.read(old, PartitionRun.class);
            if (!before.runId().equals(run.runId) && before.requestedAt() > run.requestedAt) {
                return;
            }
        }
        store.put(k, Json.bytes(new PartitionRun(run.runId, ApiStatus.run(run.status), run.requestedAt, run.updatedAt)));
    }

    /** Keeps a partitioned materialization if it is the newest of its asset's partition. */
    static void onMaterialization(KeyValueStore<String, byte[]> store, LineageEvent e, AssetMaterialization m) {
        if (e.getPartition() == null) {
            return;
        }
        String k = key(e.getAssetKey(), e.getPartition());
        long at = e.getTimestamp().toEpochMilli();
        byte[] old = store.get(k);
        if (old != null && Json.read(old, AssetPartition.class).materializedAt() > at) {
            return;
        }
        List<String> upstream = m.getUpstream().stream().map(UpstreamRef::getAssetKey).distinct().toList();
        store.put(k, Json.bytes(new AssetPartition(e.getRunId(), at, m.getJob(), upstream)));
    }
}
