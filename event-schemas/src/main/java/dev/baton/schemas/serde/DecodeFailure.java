package dev.baton.schemas.serde;

/**
 * Why a record could not be decoded. Consumers route the record to the dead-letter topic with
 * {@code name()} as the cause, so each constant names exactly one situation.
 */
public enum DecodeFailure {
    /** The value was null (not accepted as a tombstone by this serde) or had zero bytes. */
    NULL_OR_EMPTY,
    /** Shorter than the 5-byte header, or the first byte is not the magic byte 0. */
    NOT_WIRE_FORMAT,
    /** The registry answered that the schema id in the header does not exist. */
    UNKNOWN_SCHEMA_ID,
    /** The registry could not be reached or failed (connection, 5xx, authentication). */
    REGISTRY_UNAVAILABLE,
    /** The writer schema exists but cannot be resolved against the reader schema of the target class. */
    INCOMPATIBLE_SCHEMA,
    /** The header and schema are fine but the Avro body does not decode with the writer schema. */
    CORRUPT_PAYLOAD
}
