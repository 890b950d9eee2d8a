package dev.baton.runmodel.state;

public enum StepStatus {
    /** Waiting for its upstream steps. */
    PENDING,
    /** Ready, waiting for its pool's concurrency limit. */
    QUEUED,
    /** An execute command for the current attempt is on the pool's topic. */
    DISPATCHED,
    RUNNING,
    /** The last attempt failed; the next one is due at {@code retryDueAt}. */
    RETRY_WAIT,
    SUCCEEDED, FAILED, SKIPPED, CANCELED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELED;
    }

    /** An attempt is out with an agent (or about to be). */
    public boolean isActive() {
        return this == DISPATCHED || this == RUNNING;
    }
}
