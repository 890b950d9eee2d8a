package dev.baton.platform;

/**
 * Partitioning and retention for the standard topics.
 *
 * @param runPartitions partitions of run-keyed topics; the coordinator scales up to this many instances
 * @param commandPartitions partitions of each pool's command topic (share groups need no more than a few)
 * @param replicationFactor replicas per partition; -1 uses the broker default
 * @param retentionMs retention of transient topics (requests, reports, logs)
 * @param eventRetentionMs retention of the record topics (run events, lineage, audit, dead letters); -1 keeps forever
 */
public record TopicDefaults(int runPartitions, int commandPartitions, short replicationFactor,
                            long retentionMs, long eventRetentionMs) {
    public static final TopicDefaults SINGLE_MACHINE = new TopicDefaults(3, 1, (short) 1, 7L * 24 * 3_600_000, -1);
}
