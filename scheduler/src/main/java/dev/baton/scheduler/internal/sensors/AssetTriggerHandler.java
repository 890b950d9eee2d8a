package dev.baton.scheduler.internal.sensors;

import dev.baton.events.AssetMaterialization;
import dev.baton.events.AssetTrigger;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.jobs.PartitionSet;
import dev.baton.platform.RunIds;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.DecodeFailure;
import dev.baton.schemas.serde.EventDecodeException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * An asset trigger's record handling: one run per materialization (on {@code Topics.lineage()}) of a listed asset,
 * run key {@code asset:<asset>@<materialization event id>}, origin ASSET. Check results, freshness changes and other
 * assets are filtered out.
 *
 * <p>Partition-aware: when the triggered job is partitioned, the run is the job's partition with the same key as the
 * materialized partition of the upstream asset (definitions that match, such as daily and daily). A materialization
 * without a partition, or of a partition key the job does not have, requests nothing for a partitioned job
 * (filtered: there is no partition to run).
 *
 * <p>A key of a dynamic dimension must also be in the job's dynamic partition set now (as the scheduler has read
 * {@code baton.partition-keys} after the batch began, {@link PartitionKeysView}). A key of the right form that is not
 * in the set requests nothing either, but is not dropped silently: the materialization goes to the dead-letter topic
 * with cause {@value #PARTITION_NOT_IN_SET} and a reason naming the key and the set.
 */
public final class AssetTriggerHandler implements RecordHandler {
    /** Dead-letter cause: the materialized partition's key is not in the job's dynamic partition set. */
    public static final String PARTITION_NOT_IN_SET = "PARTITION_NOT_IN_SET";

    private final AssetTrigger trigger;
    private final Set<String> assets;
    private final AvroSerde<LineageEvent> serde;
    private final java.util.function.LongFunction<PartitionSet.DynamicKeys> dynamicKeys;
    private long batchStart = System.nanoTime();

    /**
     * @param dynamicKeys the keys of dynamic partition sets as of a batch's start ({@link System#nanoTime()}), as
     *                    {@link PartitionKeysView#asOf}; null: no set has a key (a job partitioned by a dynamic set is
     *                    then never run by this trigger)
     */
    public AssetTriggerHandler(AssetTrigger trigger, AvroSerde<LineageEvent> serde,
                               java.util.function.LongFunction<PartitionSet.DynamicKeys> dynamicKeys) {
        this.trigger = trigger;
        this.assets = Set.copyOf(trigger.getAssets());
        this.serde = serde;
        this.dynamicKeys = dynamicKeys;
    }

    @Override
    public void beginBatch() {
        batchStart = System.nanoTime();
    }

    private PartitionSet.DynamicKeys keys() {
        if (dynamicKeys == null) {
            return new PartitionSet.DynamicKeys() {
                @Override
                public boolean contains(String set, String key) {
                    return false;
                }

                @Override
                public java.util.Iterator<String> keys(String set) {
                    return java.util.Collections.emptyIterator();
                }
            };
        }
        return dynamicKeys.apply(batchStart);
    }

    @Override
    public Outcome handle(ConsumerRecord<byte[], byte[]> rec, JobDefinition job, Instant now) {
        LineageEvent event;
        try {
            event = serde.deserialize(rec.topic(), rec.value());
        } catch (EventDecodeException e) {
            if (e.failure() == DecodeFailure.REGISTRY_UNAVAILABLE) {
                throw e; // not the record's fault: retry the batch
            }
            return new Outcome.DeadLetter(e.failure().name(), e.getMessage());
        }
        if (!(event.getPayload() instanceof AssetMaterialization m) || !assets.contains(event.getAssetKey())) {
            return Outcome.FILTERED;
        }
        String partition = null;
        if (job.getPartitions() != null) {
            PartitionSet form = PartitionSet.of(job.getPartitions());
            if (event.getPartition() == null || !form.contains(event.getPartition())) {
                return Outcome.FILTERED;
            }
            if (form.dynamic()) {
                try {
                    PartitionSet.of(job.getPartitions(), keys()).partition(event.getPartition());
                } catch (IllegalArgumentException e) {
                    return new Outcome.DeadLetter(PARTITION_NOT_IN_SET, "trigger '" + trigger.getName() + "' of job '"
                            + job.getName() + "': materialization " + event.getEventId() + " of asset '" + event.getAssetKey()
                            + "': " + e.getMessage() + "; no run requested");
                }
            }
            partition = event.getPartition();
        }
        String runKey = RunIds.assetKey(event.getAssetKey(), event.getEventId());
        String runId = RunIds.forRunKey(job.getName(), runKey);
        String eventId = UUID.nameUUIDFromBytes(("asset-request\u0000" + runId).getBytes(StandardCharsets.UTF_8)).toString();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("baton.trigger", trigger.getName());
        tags.put("baton.asset", event.getAssetKey());
        tags.put("baton.materialization", event.getEventId());
        if (event.getRunId() != null) {
            tags.put("baton.upstream.run", event.getRunId());
        }
        tags.put("baton.upstream.job", m.getJob());
        if (event.getPartition() != null) {
            tags.put("baton.upstream.partition", event.getPartition());
        }
        return new Outcome.Request(RunRequest.newBuilder()
                .setEventId(eventId)
                .setRunId(runId)
                .setTimestamp(now)
                .setTraceId(event.getTraceId())
                .setJob(job.getName())
                .setRunKey(runKey)
                .setTags(tags)
                .setOrigin(Origin.ASSET)
                .setRequestedBy("asset-trigger:" + trigger.getName())
                .setDefinition(job)
                .setPartition(partition)
                .build());
    }
}
