package dev.baton.schemas.serde;

import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that could not be decoded into an event, with a precise {@link DecodeFailure}.
 * Thrown by {@link AvroSerde#deserialize}; callers dead-letter the record using {@link #failure()}.
 */
public class EventDecodeException extends SerializationException {
    private static final long serialVersionUID = 1L;

    private final DecodeFailure failure;
    private final int schemaId;
    private final boolean hasSchemaId;

    public EventDecodeException(DecodeFailure failure, String message, Throwable cause) {
        this(failure, message, null, cause);
    }

    public EventDecodeException(DecodeFailure failure, String message, Integer schemaId, Throwable cause) {
        super(failure + ": " + message, cause);
        this.failure = failure;
        this.hasSchemaId = schemaId != null;
        this.schemaId = schemaId == null ? -1 : schemaId;
    }

    public DecodeFailure failure() {
        return failure;
    }

    /** The schema id read from the record header, when the header was readable. */
    public OptionalInt schemaId() {
        return hasSchemaId ? OptionalInt.of(schemaId) : OptionalInt.empty();
    }
}
