package dev.baton.coordinator;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * When this coordinator's Kafka Streams reached each start-up phase (wall clock, epoch milliseconds; 0 until reached):
 * what a restart after a crash spends its time on (group join, restore of the state stores), for the log and the
 * recovery benchmark. Fed by a state listener and the global restore listener; read from any thread.
 */
public final class StartupTimeline implements StateRestoreListener {
    private final long started = System.currentTimeMillis();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong restoreStart = new AtomicLong();
    private final AtomicLong restoreEnd = new AtomicLong();
    private final AtomicLong restoredRecords = new AtomicLong();
    private final AtomicLong restoredPartitions = new AtomicLong();

    /** When {@code KafkaStreams.start()} was called. */
    public long started() { return started; }

    /** First restore of a changelog partition began (the group had assigned tasks); 0 if nothing was restored. */
    public long restoreStart() { return restoreStart.get(); }

    /** The last changelog partition restore that ended before RUNNING. */
    public long restoreEnd() { return restoreEnd.get(); }

    /** Records restored before RUNNING (a crash under exactly-once wipes the stores of tasks without a checkpoint). */
    public long restoredRecords() { return restoredRecords.get(); }

    public long restoredPartitions() { return restoredPartitions.get(); }

    /** First time Kafka Streams was RUNNING (every task assigned and restored). */
    public long running() { return running.get(); }

    void onStateChange(KafkaStreams.State newState) {
        if (newState == KafkaStreams.State.RUNNING) {
            running.compareAndSet(0, System.currentTimeMillis());
        }
    }

    /** One line for the log: the phases from start to RUNNING, in milliseconds. */
    public String describe() {
        long run = running.get();
        long rs = restoreStart.get();
        long re = restoreEnd.get();
        return "running " + (run == 0 ? "-" : (run - started) + " ms") + " after start"
                + (rs == 0 ? "; nothing to restore"
                : "; restore of " + restoredRecords.get() + " records from " + restoredPartitions.get()
                        + " changelog partitions began at +" + (rs - started) + " ms and took " + (re == 0 ? "-" : (re - rs) + " ms"));
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        if (running.get() == 0) {
            restoreStart.compareAndSet(0, System.currentTimeMillis());
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        // totals only
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        if (running.get() == 0) {
            restoredRecords.addAndGet(totalRestored);
            restoredPartitions.incrementAndGet();
            restoreEnd.accumulateAndGet(System.currentTimeMillis(), Math::max);
        }
    }
}
