package dev.baton.sdk;

/** Fails the attempt for good: retrying cannot help (bad input, missing permission, invalid state). */
public class NonRetryableException extends RuntimeException {
    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
