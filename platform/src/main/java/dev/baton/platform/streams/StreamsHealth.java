package dev.baton.platform.streams;

import dev.baton.platform.ServiceHealth;
import dev.baton.platform.ThreadRestarts;
import org.apache.kafka.streams.KafkaStreams;

/** The health of one Kafka Streams client of a component, as its {@code /health} shows it. */
public final class StreamsHealth {
    private StreamsHealth() {}

    /**
     * UP when running, STARTING while created or rebalancing, else DOWN naming why the threads gave up ({@code restarts}
     * may be null). {@code what} prefixes the reason ("schedule engine: "), or is empty.
     */
    public static ServiceHealth of(String what, KafkaStreams.State state, ThreadRestarts restarts) {
        String prefix = what.isEmpty() ? "" : what + ": ";
        String why = restarts == null ? null : restarts.fatal() != null ? restarts.fatal() : restarts.lastFailure();
        return switch (state) {
            case RUNNING -> ServiceHealth.UP;
            case CREATED, REBALANCING -> ServiceHealth.starting(prefix + "Kafka Streams " + state);
            case PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR ->
                    ServiceHealth.down(prefix + "Kafka Streams " + state + (why == null ? "" : ": " + why));
        };
    }
}
