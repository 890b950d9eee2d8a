package dev.baton.scheduler.internal.schedules;

import dev.baton.scheduler.internal.Names;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global store of registered job definitions (raw wire-format bytes, decoded on use). */
public final class JobsUpdater implements Processor<String, byte[], Void, Void> {
    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(Names.JOBS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        if (rec.key() == null) {
            return;
        }
        if (rec.value() == null) {
            store.delete(rec.key());
        } else {
            store.put(rec.key(), rec.value());
        }
    }
}
