package dev.baton.coordinator.internal.timers;

import dev.baton.coordinator.internal.events.Input.Timer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Armed timers: the due-ordered timer store (scanned by the punctuator, the source of truth) plus an in-memory index by
 * identity ({@link Timer.Id} -> due time). The index is what a timer carries to be disarmed: removing a timer needs only
 * its identity, never a recomputed due time, and re-arming an identity (a heartbeat deadline pushed back) replaces the
 * previous entry instead of leaving it to fire as a no-op.
 *
 * <p>The index is derived, so it has no changelog (it was the {@code baton-timer-index} store: one more changelog
 * partition and a record per arm and disarm in every exactly-once transaction). It is rebuilt from the timer store
 * whenever the processor is initialised: after a restart, a task migration, or a task revived after an aborted
 * transaction, Kafka Streams initialises the processor again once the timer store holds its last committed content, so
 * the index never holds an entry the store does not. Between two initialisations every arm, disarm and fire goes
 * through this class, so both change together. Retention timers (one per finished run, armed once when the run ends,
 * never disarmed) are not indexed: they would make the index grow with the retention window.
 */
public final class TimerBook {
    private final KeyValueStore<Bytes, byte[]> timers;
    private final Map<Bytes, Long> index = new HashMap<>();

    /** Builds the index from what {@code timers} holds (a full scan: one entry read per armed timer). */
    public TimerBook(KeyValueStore<Bytes, byte[]> timers) {
        this.timers = timers;
        try (KeyValueIterator<Bytes, byte[]> it = timers.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                Timer t;
                try {
                    t = TimerKeys.parse(kv.value);
                } catch (RuntimeException e) {
                    continue; // the punctuator dead-letters it when it is due
                }
                if (indexed(t.kind())) {
                    // Keys are due-ordered: were an identity armed twice, the later due time wins, as arm() would have it.
                    index.put(TimerKeys.identity(t.id()), t.dueAt().toEpochMilli());
                }
            }
        }
    }

    static boolean indexed(Timer.Kind kind) {
        return kind != Timer.Kind.RETENTION;
    }

    public void arm(Timer t) {
        if (!indexed(t.kind())) {
            timers.put(TimerKeys.key(t), TimerKeys.value(t));
            return;
        }
        Bytes id = TimerKeys.identity(t.id());
        long due = t.dueAt().toEpochMilli();
        Long previous = index.put(id, due);
        if (previous != null && previous != due) {
            timers.delete(TimerKeys.key(t.id(), previous));
        }
        timers.put(TimerKeys.key(t), TimerKeys.value(t));
    }

    public void disarm(Timer.Id timer) {
        Long due = indexed(timer.kind()) ? index.remove(TimerKeys.identity(timer)) : null;
        if (due != null) {
            timers.delete(TimerKeys.key(timer, due));
        }
    }

    /** A due timer was taken from the store to fire: it is no longer armed. */
    public void fired(Bytes key, Timer t) {
        timers.delete(key);
        if (indexed(t.kind())) {
            Bytes id = TimerKeys.identity(t.id());
            Long due = index.get(id);
            if (due != null && due == t.dueAt().toEpochMilli()) {
                index.remove(id);
            }
        }
    }

    /** Timers in the index (armed, retention timers excluded). */
    public int indexed() {
        return index.size();
    }

    public KeyValueStore<Bytes, byte[]> timers() {
        return timers;
    }
}
