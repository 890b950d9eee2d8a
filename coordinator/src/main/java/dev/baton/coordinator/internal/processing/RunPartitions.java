package dev.baton.coordinator.internal.processing;

import dev.baton.runmodel.state.RunState;
import dev.baton.events.JobDefinition;
import dev.baton.jobs.Partition;
import dev.baton.jobs.PartitionSet;

/** A run's partition against its job's partitions (pure: the definition is the run's snapshot). */
final class RunPartitions {
    private RunPartitions() {}

    /** Why a request's partition does not fit the job, or null when it does. */
    static String problem(JobDefinition def, String job, String partition) {
        if (def.getPartitions() == null) {
            return partition == null ? null
                    : "job '" + job + "' is not partitioned; a run of it has no partition (got '" + partition + "')";
        }
        PartitionSet set = PartitionSet.of(def.getPartitions());
        if (partition == null) {
            return "job '" + job + "' is partitioned: a run needs a partition key";
        }
        try {
            set.partition(partition);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The run's partition with its window, or null for a run without one. */
    static Partition of(RunState s) {
        if (s.partition() == null || s.definition().getPartitions() == null) {
            return null;
        }
        return PartitionSet.of(s.definition().getPartitions()).partition(s.partition());
    }
}
