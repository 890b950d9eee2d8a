package dev.baton.scheduler.internal;

import java.time.Instant;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Fault injection points for crash tests: each is called at the moment a crash is the most damaging (output sent,
 * commit not yet done). Production uses {@link #NONE}.
 */
public interface Faults {
    Faults NONE = new Faults() {};

    /** After a tick's run request was forwarded, before the Streams transaction that holds it commits. */
    default void afterTickForwarded(String scheduleId, Instant tick) {}

    /** What the schedule engine does when its stream thread fails: production replaces the thread. */
    default StreamThreadExceptionResponse onEngineFailure(Throwable e) {
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * After a sensor sent its run requests, before it sends its offsets and commits the transaction; {@code records} 0:
     * before a transaction with only the waiting offsets of filtered records.
     */
    default void beforeSensorCommit(String sensorId, int records) {}
}
