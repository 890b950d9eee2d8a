package dev.baton.coordinator.internal.cache;

import dev.baton.coordinator.internal.Names;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.serde.EventMapper;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.events.ControlCommand;
import dev.baton.events.StepCacheAnswer;
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
 * The step cache stage, keyed by index key (job, version, step-definition hash, cache key), so one task owns each
 * entry whichever run partition or instance asks. Puts come from the compacted index topic {@code baton.step-cache}
 * (a later success replaces an earlier one); lookups are answered with a {@code StepCacheAnswer} control command to
 * the asking run's partition, carrying the entry as stored. The answer is an input of the fold: freshness (the TTL)
 * is judged there, against the answer's timestamp, so a replay decides the same.
 */
public final class CacheProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(CacheProcessor.class);

    private final AvroSerde<ControlCommand> control;
    private final String controlTopic;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;

    public CacheProcessor(AvroSerde<ControlCommand> control, String controlTopic) {
        this.control = control;
        this.controlTopic = controlTopic;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(Names.STEP_CACHE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        if (rec.value() == null) {
            if (rec.key() != null) {
                store.delete(rec.key()); // a tombstone on the index topic removes the entry
            }
            return;
        }
        CacheMessage m;
        try {
            m = StateCodec.json().readValue(rec.value(), CacheMessage.class);
        } catch (IOException | RuntimeException e) {
            log.error("Dropping undecodable step cache message at offset {}: {}",
                    context.recordMetadata().map(x -> x.offset()).orElse(-1L), e.toString());
            return;
        }
        switch (m.op()) {
            case PUT -> store.put(m.indexKey(), rec.value());
            case LOOKUP -> answer(m, rec.timestamp());
        }
    }

    private void answer(CacheMessage m, long timestamp) {
        CacheMessage stored = null;
        byte[] b = store.get(m.indexKey());
        if (b != null) {
            try {
                stored = StateCodec.json().readValue(b, CacheMessage.class);
            } catch (IOException e) {
                log.error("Unreadable step cache entry {}: {}", m.indexKey(), e.toString());
            }
        }
        ControlCommand c = ControlCommand.newBuilder()
                .setEventId(DecisionContext.uuid(m.lookupEventId() + "/cache-answer"))
                .setRunId(m.runId())
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .setTraceId(m.traceId() == null ? m.runId() : m.traceId())
                .setActor("step-cache")
                .setCommand(new StepCacheAnswer(m.stepKey(), m.indexKey(),
                        stored == null || stored.entry() == null ? null : EventMapper.entry(stored.entry())))
                .build();
        context.forward(new Record<>(m.runId(), control.serialize(controlTopic, c), timestamp), Names.SINK_CACHE_ANSWER);
    }
}
