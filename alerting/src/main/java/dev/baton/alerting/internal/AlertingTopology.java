package dev.baton.alerting.internal;

import dev.baton.platform.streams.Routed;
import dev.baton.events.AgentHeartbeat;
import dev.baton.events.Alert;
import dev.baton.events.DeadLetter;
import dev.baton.events.Incident;
import dev.baton.events.IncidentCommand;
import dev.baton.events.IncidentEvent;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.RunEvent;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.LatestValueUpdater;
import dev.baton.schemas.serde.AvroSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The incident engine's topology.
 * <pre>
 *   jobs (global store: the alert rules of every job) ───────────────────────────┐ read by both
 *   run-events ─▶ run signals ──────┐                                            │
 *   lineage ─▶ check/freshness ─────┤                                            │
 *   agents ─▶ heartbeats ───────────┼─▶ repartition (1 partition) ─▶ incident processor ─▶ incidents, incidents-latest,
 *   scheduler-state ─▶ ticks ───────┤
 *   incident-control ─▶ acks ───────┘                               [incidents, groups,    alerts, dlq
 *                                                                    clears, agents]
 * </pre>
 * Every incident lives in the one task of the second sub-topology: its state and its outputs commit together.
 */
public final class AlertingTopology {
    private AlertingTopology() {}

    public static Topology build(Topics topics, Map<String, ?> registryConfig, IncidentProcessor.Settings settings) {
        AvroSerde<JobDefinition> jobs = AvroSerde.forValues(JobDefinition.class, registryConfig);
        AvroSerde<RunEvent> runEvents = AvroSerde.forValues(RunEvent.class, registryConfig);
        AvroSerde<LineageEvent> lineage = AvroSerde.forValues(LineageEvent.class, registryConfig);
        AvroSerde<AgentHeartbeat> heartbeats = AvroSerde.forValues(AgentHeartbeat.class, registryConfig);
        AvroSerde<IncidentCommand> commands = AvroSerde.forValues(IncidentCommand.class, registryConfig);
        AvroSerde<Incident> incidents = AvroSerde.forValues(Incident.class, registryConfig);
        AvroSerde<IncidentEvent> events = AvroSerde.forValues(IncidentEvent.class, registryConfig);
        AvroSerde<Alert> alerts = AvroSerde.forValues(Alert.class, registryConfig);
        AvroSerde<DeadLetter> deadLetters = AvroSerde.forValues(DeadLetter.class, registryConfig);
        boolean pools = settings.globalRules().stream().anyMatch(r -> r.getOn().contains(dev.baton.events.AlertCondition.POOL_UNSERVED));
        var str = Serdes.String();
        var bytes = Serdes.ByteArray();

        StreamsBuilder b = new StreamsBuilder();
        b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.JOBS_STORE), str, bytes)
                        .withLoggingDisabled(),
                topics.jobs(), Consumed.with(str, bytes).withName(Names.SOURCE_JOBS), () -> new LatestValueUpdater(Names.JOBS_STORE));

        KStream<String, byte[]> runs = b.stream(topics.runEvents(), Consumed.with(str, bytes).withName(Names.SOURCE_RUN_EVENTS))
                .process(() -> new SignalExtractor(SignalExtractor.Source.RUN_EVENTS, pools, runEvents, lineage, heartbeats, commands, jobs),
                        Named.as(Names.RUN_SIGNALS));
        KStream<String, byte[]> assets = b.stream(topics.lineage(), Consumed.with(str, bytes).withName(Names.SOURCE_LINEAGE))
                .process(() -> new SignalExtractor(SignalExtractor.Source.LINEAGE, pools, runEvents, lineage, heartbeats, commands, jobs),
                        Named.as(Names.LINEAGE_SIGNALS));
        KStream<String, byte[]> agents = b.stream(topics.agents(), Consumed.with(str, bytes).withName(Names.SOURCE_AGENTS))
                .process(() -> new SignalExtractor(SignalExtractor.Source.AGENTS, pools, runEvents, lineage, heartbeats, commands, jobs),
                        Named.as(Names.AGENT_SIGNALS));
        KStream<String, byte[]> control = b.stream(topics.incidentControl(), Consumed.with(str, bytes).withName(Names.SOURCE_CONTROL))
                .process(() -> new SignalExtractor(SignalExtractor.Source.CONTROL, pools, runEvents, lineage, heartbeats, commands, jobs),
                        Named.as(Names.CONTROL_SIGNALS));

        KStream<String, byte[]> schedules = b.stream(dev.baton.scheduler.api.SchedulerTopics.status(topics),
                        Consumed.with(str, bytes).withName(Names.SOURCE_SCHEDULES))
                .process(() -> new SignalExtractor(SignalExtractor.Source.SCHEDULES, pools, runEvents, lineage, heartbeats, commands, jobs),
                        Named.as(Names.SCHEDULE_SIGNALS));
        KStream<String, byte[]> signals = runs.merge(assets, Named.as(Names.MERGE_SIGNALS))
                .merge(schedules, Named.as(Names.MERGE_SCHEDULES)).merge(agents, Named.as(Names.MERGE_AGENTS))
                .merge(control, Named.as(Names.MERGE_CONTROL))
                .repartition(Repartitioned.<String, byte[]>as(Names.SIGNALS).withKeySerde(str).withValueSerde(bytes)
                        .withNumberOfPartitions(1));

        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.INCIDENTS_STORE), str, bytes));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.GROUPS_STORE), str, bytes));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.CLEARS_STORE), str, Serdes.Long()));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.AGENTS_STORE), str, bytes));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.PENDING_STORE), str, bytes));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.TICKS_STORE), str, Serdes.Long()));
        signals.process(() -> new IncidentProcessor(topics, settings, jobs, incidents, events, alerts, deadLetters),
                        Named.as(Names.INCIDENT_PROCESSOR), Names.INCIDENTS_STORE, Names.GROUPS_STORE, Names.CLEARS_STORE,
                        Names.AGENTS_STORE, Names.PENDING_STORE, Names.TICKS_STORE)
                .to((key, value, ctx) -> value.topic(), Produced.with(str, Routed.SERDE).withName(Names.SINK));
        return b.build();
    }
}
