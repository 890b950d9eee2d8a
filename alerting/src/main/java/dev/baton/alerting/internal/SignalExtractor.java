package dev.baton.alerting.internal;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AlertCondition;
import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetFreshnessChanged;
import dev.baton.events.AssetSpec;
import dev.baton.events.AcknowledgeIncident;
import dev.baton.events.CheckOutcome;
import dev.baton.events.IncidentCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepDefinition;
import dev.baton.events.StepFailed;
import dev.baton.events.RunCanceled;
import dev.baton.events.StepCanceled;
import dev.baton.events.StepDispatched;
import dev.baton.events.StepLost;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.events.StepTimedOut;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the records of one input topic into {@link Signal}s (JSON) for the incident engine; everything else is
 * dropped here, so only the few records that matter cross the one-partition repartition topic.
 */
public final class SignalExtractor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(SignalExtractor.class);

    public enum Source { RUN_EVENTS, LINEAGE, AGENTS, CONTROL, SCHEDULES }

    private final Source source;
    /** Pool signals cross the one-partition topic only when a pool_unserved rule needs them. */
    private final boolean poolSignals;
    private final AvroSerde<RunEvent> runEvents;
    private final AvroSerde<LineageEvent> lineage;
    private final AvroSerde<AgentHeartbeat> heartbeats;
    private final AvroSerde<IncidentCommand> commands;
    private final AvroSerde<JobDefinition> jobs;
    private ProcessorContext<String, byte[]> context;
    private ReadOnlyKeyValueStore<String, byte[]> jobStore;

    public SignalExtractor(Source source, boolean poolSignals, AvroSerde<RunEvent> runEvents, AvroSerde<LineageEvent> lineage,
                           AvroSerde<AgentHeartbeat> heartbeats, AvroSerde<IncidentCommand> commands, AvroSerde<JobDefinition> jobs) {
        this.source = source;
        this.poolSignals = poolSignals;
        this.runEvents = runEvents;
        this.lineage = lineage;
        this.heartbeats = heartbeats;
        this.commands = commands;
        this.jobs = jobs;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        if (source == Source.LINEAGE) {
            jobStore = context.getStateStore(Names.JOBS_STORE);
        }
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        if (rec.value() == null) {
            return;
        }
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        List<Signal> signals;
        try {
            signals = switch (source) {
                case RUN_EVENTS -> run(runEvents.deserialize(topic, rec.value()), poolSignals);
                case LINEAGE -> one(lineage(lineage.deserialize(topic, rec.value())));
                case AGENTS -> one(heartbeat(heartbeats.deserialize(topic, rec.value())));
                case CONTROL -> one(command(commands.deserialize(topic, rec.value())));
                case SCHEDULES -> one(ticks(dev.baton.scheduler.api.ScheduleJson.read(rec.value(),
                        dev.baton.scheduler.api.ScheduleStatus.class), rec.key(), rec.timestamp()));
            };
        } catch (SerializationException | IllegalArgumentException | java.io.UncheckedIOException e) {
            if (source != Source.CONTROL) {
                // The writer of that topic dead-letters what it cannot write; a reader only notes it.
                log.warn("Cannot read a record of {} (key {}): {}", topic, rec.key(), e.getMessage());
                return;
            }
            RecordMetadata md = context.recordMetadata().orElseThrow();
            signals = List.of(new Signal.Malformed(topic + "/" + md.partition() + "/" + md.offset(), rec.timestamp(), topic, md.partition(),
                    md.offset(), e.getMessage(), rec.key() == null ? null : rec.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    rec.value()));
        }
        for (Signal s : signals) {
            context.forward(new Record<>(rec.key() == null ? "" : rec.key(), Json.write(s), rec.timestamp()));
        }
    }

    private static List<Signal> one(Signal s) {
        return s == null ? List.of() : List.of(s);
    }

    static List<Signal> run(RunEvent e, boolean poolSignals) {
        List<Signal> out = new java.util.ArrayList<>(2);
        Signal alert = alertSignal(e);
        if (alert != null) {
            out.add(alert);
        }
        if (poolSignals) {
            long at = e.getTimestamp().toEpochMilli();
            Signal pool = switch (e.getPayload()) {
                case StepDispatched d -> new Signal.Dispatched(e.getEventId(), at, d.getPool(), e.getRunId(), d.getAttemptId());
                case StepStarted x -> settled(e, x.getAttemptId());
                case StepSucceeded x -> settled(e, x.getAttemptId());
                case StepFailed x -> settled(e, x.getAttemptId());
                case StepLost x -> settled(e, x.getAttemptId());
                case StepTimedOut x -> settled(e, x.getAttemptId());
                case StepCanceled x -> settled(e, x.getAttemptId());
                case RunCanceled x -> settled(e, null);
                case RunFailed x -> settled(e, null);
                case RunSucceeded x -> settled(e, null);
                default -> null;
            };
            if (pool != null) {
                out.add(pool);
            }
        }
        return out;
    }

    static Signal alertSignal(RunEvent e) {
        long at = e.getTimestamp().toEpochMilli();
        return switch (e.getPayload()) {
            case RunFailed f -> new Signal.Fired(e.getEventId(), at, AlertCondition.RUN_FAILED, e.getJob(), null, e.getRunId(),
                    "Run " + e.getRunId() + " of job " + e.getJob() + " failed: " + f.getReason()
                            + (f.getFailedSteps().isEmpty() ? "" : " (failed steps: " + String.join(", ", f.getFailedSteps()) + ")"));
            case StepFailed f when f.getFinal$() -> new Signal.Fired(e.getEventId(), at, AlertCondition.STEP_FAILED, e.getJob(),
                    null, e.getRunId(), "Step " + e.getStepKey() + " of run " + e.getRunId() + " (job " + e.getJob() + ") failed after "
                    + f.getAttempt() + (f.getAttempt() == 1 ? " attempt: " : " attempts: ") + f.getErrorClass()
                    + (f.getExitCode() == null ? "" : " exit code " + f.getExitCode())
                    + (f.getMessage().isBlank() ? "" : ", " + f.getMessage()));
            case RunSucceeded x -> new Signal.Cleared(e.getEventId(), at, IncidentDecider.clearedBySuccess(), e.getJob(), null,
                    e.getRunId(), "run " + e.getRunId() + " succeeded");
            default -> null;
        };
    }

    private static Signal settled(RunEvent e, String attemptId) {
        return new Signal.Settled(e.getEventId(), e.getTimestamp().toEpochMilli(), e.getRunId(), attemptId);
    }

    private Signal lineage(LineageEvent e) {
        long at = e.getTimestamp().toEpochMilli();
        return switch (e.getPayload()) {
            case AssetCheckEvaluated c -> {
                String subject = e.getAssetKey() + "#" + c.getCheckName();
                String job = producer(e.getAssetKey());
                yield c.getOutcome() == CheckOutcome.PASSED
                        ? new Signal.Cleared(e.getEventId(), at, List.of(AlertCondition.CHECK_FAILED), job, subject, e.getRunId(),
                        "check " + c.getCheckName() + " of " + e.getAssetKey() + " passed")
                        : new Signal.Fired(e.getEventId(), at, AlertCondition.CHECK_FAILED, job, subject, e.getRunId(),
                        "Check " + c.getCheckName() + " (" + c.getSeverity() + ") of asset " + e.getAssetKey() + " "
                                + c.getOutcome().name().toLowerCase(Locale.ROOT)
                                + (c.getMessage().isBlank() ? "" : ": " + c.getMessage()));
            }
            case AssetFreshnessChanged f -> f.getFresh()
                    ? new Signal.Cleared(e.getEventId(), at, List.of(AlertCondition.FRESHNESS_BREACHED), producer(e.getAssetKey()),
                    e.getAssetKey(), e.getRunId(), "asset " + e.getAssetKey() + " is fresh again")
                    : new Signal.Fired(e.getEventId(), at, AlertCondition.FRESHNESS_BREACHED, producer(e.getAssetKey()),
                    e.getAssetKey(), null, "Asset " + e.getAssetKey() + " is stale: not materialized within "
                    + Duration.ofMillis(f.getMaxLagMs()) + (f.getLastMaterializedAt() == null ? " (never materialized)"
                    : " (last at " + f.getLastMaterializedAt() + ")"));
            default -> null;
        };
    }

    /** The registered job whose steps produce the asset (the first by name), or null. */
    private String producer(String assetKey) {
        try (KeyValueIterator<String, byte[]> it = jobStore.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value == null) {
                    continue;
                }
                JobDefinition def;
                try {
                    def = jobs.deserialize("", kv.value);
                } catch (SerializationException e) {
                    continue;
                }
                for (StepDefinition step : def.getSteps()) {
                    for (AssetSpec a : step.getProduces()) {
                        if (a.getKey().equals(assetKey)) {
                            return def.getName();
                        }
                    }
                }
            }
        }
        return null;
    }

    private static Signal ticks(dev.baton.scheduler.api.ScheduleStatus s, String key, long timestamp) {
        if (s.lastTicks() == null || s.lastTicks().isEmpty()) {
            return null;
        }
        List<Signal.Tick> ticks = s.lastTicks().stream()
                .map(t -> new Signal.Tick(java.time.Instant.parse(t.tick()).toEpochMilli(), t.outcome(), t.detail())).toList();
        return new Signal.ScheduleTicks("schedule/" + key + "/" + s.updatedAt(), timestamp, s.job(), s.schedule(), ticks);
    }

    private static Signal heartbeat(AgentHeartbeat h) {
        return new Signal.Heartbeat(h.getEventId(), h.getTimestamp().toEpochMilli(), h.getAgentId(), List.copyOf(h.getPools()),
                h.getState().name());
    }

    private static Signal command(IncidentCommand c) {
        return switch (c.getCommand()) {
            case AcknowledgeIncident a -> new Signal.Acknowledge(c.getEventId(), c.getTimestamp().toEpochMilli(), c.getIncidentId(),
                    c.getActor(), a.getNote());
            default -> throw new IllegalArgumentException("unknown incident command " + c.getCommand().getClass().getSimpleName());
        };
    }
}
