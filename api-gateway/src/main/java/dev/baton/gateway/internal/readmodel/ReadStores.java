package dev.baton.gateway.internal.readmodel;

import dev.baton.events.JobDefinition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the REST handlers read, as typed values: the read model's stores behind one interface, so a handler's logic can
 * be tested against an in-memory implementation. {@link KafkaReadStores} answers from the Kafka Streams stores of
 * {@link ReadModel}. Every method may block (store reads): call from a worker.
 */
public interface ReadStores {
    /** Live records as the read model stores them (streams, read-your-writes). */
    LiveFeed feed();

    // ---- jobs ----

    /** The newest definition of a job, or null when none is registered. */
    JobDefinition job(String name);

    /** One version of a job, or null. */
    JobDefinition jobVersion(String name, int version);

    /** The versions of a job the read model keeps, ascending. */
    List<Integer> jobVersions(String name);

    /** The newest definition of every job, in any order. */
    List<JobDefinition> jobs();

    /** The newest definition of every job, by name. */
    default Map<String, JobDefinition> latestJobs() {
        Map<String, JobDefinition> out = new TreeMap<>();
        jobs().forEach(d -> out.put(d.getName(), d));
        return out;
    }

    // ---- runs ----

    Optional<RunView> run(String runId);

    /** Runs newest first (by {@link Keys#runOrder}), filtered by job and API status, from just after {@code q.after()}. */
    ReadModel.Page<RunView> runs(ReadModel.RunQuery q);

    /** A page of a run's steps in definition order. */
    ReadModel.StepPage steps(RunView run, int from, int limit);

    /** The run's events (stored JSON) with a sequence above {@code afterSequence}, oldest first, at most {@code limit}. */
    List<byte[]> events(String runId, long afterSequence, int limit);

    /** A page of a run's log lines ({@link ReadModel#logs}). */
    ReadModel.LogPage logs(ReadModel.LogQuery q);

    // ---- assets ----

    /** The state of every asset that was ever materialized or checked. */
    List<AssetSummary> assets();

    /** The state of one asset, or null when it never was materialized or checked. */
    AssetSummary asset(String key);

    /** Materializations of one asset (stored JSON), newest first, from just after the order {@code after}. */
    ReadModel.Page<byte[]> materializations(String key, String after, int limit);

    /** Check evaluations of one asset (stored JSON), newest first. */
    ReadModel.Page<byte[]> checks(String key, String after, int limit);

    /** The latest result of each check of one materialization (stored JSON), by check name. */
    List<byte[]> checksOf(String key, String materializationId);

    // ---- agents ----

    /** Every agent's last heartbeat (stored JSON). */
    List<byte[]> agents();

    // ---- backfills ----

    /** A backfill's state (the fold of its events), or null. */
    dev.baton.gateway.internal.backfills.BackfillState backfill(String id);

    /** Every backfill's state (backfills are few: one per request, not per partition). */
    List<dev.baton.gateway.internal.backfills.BackfillState> backfills();

    /** The failed partitions of a backfill (partition → run id) by partition key, after {@code after} (null: from the first). */
    List<Map.Entry<String, String>> backfillFailed(String id, String after, int limit);

    // ---- partitions ----

    /** The latest run of a job's partition, or null. */
    PartitionIndex.PartitionRun partitionRun(String job, String partition);

    /** The latest materialization of an asset's partition, or null. */
    PartitionIndex.AssetPartition assetPartition(String assetKey, String partition);
}
