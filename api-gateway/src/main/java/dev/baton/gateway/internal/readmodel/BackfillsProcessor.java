package dev.baton.gateway.internal.readmodel;

import dev.baton.events.BackfillEvent;
import dev.baton.gateway.internal.backfills.BackfillFold;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds the backfill events into each backfill's state ({@link BackfillFold}), so that every gateway answers for
 * every backfill and drives the running ones, and keeps the failed partitions one record each
 * ({@code backfillId|partition}) for retry-failed. An undecodable event goes to the dead-letter topic.
 *
 * <p>The state is kept as a {@link StoredBackfill}: a small record of counters and status, the listed keys (written
 * once, on the request) and one record per partition in flight. An event reads the small record and at most the
 * in-flight record of its own partition, and writes the small record and at most one in-flight and one failed
 * record: its cost does not depend on how many partitions the backfill has, nor on {@code maxConcurrent}.
 */
final class BackfillsProcessor extends ReadModelTopology.Base<BackfillEvent> {
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, byte[]> failed;
    private KeyValueStore<String, byte[]> listed;
    private KeyValueStore<String, byte[]> inFlight;

    private final LiveFeed feed;

    BackfillsProcessor(ReadModelTopology.Codecs codecs, LiveFeed feed, ReadModelTopology.Listener listener) {
        super(codecs.backfillEvents(), listener);
        this.feed = feed;
    }

    @Override
    public void init(ProcessorContext<String, dev.baton.events.DeadLetter> context) {
        super.init(context);
        states = store(ReadModelTopology.STORE_BACKFILLS);
        failed = store(ReadModelTopology.STORE_BACKFILL_FAILED);
        listed = store(ReadModelTopology.STORE_BACKFILL_PARTITIONS);
        inFlight = store(ReadModelTopology.STORE_BACKFILL_IN_FLIGHT);
    }

    @Override
    void handle(String key, BackfillEvent e, Record<String, byte[]> record) {
        if (e == null) {
            return; // the events topic has no tombstones
        }
        String id = e.getBackfillId();
        StoredBackfill was = load(id);
        StoreInFlight view = new StoreInFlight(id, was == null ? 0 : was.inFlight(), was == null ? 0 : was.seq());
        BackfillFold.Result r = BackfillFold.apply(was == null ? null : was.state(), view, e);
        if (r.state() == null) {
            return;
        }
        BackfillState next = r.state();
        boolean isListed = was != null ? was.listed() : next.partitions() != null;
        if (was == null && next.partitions() != null) {
            writeListed(id, next.partitions()); // once: the request
        }
        view.flush();
        states.put(id, Json.bytes(new StoredBackfill(next.with(null, Map.of()), isListed, view.size(), view.seq)));
        if (was == null || was.state().status() != next.status()) {
            feed.publish(new LiveFeed.BackfillItem(id, next.status().name()));
        }
        switch (r.index()) {
            case BackfillFold.IndexChange.Put p ->
                    failed.put(Keys.prefix(id) + p.partition(), p.runId().getBytes(StandardCharsets.UTF_8));
            case BackfillFold.IndexChange.Remove x -> failed.delete(Keys.prefix(id) + x.partition());
            case BackfillFold.IndexChange.None n -> { }
        }
    }

    /** The stored backfill, or null; a backfill stored whole by an earlier version is split first. */
    private StoredBackfill load(String id) {
        byte[] bytes = states.get(id);
        if (bytes == null) {
            return null;
        }
        return switch (StoredBackfill.read(bytes)) {
            case StoredBackfill s -> s;
            case StoredBackfill.Legacy l -> {
                BackfillState whole = l.state();
                if (whole.partitions() != null) {
                    writeListed(id, whole.partitions());
                }
                long seq = 0;
                for (Map.Entry<String, String> f : whole.inFlight().entrySet()) {
                    inFlight.put(StoredBackfill.inFlightKey(id, f.getKey()), StoredBackfill.inFlightValue(seq++, f.getValue()));
                }
                yield new StoredBackfill(whole.with(null, Map.of()), whole.partitions() != null, whole.inFlight().size(), seq);
            }
        };
    }

    private void writeListed(String id, List<String> keys) {
        for (int i = 0; i < keys.size(); i++) {
            listed.put(StoredBackfill.listedKey(id, i), keys.get(i).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The fold's view of a backfill's partitions in flight: point reads from the store, changes held until
     * {@link #flush()} (the fold itself never writes a store).
     */
    private final class StoreInFlight implements BackfillState.InFlight {
        private final String id;
        private final Map<String, String> changed = new HashMap<>(); // partition → run id, or null: removed
        private int size;
        long seq;

        StoreInFlight(String id, int size, long seq) {
            this.id = id;
            this.size = size;
            this.seq = seq;
        }

        @Override
        public String get(String partition) {
            if (changed.containsKey(partition)) {
                return changed.get(partition);
            }
            byte[] v = inFlight.get(StoredBackfill.inFlightKey(id, partition));
            return v == null ? null : StoredBackfill.runIdOf(v);
        }

        @Override
        public void put(String partition, String runId) {
            if (get(partition) == null) {
                size++;
            }
            changed.put(partition, runId);
        }

        @Override
        public void remove(String partition) {
            if (get(partition) != null) {
                size--;
            }
            changed.put(partition, null);
        }

        @Override
        public int size() {
            return size;
        }

        void flush() {
            changed.forEach((p, runId) -> {
                if (runId == null) {
                    inFlight.delete(StoredBackfill.inFlightKey(id, p));
                } else {
                    inFlight.put(StoredBackfill.inFlightKey(id, p), StoredBackfill.inFlightValue(seq++, runId));
                }
            });
        }
    }
}
