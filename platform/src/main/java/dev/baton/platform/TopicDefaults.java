package dev.baton.platform;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Partitioning, replication and retention for the standard topics.
 *
 * @param runPartitions partitions of run-keyed topics; the coordinator scales up to this many instances
 * @param commandPartitions partitions of each pool's command topic (share groups need no more than a few)
 * @param replicationFactor replicas per partition; -1 uses the broker default; {@link #AUTO} (0) means min(3, brokers)
 *                          and is resolved against the cluster by {@link #forCluster(int)} before topics are created
 * @param retentionMs retention of transient topics (requests, reports, logs)
 * @param eventRetentionMs retention of the record topics (run events, lineage, audit, dead letters); -1 keeps forever
 * @param minInsyncReplicas {@code min.insync.replicas} of the topics Baton creates; {@link #AUTO} (0) means 2 when the
 *                          replication factor is at least 3 and the broker default otherwise
 */
public record TopicDefaults(int runPartitions, int commandPartitions, short replicationFactor,
                            long retentionMs, long eventRetentionMs, short minInsyncReplicas) {
    /** Replication factor and {@code min.insync.replicas} chosen from the cluster's size. */
    public static final short AUTO = 0;
    /** The replication factor {@link #AUTO} aims at: a write acknowledged by all in-sync replicas survives one loss. */
    public static final int CLUSTER_REPLICATION = 3;
    /** {@code min.insync.replicas} with {@link #CLUSTER_REPLICATION} replicas: writes go on with one broker down. */
    public static final int CLUSTER_MIN_INSYNC = 2;

    public static final TopicDefaults SINGLE_MACHINE = new TopicDefaults(3, 1, (short) 1, 7L * 24 * 3_600_000, -1);

    public TopicDefaults(int runPartitions, int commandPartitions, short replicationFactor, long retentionMs,
                         long eventRetentionMs) {
        this(runPartitions, commandPartitions, replicationFactor, retentionMs, eventRetentionMs, AUTO);
    }

    public boolean needsClusterSize() {
        return replicationFactor == AUTO;
    }

    /**
     * These defaults for a cluster of {@code brokers} brokers: an {@link #AUTO} replication factor becomes
     * min(3, brokers), an {@link #AUTO} {@code min.insync.replicas} becomes 2 when the replication factor is at least 3.
     */
    public TopicDefaults forCluster(int brokers) {
        short rf = replicationFactor == AUTO ? (short) Math.max(1, Math.min(CLUSTER_REPLICATION, brokers)) : replicationFactor;
        short isr = minInsyncReplicas != AUTO ? minInsyncReplicas
                : rf >= CLUSTER_REPLICATION ? (short) CLUSTER_MIN_INSYNC : AUTO;
        if (rf > 0 && isr > rf) {
            throw new IllegalArgumentException("topic.min.insync.replicas (" + isr + ") is larger than the replication factor ("
                    + rf + "): no write could ever be acknowledged");
        }
        return new TopicDefaults(runPartitions, commandPartitions, rf, retentionMs, eventRetentionMs, isr);
    }

    /** Topic-level settings every topic Baton creates carries ({@code min.insync.replicas} when set). */
    public Map<String, String> topicConfigs() {
        return minInsyncReplicas > 0 ? Map.of("min.insync.replicas", String.valueOf(minInsyncReplicas)) : Map.of();
    }

    /**
     * Settings for a Kafka Streams application so its changelog and repartition topics are replicated like Baton's own:
     * {@code replication.factor} and {@code topic.min.insync.replicas} (Streams' prefix for internal-topic configs);
     * an unresolved {@link #AUTO} replication factor becomes -1, the broker default.
     */
    public Map<String, Object> streamsSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        // Not resolved against a cluster (forCluster): leave it to the broker's default.
        m.put("replication.factor", replicationFactor == AUTO ? -1 : (int) replicationFactor);
        topicConfigs().forEach((k, v) -> m.put("topic." + k, v));
        return m;
    }
}
