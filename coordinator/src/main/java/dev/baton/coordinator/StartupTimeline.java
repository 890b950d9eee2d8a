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
    private final long begin = System.currentTimeMillis();
    private volatile long topicsReady;
    private volatile long created;
    private volatile long started;
    private volatile long startReturned;
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong restoreStart = new AtomicLong();
    private final AtomicLong restoreEnd = new AtomicLong();
    private final AtomicLong restoredRecords = new AtomicLong();
    private final AtomicLong restoredPartitions = new AtomicLong();

    /** When {@link Coordinator#start} began. */
    public long begin() { return begin; }

    /** Its topics were checked (created if missing). */
    public long topicsReady() { return topicsReady; }

    /** The topology was built and {@code KafkaStreams} constructed (which opens and checks the local state stores). */
    public long created() { return created; }

    /** When {@code KafkaStreams.start()} was called. */
    public long started() { return started; }

    /** When {@code KafkaStreams.start()} returned: the global stores are restored and the stream threads started. */
    public long startReturned() { return startReturned; }

    void markTopicsReady() { topicsReady = System.currentTimeMillis(); }

    void markCreated() { created = System.currentTimeMillis(); }

    void markStarted() { started = System.currentTimeMillis(); }

    void markStartReturned() { startReturned = System.currentTimeMillis(); }

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

    /** One line for the log: the phases from the start to RUNNING, in milliseconds after the start. */
    public String describe() {
        long run = running.get();
        long rs = restoreStart.get();
        long re = restoreEnd.get();
        return "running " + (run == 0 ? "-" : (run - begin) + " ms") + " after start (topics +" + since(topicsReady)
                + ", Kafka Streams created +" + since(created) + ", start() returned +" + since(startReturned)
                + " ms; " + (rs == 0 ? "nothing restored)"
                : "restore of " + restoredRecords.get() + " records from " + restoredPartitions.get()
                        + " changelog partitions +" + since(rs) + " to +" + since(re) + " ms)");
    }

    private String since(long at) {
        return at == 0 ? "-" : String.valueOf(at - begin);
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
