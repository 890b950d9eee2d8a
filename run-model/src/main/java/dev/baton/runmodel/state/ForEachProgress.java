package dev.baton.runmodel.state;

/**
 * A forEach step's counters (kept on the mapped step's {@link StepState}); its instances in flight are steps of their
 * own ({@link StepInstances}) and leave the run's state when they end, so the state stays bounded by
 * {@code maxParallel} however long the list is.
 *
 * @param count       elements in the list
 * @param maxParallel instances in flight at most
 * @param started     instances created so far (they are created in element order)
 * @param succeeded   instances that succeeded
 * @param failed      instances that failed for good
 * @param canceled    instances canceled (or skipped)
 */
public record ForEachProgress(int count, int maxParallel, int started, int succeeded, int failed, int canceled) {

    public static ForEachProgress of(int count, int maxParallel) {
        return new ForEachProgress(count, maxParallel, 0, 0, 0, 0);
    }

    /** Instances created that have not ended. */
    public int active() {
        return started - succeeded - failed - canceled;
    }

    ForEachProgress instanceStarted() {
        return new ForEachProgress(count, maxParallel, started + 1, succeeded, failed, canceled);
    }

    ForEachProgress instanceEnded(StepStatus status) {
        return switch (status) {
            case SUCCEEDED -> new ForEachProgress(count, maxParallel, started, succeeded + 1, failed, canceled);
            case FAILED -> new ForEachProgress(count, maxParallel, started, succeeded, failed + 1, canceled);
            case CANCELED, SKIPPED -> new ForEachProgress(count, maxParallel, started, succeeded, failed, canceled + 1);
            case PENDING, QUEUED, DISPATCHED, RUNNING, RETRY_WAIT -> this;
        };
    }
}
