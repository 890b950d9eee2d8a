package dev.baton.agent.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attempt ids this agent recently finished or saw canceled, kept for a while (bounded) so that a
 * redelivered command for a finished attempt is not run twice here and an execute that arrives
 * after its cancel is skipped and reported canceled.
 */
public final class RecentAttempts {
    public enum Fate { FINISHED, CANCELED }

    private record Entry(Fate fate, long atMillis) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final int capacity;
    private final long ttlMillis;
    private final Clock clock;

    public RecentAttempts(int capacity, Duration ttl, Clock clock) {
        this.capacity = capacity;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    public synchronized void record(String attemptId, Fate fate) {
        long now = clock.millis();
        Entry previous = entries.remove(attemptId);
        // A cancel is remembered even if the attempt finished here first: a redelivery must not run it.
        Fate f = previous != null && previous.fate() == Fate.CANCELED ? Fate.CANCELED : fate;
        entries.put(attemptId, new Entry(f, now));
        evict(now);
    }

    public synchronized Fate get(String attemptId) {
        evict(clock.millis());
        Entry e = entries.get(attemptId);
        return e == null ? null : e.fate();
    }

    private void evict(long now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (entries.size() > capacity || now - e.atMillis() > ttlMillis) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
