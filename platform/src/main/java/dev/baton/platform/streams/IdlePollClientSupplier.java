package dev.baton.platform.streams;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.GlobalStreamThread;
import org.apache.kafka.streams.processor.internals.StreamThread;

/**
 * Kafka's default clients, whose stream-thread consumer polls longer than {@code poll.ms} while its thread has nothing
 * due (at rest), up to {@code maxPollMs}; the global consumer polls {@code maxPollMs} outright while RUNNING. 0 (or not
 * more than {@code poll.ms}): Kafka's behaviour.
 *
 * <p>Why: Kafka Streams' run loop wakes every {@code poll.ms} whatever the thread has to do, and at rest those wakes
 * are most of an idle application's CPU (docs/benchmarks.md, idle). Records arriving end a poll at once, whatever its
 * timeout; what a longer poll could delay is what runs after the poll returns: wall-clock punctuations and commits
 * (under exactly-once a processed record is readable only after the commit). So the main consumer's poll lasts
 * {@code poll.ms} while its thread is busy (a transaction open, or the previous poll returned records) or not RUNNING
 * (assigned tasks restoring or being set up after a rebalance), and otherwise until the next run of an
 * {@link IdlePunctuation} on the thread (see {@link PollBudget}). A plain {@code context.schedule} wall-clock
 * punctuation is not known to it: use it only for topologies whose wall-clock punctuations are all {@link IdlePunctuation}s.
 * Global stores have nothing to commit or punctuate.
 *
 * <p>Costs: a graceful close, or a rebalance that begins while a thread waits in a long poll, waits for that poll to end
 * (at most {@code maxPollMs}); call {@link #closing()} before {@code KafkaStreams.close} so that no new long poll begins.
 */
public class IdlePollClientSupplier extends DefaultKafkaClientSupplier {
    private final long maxPollMs;
    private volatile boolean closing;

    public IdlePollClientSupplier(long maxPollMs) {
        this.maxPollMs = Math.max(0, maxPollMs);
    }

    /** No long polls from now on (called before the application closes). */
    public void closing() {
        closing = true;
    }

    public long maxPollMs() {
        return maxPollMs;
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new TrackedProducer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return maxPollMs == 0 ? super.getConsumer(config) : new IdlePollConsumer(config, false);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return maxPollMs == 0 ? super.getGlobalConsumer(config) : new IdlePollConsumer(config, true);
    }

    /** A stream-thread producer that tells its thread's {@link PollBudget} when a transaction is open. */
    public static class TrackedProducer extends KafkaProducer<byte[], byte[]> {
        public TrackedProducer(Map<String, Object> config) {
            super(config, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public void beginTransaction() {
            PollBudget.current().transactionBegun(); // before: a failed begin leaves the thread busy, the safe side
            super.beginTransaction();
        }

        @Override
        public void commitTransaction() {
            super.commitTransaction();
            PollBudget.current().transactionEnded();
        }

        @Override
        public void abortTransaction() {
            super.abortTransaction();
            PollBudget.current().transactionEnded();
        }
    }

    private final class IdlePollConsumer extends KafkaConsumer<byte[], byte[]> {
        private final boolean global;

        IdlePollConsumer(Map<String, Object> config, boolean global) {
            super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.global = global;
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            long requested = timeout.toMillis();
            if (closing || requested <= 0 || requested >= maxPollMs) {
                return super.poll(timeout);
            }
            Thread t = Thread.currentThread();
            if (global) {
                boolean running = t instanceof GlobalStreamThread g && g.state() == GlobalStreamThread.State.RUNNING;
                return super.poll(running ? Duration.ofMillis(maxPollMs) : timeout);
            }
            if (!(t instanceof StreamThread st) || st.state() != StreamThread.State.RUNNING) {
                return super.poll(timeout);
            }
            PollBudget budget = PollBudget.current();
            long ms = budget.timeoutMs(requested, maxPollMs, System.currentTimeMillis());
            ConsumerRecords<byte[], byte[]> records = super.poll(ms == requested ? timeout : Duration.ofMillis(ms));
            budget.polled(!records.isEmpty());
            return records;
        }
    }
}
