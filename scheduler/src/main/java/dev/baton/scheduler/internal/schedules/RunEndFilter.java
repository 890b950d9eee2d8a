package dev.baton.scheduler.internal.schedules;

import dev.baton.events.RejectionType;
import dev.baton.events.RunCanceled;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunRequestRejected;
import dev.baton.events.RunSucceeded;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.scheduler.internal.SchedulerMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run events that end a run (succeeded, failed, canceled, or a request rejected for any reason but a
 * duplicate run key) and re-keys them by job, so they meet the schedule states in the engine's single task.
 * Output value: {@code runId \t STATUS}.
 */
public final class RunEndFilter implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(RunEndFilter.class);

    private final AvroSerde<RunEvent> serde;
    private final SchedulerMetrics metrics;
    private ProcessorContext<String, byte[]> context;

    public RunEndFilter(AvroSerde<RunEvent> serde, SchedulerMetrics metrics) {
        this.serde = serde;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        if (rec.value() == null) {
            return;
        }
        RunEvent event;
        try {
            event = serde.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(""), rec.value());
        } catch (SerializationException e) {
            // The coordinator owns run-events and dead-letters what it cannot write; here it is only counted.
            metrics.undecodable("run-events");
            log.warn("Cannot read a run event (key {}): {}", rec.key(), e.getMessage());
            return;
        }
        String status = status(event.getPayload());
        if (status != null) {
            context.forward(new Record<>(event.getJob(), (event.getRunId() + "\t" + status).getBytes(StandardCharsets.UTF_8),
                    rec.timestamp()));
        }
    }

    static String status(Object payload) {
        return switch (payload) {
            case RunSucceeded x -> "SUCCEEDED";
            case RunFailed x -> "FAILED";
            case RunCanceled x -> "CANCELED";
            case RunRequestRejected r when r.getRejectionType() != RejectionType.DUPLICATE_RUN -> "REJECTED";
            default -> null;
        };
    }
}
