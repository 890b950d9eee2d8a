package dev.baton.gateway.internal.readmodel;

import dev.baton.events.JobDefinition;
import dev.baton.gateway.internal.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;

/** {@link ReadStores} over the Kafka Streams stores of a {@link ReadModel}: decodes jobs (Avro) and asset states (JSON). */
public final class KafkaReadStores implements ReadStores {
    private final ReadModel model;
    private final ReadModelTopology.Codecs codecs;
    private final String jobsTopic;

    public KafkaReadStores(ReadModel model, ReadModelTopology.Codecs codecs, String jobsTopic) {
        this.model = model;
        this.codecs = codecs;
        this.jobsTopic = jobsTopic;
    }

    private JobDefinition decode(byte[] bytes) {
        return ReadModel.decodeJob(codecs, jobsTopic, bytes);
    }

    @Override
    public LiveFeed feed() {
        return model.feed();
    }

    @Override
    public JobDefinition job(String name) {
        return decode(model.job(name));
    }

    @Override
    public JobDefinition jobVersion(String name, int version) {
        return decode(model.jobVersion(name, version));
    }

    @Override
    public List<Integer> jobVersions(String name) {
        return model.jobVersions(name);
    }

    @Override
    public List<JobDefinition> jobs() {
        List<JobDefinition> out = new ArrayList<>();
        model.allJobs().forEach(b -> out.add(decode(b)));
        return out;
    }

    @Override
    public Optional<RunView> run(String runId) {
        return model.run(runId);
    }

    @Override
    public ReadModel.Page<RunView> runs(ReadModel.RunQuery q) {
        return model.runs(q);
    }

    @Override
    public ReadModel.StepPage steps(RunView run, int from, int limit) {
        return model.steps(run, from, limit);
    }

    @Override
    public List<byte[]> events(String runId, long afterSequence, int limit) {
        return model.events(runId, afterSequence, limit);
    }

    @Override
    public ReadModel.LogPage logs(ReadModel.LogQuery q) {
        return model.logs(q);
    }

    @Override
    public List<AssetSummary> assets() {
        List<AssetSummary> out = new ArrayList<>();
        for (KeyValue<String, byte[]> kv : model.assets(null, Integer.MAX_VALUE).items()) {
            out.add(Json.read(kv.value, AssetSummary.class));
        }
        return out;
    }

    @Override
    public AssetSummary asset(String key) {
        byte[] b = model.asset(key);
        return b == null ? null : Json.read(b, AssetSummary.class);
    }

    @Override
    public ReadModel.Page<byte[]> materializations(String key, String after, int limit) {
        return model.materializations(key, after, limit);
    }

    @Override
    public ReadModel.Page<byte[]> checks(String key, String after, int limit) {
        return model.checks(key, after, limit);
    }

    @Override
    public List<byte[]> checksOf(String key, String materializationId) {
        return model.checksOf(key, materializationId);
    }

    @Override
    public List<byte[]> agents() {
        return model.agents();
    }

    @Override
    public dev.baton.gateway.internal.backfills.BackfillState backfill(String id) {
        return model.backfill(id);
    }

    @Override
    public List<dev.baton.gateway.internal.backfills.BackfillState> backfills() {
        return model.backfills();
    }

    @Override
    public List<Map.Entry<String, String>> backfillFailed(String id, String after, int limit) {
        return model.backfillFailed(id, after, limit);
    }

    @Override
    public PartitionIndex.PartitionRun partitionRun(String job, String partition) {
        byte[] b = model.partitionRecord(ReadModelTopology.STORE_PARTITION_RUNS, job, partition);
        return b == null ? null : Json.read(b, PartitionIndex.PartitionRun.class);
    }

    @Override
    public PartitionIndex.AssetPartition assetPartition(String assetKey, String partition) {
        byte[] b = model.partitionRecord(ReadModelTopology.STORE_ASSET_PARTITIONS, assetKey, partition);
        return b == null ? null : Json.read(b, PartitionIndex.AssetPartition.class);
    }
}
