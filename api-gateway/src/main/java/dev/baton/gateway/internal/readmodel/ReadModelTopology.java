package dev.baton.gateway.internal.readmodel;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequested;
import dev.baton.events.RunningStep;
import dev.baton.events.UpstreamRef;
import dev.baton.gateway.internal.json.AvroJson;
import dev.baton.gateway.internal.json.Json;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.DecodeFailure;
import dev.baton.schemas.serde.EventDecodeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's read model: one source, processor and set of stores per input topic, each its own
 * sub-topology. Every processor, store and sink is named by a constant here (store names also name the
 * changelog topics, so renaming one orphans its state).
 */
public final class ReadModelTopology {
    private static final Logger log = LoggerFactory.getLogger(ReadModelTopology.class);

    public static final String SOURCE_RUN_EVENTS = "gateway-source-run-events";
    public static final String SOURCE_LOGS = "gateway-source-logs";
    public static final String SOURCE_JOBS = "gateway-source-jobs";
    public static final String SOURCE_LINEAGE = "gateway-source-lineage";
    public static final String SOURCE_AGENTS = "gateway-source-agents";
    public static final String SOURCE_BACKFILLS = "gateway-source-backfills";
    public static final String PROC_BACKFILLS = "gateway-store-backfills";
    public static final String SINK_DLQ_BACKFILLS = "gateway-dlq-backfills";
    /** backfill id → the backfill's counters and status ({@link StoredBackfill} JSON), the fold of its events. */
    public static final String STORE_BACKFILLS = "gateway-backfill-states";
    /** {@code backfillId|partition} → run id of the partition's failed run: what retry-failed launches. */
    public static final String STORE_BACKFILL_FAILED = "gateway-backfill-failed";
    /** {@code backfillId|index} (zero-padded) → a listed partition key of the backfill, written once on its request. */
    public static final String STORE_BACKFILL_PARTITIONS = "gateway-backfill-partitions";
    /** {@code backfillId|partition} → launch sequence and run id of a partition in flight (deleted when it ends). */
    public static final String STORE_BACKFILL_IN_FLIGHT = "gateway-backfill-in-flight";
    /** {@code job|partition} → {@link PartitionIndex.PartitionRun} JSON: the partition's latest run. */
    public static final String STORE_PARTITION_RUNS = "gateway-partition-runs";
    /** {@code assetKey|partition} → {@link PartitionIndex.AssetPartition} JSON: the partition's latest materialization. */
    public static final String STORE_ASSET_PARTITIONS = "gateway-asset-partitions";

    public static final String PROC_RUNS = "gateway-fold-runs";
    public static final String PROC_LOGS = "gateway-store-logs";
    public static final String PROC_JOBS = "gateway-store-jobs";
    public static final String PROC_ASSETS = "gateway-fold-assets";
    public static final String PROC_AGENTS = "gateway-store-agents";

    public static final String SINK_DLQ_RUNS = "gateway-dlq-runs";
    public static final String SINK_DLQ_LOGS = "gateway-dlq-logs";
    public static final String SINK_DLQ_JOBS = "gateway-dlq-jobs";
    public static final String SINK_DLQ_ASSETS = "gateway-dlq-assets";
    public static final String SINK_DLQ_AGENTS = "gateway-dlq-agents";

    /** runId → {@link RunView} JSON. */
    public static final String STORE_RUNS = "gateway-runs";
    /** {@code invertedTs|runId} → API status. */
    public static final String STORE_RUNS_BY_TIME = "gateway-runs-by-time";
    /** {@code job|invertedTs|runId} → API status. */
    public static final String STORE_RUNS_BY_JOB = "gateway-runs-by-job";
    /** {@code STATUS|invertedTs|runId} → empty. */
    public static final String STORE_RUNS_BY_STATUS = "gateway-runs-by-status";
    /** {@code runId|sequence} → event JSON as the API shows it. */
    public static final String STORE_RUN_EVENTS = "gateway-run-events";
    /** {@code runId|stepKey} → {@link StepView} JSON: a run's steps live beside its record, so no record grows with the job. */
    public static final String STORE_RUN_STEPS = "gateway-run-steps";
    /**
     * {@code runId|time|step|attempt|seq} ({@link Keys#logLine}) → log line JSON: a run's lines in time order, read by
     * forward and reverse range scans (a tail costs the same on a run of 20 lines as on one of a million).
     * Replaces {@code gateway-logs}, whose keys could not be read in time order without loading the whole run.
     */
    public static final String STORE_LOG_LINES = "gateway-log-lines";
    /** {@code runId|step|attempt|seq} ({@link Keys#logByStep}) → the line's {@link #STORE_LOG_LINES} key: reads of one step. */
    public static final String STORE_LOG_INDEX = "gateway-log-index";
    /** {@code runId}, {@code runId|step}, {@code runId|step|attempt} → number of lines (8-byte big-endian long). */
    public static final String STORE_LOG_COUNTS = "gateway-log-counts";
    /** job name → latest JobDefinition (Avro, Confluent wire format as read from the jobs topic). */
    public static final String STORE_JOBS = "gateway-jobs";
    /** {@code job|version} → JobDefinition (wire format). */
    public static final String STORE_JOB_VERSIONS = "gateway-job-versions";
    /** asset key → {@link AssetSummary} JSON. */
    public static final String STORE_ASSETS = "gateway-assets";
    /** {@code assetKey|invertedTs|materializationId} → materialization JSON. */
    public static final String STORE_MATERIALIZATIONS = "gateway-asset-materializations";
    /** {@code assetKey|invertedTs|eventId} → check result JSON: the check history. */
    public static final String STORE_CHECKS = "gateway-asset-checks";
    /** {@code assetKey|materializationId|checkName} → check result JSON: the checks of each materialization. */
    public static final String STORE_MATERIALIZATION_CHECKS = "gateway-asset-materialization-checks";
    /** agent id → agent JSON. */
    public static final String STORE_AGENTS = "gateway-agents";

    public static final String COMPONENT = "gateway";

    private ReadModelTopology() {}

    /** The decoders of the input topics and the encoder of dead letters. */
    public record Codecs(AvroSerde<RunEvent> runEvents, AvroSerde<LogBatch> logs, AvroSerde<JobDefinition> jobs,
                         AvroSerde<LineageEvent> lineage, AvroSerde<AgentHeartbeat> agents, AvroSerde<DeadLetter> deadLetters,
                         AvroSerde<dev.baton.events.BackfillEvent> backfillEvents) {
        public static Codecs create(Map<String, Object> registryConfig) {
            Map<String, Object> compacted = new LinkedHashMap<>(registryConfig);
            compacted.put("baton.avro.tombstones", true);
            return new Codecs(AvroSerde.forValues(RunEvent.class, registryConfig), AvroSerde.forValues(LogBatch.class, registryConfig),
                    AvroSerde.forValues(JobDefinition.class, compacted), AvroSerde.forValues(LineageEvent.class, registryConfig),
                    AvroSerde.forValues(AgentHeartbeat.class, compacted), AvroSerde.forValues(DeadLetter.class, registryConfig),
                    AvroSerde.forValues(dev.baton.events.BackfillEvent.class, registryConfig));
        }
    }

    /** Counters the processors report to. */
    public interface Listener {
        void deadLettered(String topic, String cause);
    }

    public static Topology build(Topics topics, Codecs codecs, LiveFeed feed, Listener listener) {
        Topology t = new Topology();
        var keys = Serdes.String().deserializer();
        var bytes = Serdes.ByteArray().deserializer();
        var dlqKeys = Serdes.String().serializer();

        t.addSource(SOURCE_RUN_EVENTS, keys, bytes, topics.runEvents());
        t.addProcessor(PROC_RUNS, () -> new RunsProcessor(codecs, feed, listener), SOURCE_RUN_EVENTS);
        t.addStateStore(store(STORE_RUNS), PROC_RUNS);
        t.addStateStore(store(STORE_RUNS_BY_TIME), PROC_RUNS);
        t.addStateStore(store(STORE_RUNS_BY_JOB), PROC_RUNS);
        t.addStateStore(store(STORE_RUNS_BY_STATUS), PROC_RUNS);
        t.addStateStore(store(STORE_RUN_EVENTS), PROC_RUNS);
        t.addStateStore(store(STORE_RUN_STEPS), PROC_RUNS);
        t.addStateStore(store(STORE_PARTITION_RUNS), PROC_RUNS);
        t.addSink(SINK_DLQ_RUNS, topics.deadLetters(), dlqKeys, codecs.deadLetters().serializer(), PROC_RUNS);

        t.addSource(SOURCE_LOGS, keys, bytes, topics.logs());
        t.addProcessor(PROC_LOGS, () -> new LogsProcessor(codecs, feed, listener), SOURCE_LOGS);
        t.addStateStore(store(STORE_LOG_LINES), PROC_LOGS);
        t.addStateStore(store(STORE_LOG_INDEX), PROC_LOGS);
        t.addStateStore(store(STORE_LOG_COUNTS), PROC_LOGS);
        t.addSink(SINK_DLQ_LOGS, topics.deadLetters(), dlqKeys, codecs.deadLetters().serializer(), PROC_LOGS);

        t.addSource(SOURCE_JOBS, keys, bytes, topics.jobs());
        t.addProcessor(PROC_JOBS, () -> new JobsProcessor(codecs, feed, listener), SOURCE_JOBS);
        t.addStateStore(store(STORE_JOBS), PROC_JOBS);
        t.addStateStore(store(STORE_JOB_VERSIONS), PROC_JOBS);
        t.addSink(SINK_DLQ_JOBS, topics.deadLetters(), dlqKeys, codecs.deadLetters().serializer(), PROC_JOBS);

        t.addSource(SOURCE_LINEAGE, keys, bytes, topics.lineage());
        t.addProcessor(PROC_ASSETS, () -> new AssetsProcessor(codecs, listener), SOURCE_LINEAGE);
        t.addStateStore(store(STORE_ASSETS), PROC_ASSETS);
        t.addStateStore(store(STORE_MATERIALIZATIONS), PROC_ASSETS);
        t.addStateStore(store(STORE_CHECKS), PROC_ASSETS);
        t.addStateStore(store(STORE_MATERIALIZATION_CHECKS), PROC_ASSETS);
        t.addStateStore(store(STORE_ASSET_PARTITIONS), PROC_ASSETS);
        t.addSink(SINK_DLQ_ASSETS, topics.deadLetters(), dlqKeys, codecs.deadLetters().serializer(), PROC_ASSETS);

        t.addSource(SOURCE_AGENTS, keys, bytes, topics.agents());
        t.addProcessor(PROC_AGENTS, () -> new AgentsProcessor(codecs, listener), SOURCE_AGENTS);
        t.addStateStore(store(STORE_AGENTS), PROC_AGENTS);
        t.addSink(SINK_DLQ_AGENTS, topics.deadLetters(), dlqKeys, codecs.deadLetters().serializer(), PROC_AGENTS);

        t.addSource(SOURCE_BACKFILLS, keys, bytes, topics.backfillEvents());
        t.addProcessor(PROC_BACKFILLS, () -> new BackfillsProcessor(codecs, feed, listener), SOURCE_BACKFILLS);
        t.addStateStore(store(STORE_BACKFILLS), PROC_BACKFILLS);
        t.addStateStore(store(STORE_BACKFILL_FAILED), PROC_BACKFILLS);
        t.addStateStore(store(STORE_BACKFILL_PARTITIONS), PROC_BACKFILLS);
        t.addStateStore(store(STORE_BACKFILL_IN_FLIGHT), PROC_BACKFILLS);
        t.addSink(SINK_DLQ_BACKFILLS, topics.deadLetters(), dlqKeys, codecs.deadLetters().serializer(), PROC_BACKFILLS);
        return t;
    }

    private static org.apache.kafka.streams.state.StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
        // Persistent (RocksDB) and logged: the read model survives restarts and moves with its tasks.
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray());
    }

    // ---------------------------------------------------------------------------------------------

    /** Decodes input records; undecodable ones go to the dead-letter topic (registry outages fail the thread, to be retried). */
    abstract static class Base<T extends SpecificRecord> implements Processor<String, byte[], String, DeadLetter> {
        private final AvroSerde<T> serde;
        private final Listener listener;
        ProcessorContext<String, DeadLetter> context;

        Base(AvroSerde<T> serde, Listener listener) {
            this.serde = serde;
            this.listener = listener;
        }

        @Override
        public void init(ProcessorContext<String, DeadLetter> context) {
            this.context = context;
        }

        KeyValueStore<String, byte[]> store(String name) {
            return context.getStateStore(name);
        }

        @Override
        public final void process(Record<String, byte[]> record) {
            T value;
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("?");
            try {
                value = serde.deserialize(topic, record.value());
            } catch (EventDecodeException e) {
                if (e.failure() == DecodeFailure.REGISTRY_UNAVAILABLE) {
                    throw e; // not the record's fault: fail and retry rather than set it aside
                }
                deadLetter(record, topic, e.failure().name(), e.getMessage());
                return;
            }
            try {
                handle(record.key(), value, record);
            } catch (RuntimeException e) {
                log.error("Read model cannot apply a record of {} (key {}); setting it aside", topic, record.key(), e);
                deadLetter(record, topic, "PROCESSING_ERROR", String.valueOf(e));
            }
        }

        abstract void handle(String key, T value, Record<String, byte[]> record);

        private void deadLetter(Record<String, byte[]> record, String topic, String cause, String reason) {
            var meta = context.recordMetadata();
            int partition = meta.map(m -> m.partition()).orElse(-1);
            long offset = meta.map(m -> m.offset()).orElse(-1L);
            log.warn("Dead-lettering record {}-{}@{}: {} {}", topic, partition, offset, cause, reason);
            DeadLetter d = DeadLetters.of(COMPONENT, cause, reason, topic, partition, offset,
                    record.key() == null ? null : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    record.value(), record.headers(), null, Instant.ofEpochMilli(Math.max(0, record.timestamp())));
            context.forward(new Record<>(topic, d, record.timestamp()));
            listener.deadLettered(topic, cause);
        }
    }

    static final class RunsProcessor extends Base<RunEvent> {
        private final LiveFeed feed;
        private KeyValueStore<String, byte[]> runs, byTime, byJob, byStatus, events, steps, partitionRuns;

        RunsProcessor(Codecs codecs, LiveFeed feed, Listener listener) {
            super(codecs.runEvents(), listener);
            this.feed = feed;
        }

        @Override
        public void init(ProcessorContext<String, DeadLetter> context) {
            super.init(context);
            runs = store(STORE_RUNS);
            byTime = store(STORE_RUNS_BY_TIME);
            byJob = store(STORE_RUNS_BY_JOB);
            byStatus = store(STORE_RUNS_BY_STATUS);
            events = store(STORE_RUN_EVENTS);
            steps = store(STORE_RUN_STEPS);
            partitionRuns = store(STORE_PARTITION_RUNS);
        }

        @Override
        void handle(String key, RunEvent e, Record<String, byte[]> record) {
            String runId = e.getRunId();
            byte[] stored = runs.get(runId);
            RunView before = stored == null ? null : Json.read(stored, RunView.class);
            String oldStatus = before == null ? null : ApiStatus.run(before.status);
            String oldJob = before == null ? null : before.job;
            long oldAt = before == null ? 0 : before.requestedAt;
            // The run record holds no steps: the fold sees the one step the event is about, loaded from its own store.
            // A record written by an older gateway still embeds its steps; they move to the step store now.
            boolean legacy = before != null && !before.steps.isEmpty();
            Map<String, String> oldStepStatus = new HashMap<>();
            if (before != null && !legacy && e.getStepKey() != null) {
                // a forEach instance (key[i]) shows under its mapped step, whose record holds the instances in flight
                String parentKey = dev.baton.runmodel.state.StepInstances.parent(e.getStepKey());
                byte[] sb = steps.get(Keys.step(runId, parentKey != null ? parentKey : e.getStepKey()));
                if (sb != null) {
                    StepView sv = Json.read(sb, StepView.class);
                    before.steps.put(sv.key, sv);
                    oldStepStatus.put(sv.key, sv.status);
                }
            }
            Map<String, String> oldStepJson = new HashMap<>();
            if (before != null) {
                before.steps.forEach((k, sv) -> oldStepJson.put(k, new String(Json.bytes(sv), java.nio.charset.StandardCharsets.UTF_8)));
            }

            RunView after = RunFold.apply(before, e);
            if (after == null) {
                return;
            }
            boolean fresh = after != before;
            if (legacy && !fresh) {
                after.stepCounts = new java.util.TreeMap<>();
                oldStepStatus.clear();
                oldStepJson.clear(); // write every step out once
            }
            for (StepView sv : after.steps.values()) {
                String was = fresh ? null : oldStepStatus.get(sv.key);
                if (was != null) {
                    after.stepCounts.computeIfPresent(was, (k, n) -> n <= 1 ? null : n - 1);
                }
                after.stepCounts.merge(sv.status, 1, Integer::sum);
                byte[] json = Json.bytes(sv);
                String previous = fresh ? null : oldStepJson.get(sv.key);
                if (previous == null || !previous.equals(new String(json, java.nio.charset.StandardCharsets.UTF_8))) {
                    steps.put(Keys.step(runId, sv.key), json);
                }
            }
            after.stepCount = after.stepCounts.values().stream().mapToInt(Integer::intValue).sum();
            after.steps = new LinkedHashMap<>();
            runs.put(runId, Json.bytes(after));
            PartitionIndex.onRun(partitionRuns, after);
            String status = ApiStatus.run(after.status);
            boolean moved = before == null || !Objects.equals(oldJob, after.job) || oldAt != after.requestedAt;
            if (moved || !status.equals(oldStatus)) {
                if (before != null) {
                    String oldOrder = Keys.runOrder(oldAt, runId);
                    byTime.delete(oldOrder);
                    byJob.delete(Keys.byJob(oldJob, oldOrder));
                    byStatus.delete(Keys.byStatus(oldStatus, oldOrder));
                }
                String order = Keys.runOrder(after.requestedAt, runId);
                byte[] s = status.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byTime.put(order, s);
                byJob.put(Keys.byJob(after.job, order), s);
                byStatus.put(Keys.byStatus(status, order), new byte[0]);
            }
            String type = e.getPayload().getClass().getSimpleName();
            byte[] json = Json.bytes(eventJson(e, type));
            events.put(Keys.event(runId, e.getSequence()), json);
            feed.publish(new LiveFeed.EventItem(runId, e.getSequence(), type, json, after.finished()));
        }
    }

    /** A run event as the API shows it; the definition snapshot of RunRequested is reduced to its name and version. */
    static Map<String, Object> eventJson(RunEvent e, String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", e.getSequence());
        m.put("type", type);
        m.put("runId", e.getRunId());
        m.put("job", e.getJob());
        if (e.getStepKey() != null) {
            m.put("stepKey", e.getStepKey());
        }
        m.put("timestamp", e.getTimestamp().toString());
        m.put("eventId", e.getEventId());
        m.put("traceId", e.getTraceId());
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) AvroJson.toTree(e.getPayload());
        if (e.getPayload() instanceof RunRequested r) {
            payload.put("definition", Map.of("name", r.getDefinition().getName(), "version", r.getDefinition().getVersion()));
        }
        m.put("payload", payload);
        return m;
    }

    static final class LogsProcessor extends Base<LogBatch> {
        private final LiveFeed feed;
        private KeyValueStore<String, byte[]> lines, index, counts;

        LogsProcessor(Codecs codecs, LiveFeed feed, Listener listener) {
            super(codecs.logs(), listener);
            this.feed = feed;
        }

        @Override
        public void init(ProcessorContext<String, DeadLetter> context) {
            super.init(context);
            lines = store(STORE_LOG_LINES);
            index = store(STORE_LOG_INDEX);
            counts = store(STORE_LOG_COUNTS);
        }

        @Override
        void handle(String key, LogBatch b, Record<String, byte[]> record) {
            String runId = b.getRunId();
            long added = 0;
            for (LogLine line : b.getLines()) {
                String byStep = Keys.logByStep(runId, b.getStepKey(), b.getAttempt(), line.getSeq());
                if (index.get(byStep) != null) {
                    continue; // read again after a restart: stored and counted already
                }
                long time = line.getTime().toEpochMilli();
                String k = Keys.logLine(runId, time, b.getStepKey(), b.getAttempt(), line.getSeq());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", b.getStepKey());
                m.put("attempt", b.getAttempt());
                m.put("seq", line.getSeq());
                m.put("stream", line.getStream().name());
                m.put("time", line.getTime().toString());
                m.put("text", line.getText());
                m.put("agentId", b.getAgentId());
                byte[] json = Json.bytes(m);
                lines.put(k, json);
                index.put(byStep, k.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                added++;
                feed.publish(new LiveFeed.LogItem(runId, k, time, json));
            }
            if (added > 0) {
                add(runId, added);
                add(runId + Keys.SEP + b.getStepKey(), added);
                add(runId + Keys.SEP + b.getStepKey() + Keys.SEP + Keys.attempt(b.getAttempt()), added);
            }
        }

        private void add(String k, long n) {
            counts.put(k, encodeCount(decodeCount(counts.get(k)) + n));
        }
    }

    static byte[] encodeCount(long n) {
        return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(n).array();
    }

    static long decodeCount(byte[] b) {
        return b == null || b.length != Long.BYTES ? 0 : java.nio.ByteBuffer.wrap(b).getLong();
    }

    static final class JobsProcessor extends Base<JobDefinition> {
        private final LiveFeed feed;
        private KeyValueStore<String, byte[]> jobs, versions;

        JobsProcessor(Codecs codecs, LiveFeed feed, Listener listener) {
            super(codecs.jobs(), listener);
            this.feed = feed;
        }

        @Override
        public void init(ProcessorContext<String, DeadLetter> context) {
            super.init(context);
            jobs = store(STORE_JOBS);
            versions = store(STORE_JOB_VERSIONS);
        }

        @Override
        void handle(String key, JobDefinition def, Record<String, byte[]> record) {
            if (def == null) {
                jobs.delete(key); // tombstone: the job was removed; its versions stay for the runs that used them
                return;
            }
            jobs.put(def.getName(), record.value());
            versions.put(Keys.jobVersion(def.getName(), def.getVersion()), record.value());
            feed.publish(new LiveFeed.JobItem(def.getName(), def.getVersion()));
        }
    }

    static final class AssetsProcessor extends Base<LineageEvent> {
        private KeyValueStore<String, byte[]> assets, materializations, checks, materializationChecks, assetPartitions;

        AssetsProcessor(Codecs codecs, Listener listener) {
            super(codecs.lineage(), listener);
        }

        @Override
        public void init(ProcessorContext<String, DeadLetter> context) {
            super.init(context);
            assets = store(STORE_ASSETS);
            materializations = store(STORE_MATERIALIZATIONS);
            checks = store(STORE_CHECKS);
            materializationChecks = store(STORE_MATERIALIZATION_CHECKS);
            assetPartitions = store(STORE_ASSET_PARTITIONS);
        }

        @Override
        void handle(String key, LineageEvent e, Record<String, byte[]> record) {
            String asset = e.getAssetKey();
            byte[] stored = assets.get(asset);
            AssetSummary before = stored == null ? null : Json.read(stored, AssetSummary.class);
            long at = e.getTimestamp().toEpochMilli();
            Map<String, Object> json = null;
            boolean alreadyStored = false;
            switch (e.getPayload()) {
                case AssetMaterialization m -> {
                    String k = Keys.materialization(asset, at, e.getEventId());
                    json = materializationJson(e, m);
                    alreadyStored = materializations.get(k) != null;
                    materializations.put(k, Json.bytes(json));
                    PartitionIndex.onMaterialization(assetPartitions, e, m);
                }
                case AssetCheckEvaluated c -> {
                    byte[] check = Json.bytes(AssetViews.check(AssetFold.check(e, c)));
                    checks.put(Keys.check(asset, at, e.getEventId()), check);
                    // Per asset key the lineage topic is ordered, so the last evaluation read is the newest.
                    materializationChecks.put(Keys.checkOfMaterialization(asset, c.getMaterializationId(), c.getCheckName()), check);
                }
                default -> { }
            }
            assets.put(asset, Json.bytes(AssetFold.apply(before, e, json, alreadyStored)));
        }
    }

    static Map<String, Object> materializationJson(LineageEvent e, AssetMaterialization m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("materializationId", e.getEventId());
        j.put("assetKey", e.getAssetKey());
        if (e.getPartition() != null) {
            j.put("partition", e.getPartition());
        }
        j.put("timestamp", e.getTimestamp().toString());
        j.put("runId", e.getRunId());
        j.put("job", m.getJob());
        j.put("stepKey", m.getStepKey());
        j.put("attempt", m.getAttempt());
        j.put("attemptId", m.getAttemptId());
        j.put("dataVersion", m.getDataVersion());
        j.put("metadata", AvroJson.metadata(m.getMetadata()));
        List<Map<String, Object>> upstream = new ArrayList<>();
        for (UpstreamRef u : m.getUpstream()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("assetKey", u.getAssetKey());
            if (u.getPartition() != null) {
                r.put("partition", u.getPartition());
            }
            r.put("materializationId", u.getMaterializationId());
            if (u.getDataVersion() != null) {
                r.put("dataVersion", u.getDataVersion());
            }
            upstream.add(r);
        }
        j.put("upstream", upstream);
        j.put("traceId", e.getTraceId());
        return j;
    }

    static final class AgentsProcessor extends Base<AgentHeartbeat> {
        private KeyValueStore<String, byte[]> agents;

        AgentsProcessor(Codecs codecs, Listener listener) {
            super(codecs.agents(), listener);
        }

        @Override
        public void init(ProcessorContext<String, DeadLetter> context) {
            super.init(context);
            agents = store(STORE_AGENTS);
        }

        @Override
        void handle(String key, AgentHeartbeat h, Record<String, byte[]> record) {
            if (h == null) {
                agents.delete(key);
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("agentId", h.getAgentId());
            m.put("pools", h.getPools());
            m.put("region", h.getRegion());
            m.put("host", h.getHost());
            m.put("version", h.getVersion());
            m.put("slots", h.getSlots());
            m.put("state", h.getState().name());
            List<Map<String, Object>> running = new ArrayList<>();
            for (RunningStep r : h.getRunning()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("runId", r.getRunId());
                x.put("stepKey", r.getStepKey());
                x.put("attempt", r.getAttempt());
                x.put("attemptId", r.getAttemptId());
                x.put("startedAt", r.getStartedAt().toString());
                running.add(x);
            }
            m.put("running", running);
            m.put("startedAt", h.getStartedAt().toString());
            m.put("lastHeartbeat", h.getTimestamp().toString());
            agents.put(h.getAgentId(), Json.bytes(m));
        }
    }

    /** Visits all entries of an iterator and closes it. */
    static void forEach(KeyValueIterator<String, byte[]> it, Consumer<org.apache.kafka.streams.KeyValue<String, byte[]>> c) {
        try (it) {
            while (it.hasNext()) {
                c.accept(it.next());
            }
        }
    }
}
