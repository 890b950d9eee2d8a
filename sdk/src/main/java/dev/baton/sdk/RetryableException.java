package dev.baton.sdk;

/**
 * Fails the attempt and lets the step's retry policy run it again (for example a temporary outage).
 * Any exception other than {@link NonRetryableException} behaves the same; this one documents intent.
 */
public class RetryableException extends RuntimeException {
    public RetryableException(String message) {
        super(message);
    }

    public RetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
