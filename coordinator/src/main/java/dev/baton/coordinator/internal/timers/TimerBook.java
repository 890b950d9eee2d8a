package dev.baton.coordinator.internal.timers;

import dev.baton.coordinator.internal.events.Input.Timer;
import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Armed timers: the due-ordered timer store (scanned by the punctuator) plus an index by identity
 * ({@link Timer.Id} -> due time). The index is what a timer carries to be disarmed: removing a timer needs only its
 * identity, never a recomputed due time, and re-arming an identity (a heartbeat deadline pushed back) replaces the
 * previous entry instead of leaving it to fire as a no-op.
 */
public final class TimerBook {
    private final KeyValueStore<Bytes, byte[]> timers;
    private final KeyValueStore<Bytes, byte[]> index;

    public TimerBook(KeyValueStore<Bytes, byte[]> timers, KeyValueStore<Bytes, byte[]> index) {
        this.timers = timers;
        this.index = index;
    }

    public void arm(Timer t) {
        Bytes id = TimerKeys.identity(t.id());
        byte[] previous = index.get(id);
        if (previous != null) {
            long due = ByteBuffer.wrap(previous).getLong();
            if (due != t.dueAt().toEpochMilli()) {
                timers.delete(TimerKeys.key(t.id(), due));
            }
        }
        timers.put(TimerKeys.key(t), TimerKeys.value(t));
        index.put(id, ByteBuffer.allocate(8).putLong(t.dueAt().toEpochMilli()).array());
    }

    public void disarm(Timer.Id timer) {
        Bytes id = TimerKeys.identity(timer);
        byte[] due = index.get(id);
        if (due == null) {
            return;
        }
        timers.delete(TimerKeys.key(timer, ByteBuffer.wrap(due).getLong()));
        index.delete(id);
    }

    /** A due timer was taken from the store to fire: it is no longer armed. */
    public void fired(Bytes key, Timer t) {
        timers.delete(key);
        Bytes id = TimerKeys.identity(t.id());
        byte[] due = index.get(id);
        if (due != null && ByteBuffer.wrap(due).getLong() == t.dueAt().toEpochMilli()) {
            index.delete(id);
        }
    }

    public KeyValueStore<Bytes, byte[]> timers() {
        return timers;
    }
}
