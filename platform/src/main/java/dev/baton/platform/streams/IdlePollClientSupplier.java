package dev.baton.platform.streams;

import dev.baton.platform.ConsumerClose;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 * <p>Close: call {@link #closing()} before {@code KafkaStreams.close}; it ends the long polls in progress (a
 * {@code wakeup()} that this consumer catches, never passed on to Streams, where it would end the thread) and no new
 * one begins, so the threads see the shutdown within {@code poll.ms}. Cost: a rebalance that begins while a thread
 * waits in a long poll waits for that poll to end (at most {@code maxPollMs}) before its tasks are set up.
 */
public class IdlePollClientSupplier extends DefaultKafkaClientSupplier {
    private final long maxPollMs;
    private volatile boolean closing;
    private final List<IdlePollConsumer> consumers = new CopyOnWriteArrayList<>();

    public IdlePollClientSupplier(long maxPollMs) {
        this.maxPollMs = Math.max(0, maxPollMs);
    }

    /** No long polls from now on (called before the application closes). */
    public void closing() {
        closing = true;
        consumers.forEach(IdlePollConsumer::endLongPoll);
    }

    public long maxPollMs() {
        return maxPollMs;
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new TrackedProducer(config);
    }

    /** A stream thread's main consumer; its resumed partitions get their positions at once ({@link ResumePositions}). */
    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return maxPollMs == 0 ? new MainConsumer(config) : track(new IdlePollConsumer(config, false));
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return maxPollMs == 0 ? new MainConsumer(config) : track(new IdlePollConsumer(config, true));
    }

    private IdlePollConsumer track(IdlePollConsumer c) {
        consumers.removeIf(IdlePollConsumer::closed); // replaced stream threads
        consumers.add(c);
        return c;
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

    /** A main consumer whose {@link #resume} waits for the resumed partitions' positions ({@link ResumePositions}). */
    private static class MainConsumer extends KafkaConsumer<byte[], byte[]> {
        private final Duration resumeBound;

        MainConsumer(Map<String, Object> config) {
            super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.resumeBound = ResumePositions.bound(config);
        }

        @Override
        public void resume(java.util.Collection<TopicPartition> partitions) {
            super.resume(partitions);
            ResumePositions.await(this, partitions, resumeBound);
        }

        // Streams closes its main consumer with Kafka's default 30 s (offsets are committed before, by the task's
        // producer or commitSync; auto-commit is off): bounded, as its fetch session's close waits behind the
        // pending fetch (ConsumerClose).
        @Override
        public void close(org.apache.kafka.clients.consumer.CloseOptions option) {
            super.close(ConsumerClose.bounded(option));
        }

        @Override
        public void close(Duration timeout) {
            super.close(ConsumerClose.bounded(timeout));
        }

        @Override
        public void close() {
            super.close(ConsumerClose.bounded());
        }
    }

    private final class IdlePollConsumer extends MainConsumer {
        private final boolean global;
        private final Object lock = new Object();
        /** Guarded by lock: in a long poll; a wakeup sent to end it; closed. */
        private boolean longPolling;
        private boolean wakeSent;
        private boolean closed;

        IdlePollConsumer(Map<String, Object> config, boolean global) {
            super(config);
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
                return running ? longPoll(maxPollMs) : super.poll(timeout);
            }
            if (!(t instanceof StreamThread st) || st.state() != StreamThread.State.RUNNING) {
                return super.poll(timeout);
            }
            PollBudget budget = PollBudget.current();
            long ms = budget.timeoutMs(requested, maxPollMs, System.currentTimeMillis());
            ConsumerRecords<byte[], byte[]> records = ms == requested ? super.poll(timeout) : longPoll(ms);
            budget.polled(!records.isEmpty());
            return records;
        }

        /** A poll of {@code ms} that {@link #endLongPoll} may end early (then it returns no records). */
        private ConsumerRecords<byte[], byte[]> longPoll(long ms) {
            synchronized (lock) {
                if (closing) {
                    ms = 0; // closing() came first: do not wait at all
                }
                longPolling = true;
            }
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = super.poll(Duration.ofMillis(ms));
            } catch (WakeupException e) {
                synchronized (lock) {
                    longPolling = false;
                    if (!wakeSent) {
                        throw e; // not ours
                    }
                    wakeSent = false;
                }
                return ConsumerRecords.empty();
            }
            boolean pending;
            synchronized (lock) {
                longPolling = false;
                pending = wakeSent;
                wakeSent = false;
            }
            if (!pending) {
                return records;
            }
            // Our wakeup came after the poll had its records: take it back before anyone else meets it. A poll with a
            // wakeup pending throws at once; should the consumer have consumed it already, keep what this poll returns.
            try {
                return merge(records, super.poll(Duration.ZERO));
            } catch (WakeupException expected) {
                return records;
            }
        }

        /** Ends a long poll in progress, if any (closing). */
        void endLongPoll() {
            synchronized (lock) {
                if (longPolling && !wakeSent && !closed) {
                    wakeSent = true;
                    wakeup();
                }
            }
        }

        boolean closed() {
            synchronized (lock) {
                return closed;
            }
        }

        @Override
        public void close(org.apache.kafka.clients.consumer.CloseOptions option) {
            synchronized (lock) {
                closed = true;
            }
            super.close(option);
        }

        @Override
        public void close(Duration timeout) {
            synchronized (lock) {
                closed = true;
            }
            super.close(timeout);
        }

        @Override
        public void close() {
            synchronized (lock) {
                closed = true;
            }
            super.close();
        }
    }

    static ConsumerRecords<byte[], byte[]> merge(ConsumerRecords<byte[], byte[]> a, ConsumerRecords<byte[], byte[]> b) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
        for (ConsumerRecords<byte[], byte[]> r : List.of(a, b)) {
            for (TopicPartition tp : r.partitions()) {
                records.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(r.records(tp));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(a.nextOffsets());
        next.putAll(b.nextOffsets());
        return new ConsumerRecords<>(records, next);
    }
}
