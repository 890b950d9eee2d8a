package dev.baton.coordinator.internal;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * The coordinator's stream-thread producer, which tells the thread's commit coalescing when an exactly-once commit
 * completed: Kafka Streams commits a transaction on the stream thread itself, after the processing round in which
 * the commit was asked, and gives processors no hook for its end. Without it an input taken after a commit could not
 * be told from one that waited behind the commit (see {@link RunProcessor.ThreadActivity}).
 */
public final class CommitTimedProducer extends KafkaProducer<byte[], byte[]> {
    CommitTimedProducer(Map<String, Object> config) {
        super(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void commitTransaction() {
        super.commitTransaction();
        RunProcessor.commitCompleted();
    }

    /** Kafka's default clients, with {@link CommitTimedProducer} as the producer. */
    public static final class Supplier extends DefaultKafkaClientSupplier {
        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new CommitTimedProducer(config);
        }
    }
}
