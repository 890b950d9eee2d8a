package dev.baton.schemas.serde;

/**
 * A failed schema-registry request. Carries the HTTP status and the Confluent {@code error_code}
 * (for example 40401 subject not found, 40403 schema not found, 409 incompatible, 42201 invalid
 * schema); both are 0 when no HTTP response was received (see {@link #isUnavailable()}).
 */
public class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int BACKEND_ERROR = 50001;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = 0;
        this.errorCode = 0;
    }

    /** HTTP status of the response, or 0 when no response was received. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent {@code error_code} of the response body; the HTTP status when the body had none; 0 without response. */
    public int errorCode() {
        return errorCode;
    }

    /** True when no registry answered (every URL failed to connect) or the registry failed with a 5xx. */
    public boolean isUnavailable() {
        return httpStatus == 0 || httpStatus >= 500;
    }

    /** True for a 404, whatever the Confluent code (40401, 40402, 40403, ...). */
    public boolean isNotFound() {
        return httpStatus == 404;
    }
}
