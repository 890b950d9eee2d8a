package dev.baton.gateway.internal.readmodel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Hands records the read model has just stored to live subscribers (Server-Sent Event streams), by run id.
 * Called from the stream thread; subscribers hop to their own event loop. At-least-once: after a restart
 * records may come again, so subscribers drop what they have already sent.
 */
public final class LiveFeed {
    /** A run event as the API shows it; {@code runFinished} when the run's status is final after it. */
    public record EventItem(String runId, long sequence, String type, byte[] json, boolean runFinished) {}

    /** A log line as the API shows it; {@code key} orders and identifies it within the run. */
    public record LogItem(String runId, String key, long time, byte[] json) {}

    /** A job version the read model has just stored (read-your-writes after a registration). */
    public record JobItem(String name, int version) {}

    /** A backfill whose status has just changed to {@code status} (the driving gateway starts what another one accepted). */
    public record BackfillItem(String id, String status) {}

    private final CopyOnWriteArrayList<Consumer<BackfillItem>> backfills = new CopyOnWriteArrayList<>();
    private final Map<String, CopyOnWriteArrayList<Consumer<JobItem>>> jobs = new ConcurrentHashMap<>();
    private final Map<String, CopyOnWriteArrayList<Consumer<EventItem>>> events = new ConcurrentHashMap<>();
    private final Map<String, CopyOnWriteArrayList<Consumer<LogItem>>> logs = new ConcurrentHashMap<>();

    private final CopyOnWriteArrayList<Consumer<EventItem>> allEvents = new CopyOnWriteArrayList<>();

    /** Every run's events (the all-runs live stream). */
    public AutoCloseable onAllEvents(Consumer<EventItem> listener) {
        allEvents.add(listener);
        return () -> allEvents.remove(listener);
    }

    public AutoCloseable onEvents(String runId, Consumer<EventItem> listener) {
        return add(events, runId, listener);
    }

    public AutoCloseable onLogs(String runId, Consumer<LogItem> listener) {
        return add(logs, runId, listener);
    }

    public AutoCloseable onJob(String name, Consumer<JobItem> listener) {
        return add(jobs, name, listener);
    }

    /** Every backfill status change. */
    public AutoCloseable onBackfills(Consumer<BackfillItem> listener) {
        backfills.add(listener);
        return () -> backfills.remove(listener);
    }

    void publish(BackfillItem item) {
        backfills.forEach(c -> c.accept(item));
    }

    void publish(JobItem item) {
        var l = jobs.get(item.name());
        if (l != null) {
            l.forEach(c -> c.accept(item));
        }
    }

    void publish(EventItem item) {
        allEvents.forEach(c -> c.accept(item));
        var l = events.get(item.runId());
        if (l != null) {
            l.forEach(c -> c.accept(item));
        }
    }

    void publish(LogItem item) {
        var l = logs.get(item.runId());
        if (l != null) {
            l.forEach(c -> c.accept(item));
        }
    }

    public int subscribers() {
        return allEvents.size() + events.values().stream().mapToInt(CopyOnWriteArrayList::size).sum()
                + logs.values().stream().mapToInt(CopyOnWriteArrayList::size).sum();
    }

    private static <T> AutoCloseable add(Map<String, CopyOnWriteArrayList<Consumer<T>>> map, String runId, Consumer<T> listener) {
        map.compute(runId, (k, l) -> {
            CopyOnWriteArrayList<Consumer<T>> list = l == null ? new CopyOnWriteArrayList<>() : l;
            list.add(listener);
            return list;
        });
        return () -> map.computeIfPresent(runId, (k, l) -> {
            l.remove(listener);
            return l.isEmpty() ? null : l;
        });
    }
}
