package dev.baton.platform;

import java.util.Map;

/** A topic with the configuration Baton needs for it. */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    public static TopicSpec log(String name, int partitions, short replication, long retentionMs) {
        return new TopicSpec(name, partitions, replication, Map.of(
                "cleanup.policy", "delete",
                "retention.ms", String.valueOf(retentionMs)));
    }

    /** The same topic with record timestamps set by the broker when it appends them. */
    public TopicSpec logAppendTime() {
        var m = new java.util.HashMap<>(configs);
        m.put("message.timestamp.type", "LogAppendTime");
        return new TopicSpec(name, partitions, replicationFactor, Map.copyOf(m));
    }

    /** The same topic with these settings added (they win over the spec's own). */
    public TopicSpec withConfigs(Map<String, String> more) {
        if (more.isEmpty()) {
            return this;
        }
        var m = new java.util.HashMap<>(configs);
        m.putAll(more);
        return new TopicSpec(name, partitions, replicationFactor, Map.copyOf(m));
    }

    /** A latest-value view: only the newest record per key is kept. */
    public static TopicSpec compacted(String name, int partitions, short replication) {
        return new TopicSpec(name, partitions, replication, Map.of(
                "cleanup.policy", "compact",
                // Compact promptly so a restart reads a short view, not the whole history.
                "min.cleanable.dirty.ratio", "0.1",
                "segment.ms", String.valueOf(6 * 3_600_000L)));
    }
}
