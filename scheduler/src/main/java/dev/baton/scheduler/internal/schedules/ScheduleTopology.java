package dev.baton.scheduler.internal.schedules;

import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.LatestValueUpdater;
import dev.baton.scheduler.api.SchedulerTopics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.Names;
import dev.baton.platform.streams.Routed;
import dev.baton.scheduler.internal.SchedulerMetrics;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.Consumer;
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
 * The schedule engine's topology.
 * <pre>
 *   jobs (global store) ─────────────────────────────────────────────┐ read by the punctuation;
 *     └▶ a change: nudge ─▶ scheduler-control (key jobs-changed)      │ a nudge wakes it
 *   run-events ─▶ run-end filter ─▶ repartition by job (1 partition) ─┤
 *   scheduler-control (pause/resume) ─────────────────────────────────┴▶ schedules processor ─▶ run-requests,
 *                                                                        [schedule state store]   run-control,
 *                                                                                                 scheduler-state
 * </pre>
 * Every schedule lives in the one task of the second sub-topology (one partition in, so one owner at a time, fenced
 * by exactly-once v2): the tick state and the run requests commit together.
 */
public final class ScheduleTopology {
    private ScheduleTopology() {}

    /**
     * @param registryConfig {@code schema.registry.url} and the other serde keys
     * @param jobsChanged told, on the global thread, each job whose registration changed after the jobs store holds it
     *                    ({@link JobsChangedNudge} in production)
     */
    public static Topology build(Topics topics, Map<String, ?> registryConfig, TickDecider.Settings settings, int historySize,
                                 InstantSource clock, Duration tickInterval, Duration tickMaxSleep, SchedulerMetrics metrics,
                                 Faults faults,
                                 Consumer<String> jobsChanged) {
        AvroSerde<JobDefinition> jobs = AvroSerde.forValues(JobDefinition.class, registryConfig);
        AvroSerde<RunRequest> requests = AvroSerde.forValues(RunRequest.class, registryConfig);
        AvroSerde<ControlCommand> control = AvroSerde.forValues(ControlCommand.class, registryConfig);
        AvroSerde<RunEvent> runEvents = AvroSerde.forValues(RunEvent.class, registryConfig);
        var str = Serdes.String();
        var bytes = Serdes.ByteArray();
        String controlTopic = SchedulerTopics.control(topics);

        StreamsBuilder b = new StreamsBuilder();
        b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.JOBS_STORE), str, bytes)
                        .withLoggingDisabled(),
                topics.jobs(), Consumed.with(str, bytes).withName(Names.SOURCE_JOBS), () -> new LatestValueUpdater(Names.JOBS_STORE, jobsChanged));

        KStream<String, byte[]> runEnds = b.stream(topics.runEvents(), Consumed.with(str, bytes).withName(Names.SOURCE_RUN_EVENTS))
                .process(() -> new RunEndFilter(runEvents, metrics), Named.as(Names.RUN_END_FILTER))
                .repartition(Repartitioned.<String, byte[]>as(Names.RUN_ENDS).withKeySerde(str).withValueSerde(bytes)
                        .withNumberOfPartitions(1));
        KStream<String, byte[]> controls = b.stream(controlTopic, Consumed.with(str, bytes).withName(Names.SOURCE_CONTROL));

        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SCHEDULE_STORE), str, bytes));
        ScheduleStateApplier applier = new ScheduleStateApplier(historySize);
        TickDecider decider = new TickDecider(settings, applier);
        runEnds.merge(controls, Named.as(Names.MERGE_INPUTS))
                .process(() -> new ScheduleProcessor(topics, controlTopic, decider, applier, jobs, requests, control, clock,
                        tickInterval, tickMaxSleep, metrics, faults), Named.as(Names.SCHEDULE_PROCESSOR), Names.SCHEDULE_STORE)
                .to((key, value, ctx) -> value.topic(), Produced.with(str, Routed.SERDE).withName(Names.SINK));
        return b.build();
    }
}
