package dev.baton.platform;

import java.time.Duration;
import org.apache.kafka.clients.consumer.CloseOptions;

/**
 * How long Baton's consumers (auto-commit off, or Streams' main consumers, which commit through the task's producer or
 * an explicit commit before they close) wait in {@code close}. With auto-commit off a close commits nothing; what is
 * left for it is leaving the group (one request to the coordinator, sent first) and closing the fetch sessions. A
 * fetch session's close request waits on its connection behind the pending fetch, which the broker holds for up to
 * {@code fetch.max.wait.ms}: with Kafka's default 30 s close timeout each closing consumer waited that long. A session
 * left unclosed costs nothing: the broker evicts it from its fetch session cache. So the close is bounded by
 * {@link #BOUND} (Kafka's default fetch wait): a graceful stop then takes no longer with a longer fetch wait.
 * Not for the agent's share consumers, whose close sends the pending acknowledgements (see CommandLoop).
 */
public final class ConsumerClose {
    /** The longest a consumer's close waits (leave group, then close the fetch sessions). */
    public static final Duration BOUND = Duration.ofMillis(500);

    private ConsumerClose() {
    }

    /** {@code CloseOptions.timeout(BOUND)}. */
    public static CloseOptions bounded() {
        return CloseOptions.timeout(BOUND);
    }

    /** The options with their timeout at most {@link #BOUND} (the group membership operation kept). */
    public static CloseOptions bounded(CloseOptions options) {
        Duration t = options.timeout().filter(d -> d.compareTo(BOUND) < 0).orElse(BOUND);
        return CloseOptions.timeout(t).withGroupMembershipOperation(options.groupMembershipOperation());
    }

    /** The timeout at most {@link #BOUND}. */
    public static Duration bounded(Duration timeout) {
        return timeout.compareTo(BOUND) < 0 ? timeout : BOUND;
    }
}
