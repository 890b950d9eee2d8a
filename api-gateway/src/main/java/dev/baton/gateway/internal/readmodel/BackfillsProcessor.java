package dev.baton.gateway.internal.readmodel;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest record of every backfill (the compacted backfills topic, JSON written by the gateways) so that
 * every gateway answers for every backfill and resumes unfinished submissions. A tombstone deletes the backfill.
 */
final class BackfillsProcessor implements Processor<String, byte[], Void, Void> {
    private KeyValueStore<String, byte[]> backfills;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        backfills = context.getStateStore(ReadModelTopology.STORE_BACKFILLS);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return; // not a backfill: the gateway always keys them by id
        }
        if (record.value() == null) {
            backfills.delete(record.key());
        } else {
            backfills.put(record.key(), record.value());
        }
    }
}
