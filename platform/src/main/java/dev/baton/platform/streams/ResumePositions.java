package dev.baton.platform.streams;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Gives the partitions a stream thread resumes their fetch position before its next poll, so that poll's fetch asks for
 * them too (used by {@link IdlePollClientSupplier}'s stream-thread consumers).
 *
 * <p>Why: Kafka Streams resumes a task's input partitions once the task is restored. A partition with a committed
 * offset then still needs a round trip to the broker (its position is validated against the leader epoch) before the
 * consumer fetches it; a partition without one (reset to the log's start, e.g. an input topic nothing was written to
 * yet) needs its own. The consumer sends at most one fetch per broker at a time, and the broker holds a fetch whose
 * partitions have nothing to read for {@code fetch.max.wait.ms}. So when the empty partitions' position came first, the
 * thread's first fetch asked for those alone and the broker held it: the restored tasks' backlog was fetched only when
 * it returned. After a coordinator's restart that was 500 ms of its first dispatch (docs/benchmarks.md, recovery).
 *
 * <p>{@link Consumer#position(TopicPartition, Duration)} waits for exactly that (the committed offset, the reset, the
 * validation) and changes nothing else: no fetch is sent, and a position it sets is the one the next poll would have set.
 * Already positioned partitions (the common case: Streams resumes a partition whose buffer drained) return at once
 * without a request. Bounded by {@code fetch.max.wait.ms} (the most it can save); what does not complete in time, or
 * fails in a way the next poll reports again (no offset and no reset policy: Streams resets those in its poll), is left
 * to the next poll.
 */
public final class ResumePositions {
    private ResumePositions() {
    }

    /** The longest wait for one resume's positions: the consumer's {@code fetch.max.wait.ms} (default 500 ms). */
    public static Duration bound(Map<String, Object> consumerConfig) {
        Object v = consumerConfig.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
        long ms = v == null ? 500 : Long.parseLong(v.toString().trim());
        return Duration.ofMillis(Math.max(0, ms));
    }

    /** Waits (at most {@code bound} in all) until the resumed partitions still assigned have a fetch position. */
    public static void await(Consumer<?, ?> consumer, Collection<TopicPartition> resumed, Duration bound) {
        if (resumed.isEmpty() || bound.isZero()) {
            return;
        }
        long deadline = System.nanoTime() + bound.toNanos();
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition tp : resumed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (!assigned.contains(tp)) {
                continue;
            }
            try {
                consumer.position(tp, Duration.ofNanos(left));
            } catch (TimeoutException | InvalidOffsetException e) {
                // The next poll goes on from where this left off (and reports an invalid offset to Streams again).
                return;
            }
        }
    }
}
