package dev.baton.registry.internal;

/** An error answered in Confluent's shape: HTTP status plus {@code {"error_code": ..., "message": ...}}. */
public final class RegistryError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int OPERATION_NOT_PERMITTED = 42205;
    public static final int BACKEND_ERROR = 50001;
    public static final int OPERATION_TIMED_OUT = 50002;

    private final int status;
    private final int code;

    public RegistryError(int status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public RegistryError(int status, int code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public int code() {
        return code;
    }

    public static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    public static RegistryError versionNotFound(String version) {
        return new RegistryError(404, VERSION_NOT_FOUND, "Version " + version + " not found.");
    }

    public static RegistryError invalidSchema(String detail) {
        return new RegistryError(422, INVALID_SCHEMA, "Invalid schema: " + detail);
    }
}
