package dev.baton.coordinator.internal;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Defence in depth behind the record size guard of {@link RunProcessor}: that guard keeps every record under
 * {@code coordinator.max.record.bytes}, but a broker or topic configured with a lower limit can still reject one.
 * Such a {@link RecordTooLargeException} is logged and the record skipped (RESUME), because failing would kill the
 * stream thread, and the replaced thread would reprocess the same input, fail the same way, and stall every run of
 * its partitions for good. Every other production error keeps Streams' default (FAIL).
 */
public final class OversizeRecordHandler implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(OversizeRecordHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            int size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
            log.error("Skipped a {}-byte record for {} (processor {}, source {}-{}@{}): {}. Lower coordinator.max.record.bytes "
                            + "below the broker's limits.", size, record.topic(), context.processorNodeId(), context.topic(),
                    context.partition(), context.offset(), exception.getMessage());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
