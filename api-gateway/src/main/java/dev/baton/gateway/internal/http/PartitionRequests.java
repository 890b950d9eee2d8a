package dev.baton.gateway.internal.http;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.PartitionSet;
import java.util.List;
import java.util.Map;

/** The partition of a run request, checked against the job's partitions before anything goes to Kafka. */
final class PartitionRequests {
    /** Longest partition key accepted (two dimensions of 100 characters at most and the separator fit). */
    static final int MAX_KEY = 255;

    private PartitionRequests() {}

    /**
     * @param partition the requested key, or null
     * @throws ApiError 400 naming the key when it is not one of the job's partitions, when a partitioned job gets
     *                  none, or when an unpartitioned job gets one
     */
    static void check(JobDefinition def, String partition, PartitionSet.DynamicKeys keys) {
        String problem = problem(def, partition, keys);
        if (problem != null) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, problem,
                    Map.of("problems", List.of(Requests.problem("partition", problem))));
        }
    }

    /** @param keys the current keys of dynamic partition sets (a key of a dynamic set must be one of them) */
    static String problem(JobDefinition def, String partition, PartitionSet.DynamicKeys keys) {
        if (partition != null && (partition.isEmpty() || partition.length() > MAX_KEY)) {
            return "partition must be 1-" + MAX_KEY + " characters";
        }
        if (def.getPartitions() == null) {
            return partition == null ? null
                    : "job '" + def.getName() + "' is not partitioned; leave out partition (got '" + partition + "')";
        }
        if (partition == null) {
            return "job '" + def.getName() + "' is partitioned: give a partition key, e.g. "
                    + example(PartitionSet.of(def.getPartitions(), keys));
        }
        try {
            PartitionSet.of(def.getPartitions(), keys).partition(partition);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String example(PartitionSet set) {
        var it = set.range(null, null, java.time.Instant.now());
        return it.hasNext() ? "'" + it.next().key() + "'" : "one of its keys";
    }
}
