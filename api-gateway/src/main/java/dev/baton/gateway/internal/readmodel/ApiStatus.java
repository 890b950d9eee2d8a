package dev.baton.gateway.internal.readmodel;

import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepStatus;
import java.util.List;
import java.util.Locale;

/**
 * The statuses the API shows, from the coordinator's ({@link RunStatus}, {@link StepStatus} of the shared run model).
 * The switches are exhaustive: a new coordinator status does not compile until the API has a name for it.
 *
 * <p>Runs: {@code REQUESTED} (accepted, not yet queued) shows as {@code QUEUED}; {@code REJECTED} is a request that
 * never became a run (unknown job, invalid params).
 *
 * <p>Steps: {@code DISPATCHED} (the command waits on the pool's topic for an agent) shows as {@code QUEUED}; a step
 * becomes {@code RUNNING} when an agent reports it started. {@code RETRY_WAIT} shows as {@code PENDING} with a
 * {@code retryAt}.
 */
public final class ApiStatus {
    public static final List<String> RUN_STATUSES = List.of("QUEUED", "RUNNING", "CANCELING", "SUCCEEDED", "FAILED", "CANCELED", "REJECTED");
    public static final List<String> STEP_STATUSES = List.of("PENDING", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED", "CANCELED");

    private ApiStatus() {}

    /** The API status of a view status (a coordinator {@link RunStatus}, or {@link RunFold#REJECTED}). */
    public static String run(String internal) {
        if (internal == null) {
            return "QUEUED";
        }
        if (internal.equals(RunFold.REJECTED)) {
            return RunFold.REJECTED;
        }
        return switch (RunStatus.valueOf(internal)) {
            case REQUESTED -> "QUEUED";
            case QUEUED, RUNNING, CANCELING, SUCCEEDED, FAILED, CANCELED -> internal;
        };
    }

    /** The API status of a coordinator {@link StepStatus}. */
    public static String step(String internal) {
        if (internal == null) {
            return "PENDING";
        }
        return switch (StepStatus.valueOf(internal)) {
            case DISPATCHED -> "QUEUED";
            case RETRY_WAIT -> "PENDING";
            case PENDING, QUEUED, RUNNING, SUCCEEDED, FAILED, SKIPPED, CANCELED -> internal;
        };
    }

    /** Parses a run status filter value; null when it names no API status. */
    public static String parseRun(String s) {
        String u = s.trim().toUpperCase(Locale.ROOT);
        return RUN_STATUSES.contains(u) ? u : null;
    }

    public static boolean finished(String apiStatus) {
        return switch (apiStatus) {
            case "SUCCEEDED", "FAILED", "CANCELED", "REJECTED" -> true;
            default -> false;
        };
    }
}
