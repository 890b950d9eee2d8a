package dev.baton.gateway.internal.readmodel;

import dev.baton.events.BackfillEvent;
import dev.baton.gateway.internal.backfills.BackfillFold;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.json.Json;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds the backfill events into each backfill's state ({@link BackfillFold}), so that every gateway answers for
 * every backfill and drives the running ones, and keeps the failed partitions one record each
 * ({@code backfillId|partition}) for retry-failed. An undecodable event goes to the dead-letter topic.
 */
final class BackfillsProcessor extends ReadModelTopology.Base<BackfillEvent> {
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, byte[]> failed;

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
    }

    @Override
    void handle(String key, BackfillEvent e, Record<String, byte[]> record) {
        if (e == null) {
            return; // the events topic has no tombstones
        }
        String id = e.getBackfillId();
        byte[] before = states.get(id);
        BackfillState was = before == null ? null : Json.read(before, BackfillState.class);
        BackfillFold.Result r = BackfillFold.apply(was, e);
        if (r.state() == null) {
            return;
        }
        states.put(id, Json.bytes(r.state()));
        if (was == null || was.status() != r.state().status()) {
            feed.publish(new LiveFeed.BackfillItem(id, r.state().status().name()));
        }
        switch (r.index()) {
            case BackfillFold.IndexChange.Put p ->
                    failed.put(Keys.prefix(id) + p.partition(), p.runId().getBytes(StandardCharsets.UTF_8));
            case BackfillFold.IndexChange.Remove x -> failed.delete(Keys.prefix(id) + x.partition());
            case BackfillFold.IndexChange.None n -> { }
        }
    }
}
