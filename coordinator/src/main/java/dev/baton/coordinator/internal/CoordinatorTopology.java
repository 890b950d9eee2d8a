package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.admission.AdmissionProcessor;
import dev.baton.coordinator.internal.cache.CacheProcessor;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.LatestValueUpdater;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Processor;


import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;


/**
 * The coordinator's Processor API topology. Sub-topology 1 (the fold, keyed by run id) reads requests,
 * control commands and agent reports; sub-topology 2 (admission, keyed by job or pool) enforces
 * concurrency limits across partitions. A global store holds the latest registered job definitions.
 */
public final class CoordinatorTopology {
    private CoordinatorTopology() {}

    public static Topology build(Topics topics, RunDecider decider, Codecs codecs, CoordinatorMetrics metrics,
                                 Duration punctuateInterval, Duration commitCoalesce, Duration commitMaxDelay,
                                 Duration commitLinger, int maxRecordBytes) {
        Topology t = new Topology();
        var str = Serdes.String();
        var bytes = Serdes.ByteArray();

        StoreBuilder<TimestampedKeyValueStore<String, byte[]>> jobs = Stores.timestampedKeyValueStoreBuilder(
                Stores.persistentTimestampedKeyValueStore(Names.JOBS_STORE), str, bytes).withLoggingDisabled();
        t.addGlobalStore(jobs, Names.SOURCE_JOBS, str.deserializer(), bytes.deserializer(), topics.jobs(),
                Names.JOBS_PROCESSOR, () -> new LatestValueUpdater(Names.JOBS_STORE));

        StoreBuilder<TimestampedKeyValueStore<String, byte[]>> assets = Stores.timestampedKeyValueStoreBuilder(
                Stores.persistentTimestampedKeyValueStore(Names.ASSETS_STORE), str, bytes).withLoggingDisabled();
        t.addGlobalStore(assets, Names.SOURCE_ASSETS_LATEST, str.deserializer(), bytes.deserializer(), topics.assetsLatest(),
                Names.ASSETS_PROCESSOR, () -> new LatestValueUpdater(Names.ASSETS_STORE));

        t.addSource(Names.SOURCE_REQUESTS, str.deserializer(), bytes.deserializer(), topics.runRequests());
        t.addSource(Names.SOURCE_CONTROL, str.deserializer(), bytes.deserializer(), topics.runControl());
        t.addSource(Names.SOURCE_REPORTS, str.deserializer(), bytes.deserializer(), topics.agentReports());
        t.addProcessor(Names.RUN_PROCESSOR, () -> new RunProcessor(decider, codecs, topics, metrics, punctuateInterval, commitCoalesce, commitMaxDelay,
                        commitLinger, maxRecordBytes),
                Names.SOURCE_REQUESTS, Names.SOURCE_CONTROL, Names.SOURCE_REPORTS);
        // Cached: the states a run goes through within one commit, and a short step's timers (armed at its start,
        // removed at its end), reach RocksDB and the changelog once, or not at all, when the commit flushes the cache.
        // A run's state is split over the first three (header, one record per step, definitions by content hash) so
        // that no record grows with the job's size.
        // forEach instances' outputs: one record per instance, written once, read when the mapped step ends.
        for (String name : new String[] {Names.RUN_STORE, Names.RUN_STEP_STORE, Names.DEFINITION_STORE,
                Names.INSTANCE_OUTPUT_STORE}) {
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), str, bytes).withCachingEnabled(),
                    Names.RUN_PROCESSOR);
        }
        // The timers' index by identity is kept in memory and rebuilt from this store at init (see TimerBook): no store,
        // so no changelog partition in every transaction.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.TIMER_STORE), Serdes.Bytes(), bytes)
                .withCachingEnabled(), Names.RUN_PROCESSOR);

        var ser = str.serializer();
        var bser = bytes.serializer();
        t.addSink(Names.SINK_RUN_EVENTS, topics.runEvents(), ser, bser, Names.RUN_PROCESSOR);
        TopicNameExtractor<String, byte[]> byPool = (key, value, ctx) -> {
            Header h = ctx.headers().lastHeader(Names.POOL_HEADER);
            return topics.commands(new String(h.value(), StandardCharsets.UTF_8));
        };
        t.addSink(Names.SINK_COMMANDS, byPool, ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_AGENT_CONTROL, topics.agentControl(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_REQUESTS, topics.runRequests(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_LINEAGE, topics.lineage(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_ASSETS_LATEST, topics.assetsLatest(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_ADMISSION, topics.admission(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_DLQ, topics.deadLetters(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_CONTROL, topics.runControl(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_STEP_CACHE, topics.stepCache(), ser, bser, Names.RUN_PROCESSOR);
        t.addSink(Names.SINK_STEP_CACHE_LOOKUPS, topics.stepCacheLookups(), ser, bser, Names.RUN_PROCESSOR);

        t.addSource(Names.SOURCE_ADMISSION, str.deserializer(), bytes.deserializer(), topics.admission());
        t.addProcessor(Names.ADMISSION_PROCESSOR, () -> new AdmissionProcessor(codecs.control(), topics.runControl(), metrics),
                Names.SOURCE_ADMISSION);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.ADMISSION_STORE), str, bytes),
                Names.ADMISSION_PROCESSOR);
        t.addSink(Names.SINK_ADMITTED, topics.runControl(), ser, bser, Names.ADMISSION_PROCESSOR);

        t.addSource(Names.SOURCE_LINEAGE, str.deserializer(), bytes.deserializer(), topics.lineage());
        t.addProcessor(Names.FRESHNESS_PROCESSOR, () -> new FreshnessProcessor(codecs, topics, metrics), Names.SOURCE_LINEAGE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.FRESHNESS_STORE), str, bytes),
                Names.FRESHNESS_PROCESSOR);
        t.addSink(Names.SINK_FRESHNESS, topics.lineage(), ser, bser, Names.FRESHNESS_PROCESSOR);

        // The step cache stage (see CacheProcessor): entries and lookups keyed by index key, one store.
        t.addSource(Names.SOURCE_STEP_CACHE, str.deserializer(), bytes.deserializer(), topics.stepCache());
        t.addSource(Names.SOURCE_STEP_CACHE_LOOKUPS, str.deserializer(), bytes.deserializer(), topics.stepCacheLookups());
        t.addProcessor(Names.CACHE_PROCESSOR, () -> new CacheProcessor(codecs.control(), topics.runControl()),
                Names.SOURCE_STEP_CACHE, Names.SOURCE_STEP_CACHE_LOOKUPS);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STEP_CACHE_STORE), str, bytes),
                Names.CACHE_PROCESSOR);
        t.addSink(Names.SINK_CACHE_ANSWER, topics.runControl(), ser, bser, Names.CACHE_PROCESSOR);
        return t;
    }
}
