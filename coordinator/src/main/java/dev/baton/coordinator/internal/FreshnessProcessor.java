package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.events.AssetFreshnessChanged;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.AssetSpec;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.StepDefinition;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.IdlePunctuation;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freshness of assets that declare {@code freshness.maxLag}: follows materializations on the lineage stream
 * (keyed by asset) and, from wall-clock punctuation, emits {@code AssetFreshnessChanged(fresh=false)} when an
 * asset's latest materialization is older than its maximum lag, and {@code fresh=true} when a new one arrives.
 */
final class FreshnessProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(FreshnessProcessor.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    /** Longest sleep while no asset is due to go stale: a safety net, every change comes through process(). */
    private static final Duration IDLE_SLEEP = Duration.ofSeconds(60);

    /** Freshness state of one asset. */
    record State(long lastMaterializedAt, long maxLagMs, boolean fresh, String lastRunId) {}

    private final Codecs codecs;
    private final Topics topics;
    private final CoordinatorMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private TimestampedKeyValueStore<String, byte[]> jobs;
    private IdlePunctuation punctuation;

    FreshnessProcessor(Codecs codecs, Topics topics, CoordinatorMetrics metrics) {
        this.codecs = codecs;
        this.topics = topics;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(Names.FRESHNESS_STORE);
        this.jobs = context.getStateStore(Names.JOBS_STORE);
        // Every punctuation makes Streams commit the task (a transaction once it has read a materialization): check when
        // the first fresh asset is due to go stale, not every second; a materialization wakes it when its asset is due to go
        // stale before the check's next run.
        punctuation = IdlePunctuation.schedule(context, CHECK_EVERY, IDLE_SLEEP, this::check);
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        LineageEvent ev;
        try {
            ev = codecs.lineage().deserialize(topics.lineage(), rec.value());
        } catch (RuntimeException e) {
            return; // the lineage stream is Baton's own output; anything unreadable is not ours to judge here
        }
        if (!(ev.getPayload() instanceof AssetMaterialization)) {
            return;
        }
        Long maxLag = maxLag(ev.getAssetKey());
        if (maxLag == null) {
            store.delete(ev.getAssetKey());
            return;
        }
        State old = load(ev.getAssetKey());
        long at = ev.getTimestamp().toEpochMilli();
        if (old != null && !old.fresh()) {
            emit(ev.getAssetKey(), true, maxLag, at, rec.timestamp(), ev.getRunId());
        }
        save(ev.getAssetKey(), new State(at, maxLag, true, ev.getRunId()));
        metrics.freshness(ev.getAssetKey(), true, at);
        // Only the asset's own staleness is new work; waking the check for every materialization would make Streams
        // commit again after each one (a punctuation ran), for nothing.
        punctuation.wakeBy(at + maxLag + 1);
    }

    /** Punctuation: marks the assets whose lag passed their maximum stale; returns when the next one is due to. */
    private long check(long now) {
        long nextDue = IdlePunctuation.NONE;
        List<KeyValue<String, State>> stale = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                State s = decode(kv.value);
                if (s == null) {
                    continue;
                }
                long lag = now - s.lastMaterializedAt();
                metrics.freshness(kv.key, s.fresh() && lag <= s.maxLagMs(), s.lastMaterializedAt());
                if (s.fresh() && lag > s.maxLagMs()) {
                    stale.add(KeyValue.pair(kv.key, s));
                } else if (s.fresh()) {
                    nextDue = Math.min(nextDue, s.lastMaterializedAt() + s.maxLagMs() + 1);
                }
            }
        }
        for (var kv : stale) {
            State s = kv.value;
            emit(kv.key, false, s.maxLagMs(), s.lastMaterializedAt(), now, s.lastRunId());
            save(kv.key, new State(s.lastMaterializedAt(), s.maxLagMs(), false, s.lastRunId()));
        }
        return nextDue;
    }

    private void emit(String asset, boolean fresh, long maxLag, long last, long at, String runId) {
        LineageEvent ev = LineageEvent.newBuilder()
                .setEventId(DecisionContext.uuid(asset + "/freshness/" + last + "/" + fresh))
                .setRunId(runId).setTimestamp(Instant.ofEpochMilli(at)).setTraceId(asset)
                .setAssetKey(asset)
                .setPayload(new AssetFreshnessChanged(fresh, maxLag, Instant.ofEpochMilli(last)))
                .build();
        context.forward(new Record<>(asset, codecs.lineage().serialize(topics.lineage(), ev), at), Names.SINK_FRESHNESS);
    }

    /** The freshness lag the registered jobs declare for an asset (the smallest, if several do). */
    private Long maxLag(String asset) {
        Long best = null;
        try (var it = jobs.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value == null || kv.value.value() == null) {
                    continue;
                }
                JobDefinition def;
                try {
                    def = codecs.jobs().deserialize(topics.jobs(), kv.value.value());
                } catch (RuntimeException e) {
                    continue;
                }
                for (StepDefinition st : def.getSteps()) {
                    for (AssetSpec a : st.getProduces()) {
                        if (a.getKey().equals(asset) && a.getFreshnessMaxLagMs() != null) {
                            best = best == null ? a.getFreshnessMaxLagMs() : Math.min(best, a.getFreshnessMaxLagMs());
                        }
                    }
                }
            }
        }
        return best;
    }

    private State load(String asset) {
        byte[] b = store.get(asset);
        return b == null ? null : decode(b);
    }

    private static State decode(byte[] b) {
        try {
            return StateCodec.json().readValue(b, State.class);
        } catch (IOException e) {
            log.warn("Dropping unreadable freshness state: {}", e.toString());
            return null;
        }
    }

    private void save(String asset, State s) {
        try {
            store.put(asset, StateCodec.json().writeValueAsBytes(s));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
