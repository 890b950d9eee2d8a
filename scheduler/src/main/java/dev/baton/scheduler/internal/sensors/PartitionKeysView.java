package dev.baton.scheduler.internal.sensors;

import dev.baton.jobs.PartitionSet;
import dev.baton.platform.CompactedTopicView;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The current keys of dynamic partition sets as the scheduler has read them from {@code baton.partition-keys} (record
 * key {@code set/partitionKey}, a tombstone removes it; written by the gateway). Shared by every sensor of a process.
 *
 * <p>{@link #asOf(long)} gives the keys as of a batch: the view is read up to the end of the topic once after the
 * batch began (a refresh another sensor started after that moment counts too), so a key added before a
 * materialization was written is seen when the materialization is handled. Only batches that check a dynamic key
 * pay for the read (one end-offsets request). Opened on first use; a failure to read (topic missing, broker down)
 * is thrown, so the sensor aborts the batch and retries it. Thread-safe.
 */
public final class PartitionKeysView implements AutoCloseable {
    /** Joins set and key in a record key (the gateway's {@code PartitionKeyStore.SEPARATOR}). */
    private static final String SEPARATOR = "/";

    private final Map<String, Object> kafkaClient;
    private final String topic;
    private CompactedTopicView<String> view;
    private boolean refreshed;
    /** {@link System#nanoTime()} when the last completed refresh began. */
    private long refreshedFrom;

    public PartitionKeysView(Map<String, Object> kafkaClient, String topic) {
        this.kafkaClient = kafkaClient;
        this.topic = topic;
    }

    /** A key source for a batch that began at {@code batchStartNanos} ({@link System#nanoTime()}). */
    public PartitionSet.DynamicKeys asOf(long batchStartNanos) {
        return new PartitionSet.DynamicKeys() {
            @Override
            public boolean contains(String set, String key) {
                return read(batchStartNanos).get(set + SEPARATOR + key).isPresent();
            }

            @Override
            public Iterator<String> keys(String set) {
                String prefix = set + SEPARATOR;
                return read(batchStartNanos).values().stream().filter(v -> v.startsWith(prefix))
                        .map(v -> v.substring(prefix.length())).iterator();
            }
        };
    }

    private synchronized CompactedTopicView<String> read(long batchStartNanos) {
        if (view == null) {
            view = CompactedTopicView.open(kafkaClient, topic, false, b -> new String(b, StandardCharsets.UTF_8));
        }
        if (!refreshed || refreshedFrom - batchStartNanos < 0) {
            long started = System.nanoTime();
            view.refresh();
            refreshedFrom = started;
            refreshed = true;
        }
        return view;
    }

    @Override
    public synchronized void close() {
        if (view != null) {
            view.close();
            view = null;
        }
    }
}
