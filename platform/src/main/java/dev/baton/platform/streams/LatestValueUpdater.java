package dev.baton.platform.streams;

import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Keeps a global store equal to a compacted topic (string keys, raw value bytes, decoded on use): the latest value
 * per key, a tombstone deletes it, a record without a key is ignored. A timestamped store also keeps the record's
 * timestamp. One updater for every such store (the coordinator's jobs and assets, the scheduler's jobs).
 *
 * <p>An optional listener hears each key whose value changed (a put of other bytes, or a delete of a present key),
 * after the store holds the change: a reader in another thread that is told about the key finds the new value. It runs
 * on the global thread, restores included, so it must not block.
 */
public final class LatestValueUpdater implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private final Consumer<String> onChange;
    private KeyValueStore<String, byte[]> plain;
    private TimestampedKeyValueStore<String, byte[]> timestamped;

    public LatestValueUpdater(String storeName) {
        this(storeName, null);
    }

    /** @param onChange told each key whose value changed, after the store holds it; {@code null} for none (plain stores only) */
    public LatestValueUpdater(String storeName, Consumer<String> onChange) {
        this.storeName = storeName;
        this.onChange = onChange;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(ProcessorContext<Void, Void> context) {
        StateStore store = context.getStateStore(storeName);
        if (store instanceof TimestampedKeyValueStore<?, ?> t) {
            if (onChange != null) {
                throw new IllegalStateException("a change listener needs a plain key-value store, not timestamped " + storeName);
            }
            timestamped = (TimestampedKeyValueStore<String, byte[]>) t;
        } else {
            plain = (KeyValueStore<String, byte[]>) store;
        }
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        if (rec.key() == null) {
            return;
        }
        if (timestamped != null) {
            if (rec.value() == null) {
                timestamped.delete(rec.key());
            } else {
                timestamped.put(rec.key(), ValueAndTimestamp.make(rec.value(), rec.timestamp()));
            }
        } else {
            if (onChange != null && Arrays.equals(plain.get(rec.key()), rec.value())) {
                return; // unchanged (a restore reading what the store holds, a re-registration of the same bytes)
            }
            if (rec.value() == null) {
                plain.delete(rec.key());
            } else {
                plain.put(rec.key(), rec.value());
            }
            if (onChange != null) {
                onChange.accept(rec.key());
            }
        }
    }
}
