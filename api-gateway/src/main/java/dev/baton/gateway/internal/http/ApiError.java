package dev.baton.gateway.internal.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An API error: HTTP status, a stable machine-readable code, a message for humans and optional extra fields
 * (for example {@code problems} of an invalid job). Codes are part of the API contract (docs/api.md).
 */
public final class ApiError extends RuntimeException {
    public static final String INVALID_JOB = "invalid_job";
    public static final String INVALID_REQUEST = "invalid_request";
    public static final String UNAUTHORIZED = "unauthorized";
    /** A webhook trigger without the signature its job requires, or with a wrong one. */
    public static final String INVALID_SIGNATURE = "invalid_signature";
    public static final String FORBIDDEN = "forbidden";
    public static final String NOT_FOUND = "not_found";
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    public static final String CONFLICT = "conflict";
    public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
    public static final String TOO_MANY_REQUESTS = "too_many_requests";
    public static final String URI_TOO_LONG = "uri_too_long";
    public static final String HEADERS_TOO_LARGE = "headers_too_large";
    public static final String UNAVAILABLE = "unavailable";
    public static final String INTERNAL = "internal";
    /** The gateway lacks the value of a secret a job names (configuration, not the caller's fault). */
    public static final String SECRET_MISSING = "secret_missing";

    private final int status;
    private final String code;
    private final Map<String, Object> extra;

    public ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public ApiError(int status, String code, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.extra = new LinkedHashMap<>(extra);
    }

    public int status() { return status; }

    public String code() { return code; }

    public Map<String, Object> extra() { return extra; }

    public static ApiError badRequest(String message) {
        return new ApiError(400, INVALID_REQUEST, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, NOT_FOUND, message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, CONFLICT, message);
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, UNAVAILABLE, message);
    }
}
