package dev.baton.gateway.internal.backfills;

import dev.baton.events.BackfillEvent;
import dev.baton.events.ControlCommand;
import dev.baton.events.RunRequest;

/**
 * Where backfills write: their events, their partitions' run requests and cancel commands. On Kafka in the gateway
 * ({@link KafkaBackfillOutput}); in memory in handler tests.
 */
public interface BackfillOutput {
    /** Appends an event and waits for it to be acknowledged (blocking). */
    void append(BackfillEvent event);

    /** Appends an event without waiting; a failure is reported to {@code onFailure}. */
    void appendAsync(BackfillEvent event, java.util.function.Consumer<Exception> onFailure);

    /** Requests a run without waiting; {@code done} gets null or the failure once acknowledged. */
    void request(RunRequest request, java.util.function.Consumer<Exception> done);

    /** Sends a control command (cancel) without waiting. */
    void control(ControlCommand command);

    /** Waits until everything sent so far is acknowledged. */
    void flush();
}
