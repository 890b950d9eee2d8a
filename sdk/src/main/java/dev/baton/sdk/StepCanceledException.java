package dev.baton.sdk;

/** Thrown by {@link StepContext#checkCanceled()}; the agent reports the attempt as canceled (or timed out). */
public class StepCanceledException extends RuntimeException {
    public StepCanceledException(String message) {
        super(message);
    }
}
