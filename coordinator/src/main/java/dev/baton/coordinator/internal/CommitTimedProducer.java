package dev.baton.coordinator.internal;

import dev.baton.platform.streams.IdlePollClientSupplier;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;

/**
 * The coordinator's stream-thread producer, which tells the thread's commit coalescing when an exactly-once commit
 * completed: Kafka Streams commits a transaction on the stream thread itself, after the processing round in which
 * the commit was asked, and gives processors no hook for its end. Without it an input taken after a commit could not
 * be told from one that waited behind the commit (see {@link RunProcessor.ThreadActivity}).
 */
public final class CommitTimedProducer extends IdlePollClientSupplier.TrackedProducer {
    CommitTimedProducer(Map<String, Object> config) {
        super(config);
    }

    @Override
    public void commitTransaction() {
        super.commitTransaction();
        RunProcessor.commitCompleted();
    }

    /**
     * Kafka's default clients, with {@link CommitTimedProducer} as the producer, and consumers that poll up to
     * {@code maxIdlePollMs} while their thread has nothing due ({@link IdlePollClientSupplier}; 0: off).
     */
    public static final class Supplier extends IdlePollClientSupplier {
        public Supplier(long maxIdlePollMs) {
            super(maxIdlePollMs);
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new CommitTimedProducer(config);
        }
    }
}
