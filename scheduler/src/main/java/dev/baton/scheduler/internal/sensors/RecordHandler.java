package dev.baton.scheduler.internal.sensors;

import dev.baton.events.JobDefinition;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one consumed record into an {@link Outcome}. Pure apart from schema lookups: the same record and definition
 * give the same outcome (and run id), so a batch redone after a crash requests the same runs.
 */
public interface RecordHandler {
    /**
     * @param now the request timestamp (processing time; the run id never depends on it)
     * @throws RuntimeException only for problems that are not the record's fault (registry unreachable): the sensor
     *                          then aborts the batch and retries it
     */
    Outcome handle(ConsumerRecord<byte[], byte[]> record, JobDefinition job, Instant now);
}
