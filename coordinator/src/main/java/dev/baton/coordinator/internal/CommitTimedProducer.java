package dev.baton.coordinator.internal;

import dev.baton.platform.streams.IdlePollClientSupplier;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;

/**
 * The coordinator's stream-thread producer, which tells the thread's commit coalescing when an exactly-once commit
 * completed: Kafka Streams commits a transaction on the stream thread itself, after the processing round in which
 * the commit was asked, and gives processors no hook for its end. Without it an input taken after a commit could not
 * be told from one that waited behind the commit (see {@link RunProcessor.ThreadActivity}).
 *
 * <p>With {@code overlap} ({@code coordinator.commit.overlap}) a {@link #flush()} inside an open transaction does not
 * wait. Kafka Streams commits a task as flush (wait until every record sent is acknowledged), then
 * {@code sendOffsetsToTransaction} (a round trip to the group coordinator), then {@code commitTransaction}: three broker
 * exchanges one after the other, the stream thread processing nothing meanwhile. Without the wait the offsets go out
 * while the records are still in flight. Nothing weaker: {@code commitTransaction} sends the remaining records at once
 * (a completing transaction's batches do not linger), ends the transaction only once all of them are acknowledged
 * (their callbacks, the changelog offsets Streams checkpoints, have run by then) and throws, committing nothing, if any
 * of them failed ({@link org.apache.kafka.clients.producer.KafkaProducer#commitTransaction()}); Streams then aborts
 * as for any failed commit. A send error may so be reported by the failed commit instead of by the flush's check.
 */
public final class CommitTimedProducer extends IdlePollClientSupplier.TrackedProducer {
    private final boolean overlap;
    private boolean inTransaction; // the stream thread's own producer: one thread

    CommitTimedProducer(Map<String, Object> config, boolean overlap) {
        super(config);
        this.overlap = overlap;
    }

    @Override
    public void beginTransaction() {
        super.beginTransaction();
        inTransaction = true;
    }

    @Override
    public void flush() {
        if (!(overlap && inTransaction)) {
            super.flush();
        }
    }

    @Override
    public void commitTransaction() {
        inTransaction = false; // also when it throws: a flush outside a known-open transaction waits
        super.commitTransaction();
        RunProcessor.commitCompleted();
    }

    @Override
    public void abortTransaction() {
        inTransaction = false;
        super.abortTransaction();
    }

    /**
     * Kafka's default clients, with {@link CommitTimedProducer} as the producer, and consumers that poll up to
     * {@code maxIdlePollMs} while their thread has nothing due ({@link IdlePollClientSupplier}; 0: off).
     */
    public static final class Supplier extends IdlePollClientSupplier {
        private final boolean overlap;

        public Supplier(long maxIdlePollMs, boolean overlap) {
            super(maxIdlePollMs);
            this.overlap = overlap;
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new CommitTimedProducer(config, overlap);
        }
    }
}
