package dev.baton.coordinator.internal.admission;

import dev.baton.coordinator.internal.CoordinatorMetrics;
import dev.baton.coordinator.internal.Names;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.events.AdmitRun;
import dev.baton.events.AdmitStep;
import dev.baton.events.ControlCommand;
import dev.baton.schemas.serde.AvroSerde;
import java.io.IOException;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission stage: one task owns each job's (or pool's) slots, so a concurrency limit holds across
 * every coordinator partition and instance. Admitted requests go back to the run's partition as
 * ADMIT_RUN / ADMIT_STEP control commands.
 */
public final class AdmissionProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(AdmissionProcessor.class);

    private final AvroSerde<ControlCommand> control;
    private final String controlTopic;
    private final CoordinatorMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;

    public AdmissionProcessor(AvroSerde<ControlCommand> control, String controlTopic, CoordinatorMetrics metrics) {
        this.control = control;
        this.controlTopic = controlTopic;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(Names.ADMISSION_STORE);
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        AdmissionMessage m;
        try {
            m = StateCodec.json().readValue(rec.value(), AdmissionMessage.class);
        } catch (IOException | RuntimeException e) {
            log.error("Dropping undecodable admission message at offset {}: {}", context.recordMetadata().map(x -> x.offset()).orElse(-1L), e.toString());
            return;
        }
        AdmissionState s = load(m.key(), m.limit());
        switch (m.op()) {
            case REQUEST -> {
                if (m.limit() > 0 && m.limit() != s.limit()) {
                    s = s.withLimit(m.limit());
                }
                long seq = context.recordMetadata().map(x -> x.offset()).orElse(rec.timestamp());
                s.request(new AdmissionState.Waiting(m.id(), m.runId(), m.stepKey(), m.priority(), seq, m.traceId()));
            }
            case RELEASE -> s.release(m.id());
        }
        for (AdmissionState.Waiting w : s.admit()) {
            Object cmd = m.scope() == AdmissionMessage.Scope.JOB
                    ? new AdmitRun(m.name())
                    : new AdmitStep(w.stepKey(), m.name());
            ControlCommand c = ControlCommand.newBuilder()
                    .setEventId(DecisionContext.uuid(w.id() + "/admit/" + w.seq()))
                    .setRunId(w.runId())
                    .setTimestamp(Instant.ofEpochMilli(rec.timestamp()))
                    .setTraceId(w.traceId() == null ? w.runId() : w.traceId())
                    .setActor("admission")
                    .setCommand(cmd)
                    .build();
            context.forward(new Record<>(w.runId(), control.serialize(controlTopic, c), rec.timestamp()), Names.SINK_ADMITTED);
        }
        metrics.admissionQueue(m.key(), s.queue().size());
        save(m.key(), s);
    }

    private AdmissionState load(String key, int limit) {
        byte[] b = store.get(key);
        if (b == null) {
            return AdmissionState.empty(Math.max(1, limit));
        }
        try {
            return StateCodec.json().readValue(b, AdmissionState.class);
        } catch (IOException e) {
            throw new IllegalStateException("Corrupt admission state for " + key, e);
        }
    }

    private void save(String key, AdmissionState s) {
        try {
            store.put(key, StateCodec.json().writeValueAsBytes(s));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
