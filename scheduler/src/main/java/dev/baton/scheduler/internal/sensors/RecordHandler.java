package dev.baton.scheduler.internal.sensors;

import dev.baton.events.JobDefinition;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one consumed record into an {@link Outcome}. Pure apart from schema lookups and the keys of dynamic partition
 * sets: the same record and definition give the same outcome (and run id), so a batch redone after a crash requests
 * the same runs (or, when a key was added or removed meanwhile, the outcome of the redo is the one committed).
 */
public interface RecordHandler {
    /**
     * @param now the request timestamp (processing time; the run id never depends on it)
     * @throws RuntimeException only for problems that are not the record's fault (registry unreachable): the sensor
     *                          then aborts the batch and retries it
     */
    Outcome handle(ConsumerRecord<byte[], byte[]> record, JobDefinition job, Instant now);

    /**
     * Called by the sensor before the records of a poll are handled: state read from Kafka for the batch (the keys of
     * dynamic partition sets) must be at least as new as this moment.
     */
    default void beginBatch() {}
}
