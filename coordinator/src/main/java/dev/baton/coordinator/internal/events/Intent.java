package dev.baton.coordinator.internal.events;

/**
 * Commands and the events that answer them, with explicit codes that are never reused
 * (docs/events.md lists them). A retired intent keeps its code forever.
 */
public enum Intent {
    // commands (inputs)
    REQUEST_RUN(1, true), CANCEL_RUN(2, true), RETRY_RUN(3, true), ADMIT_RUN(4, true), ADMIT_STEP(5, true),
    REPORT_STARTED(10, true), REPORT_HEARTBEAT(11, true), REPORT_SUCCEEDED(12, true), REPORT_FAILED(13, true),
    FIRE_TIMER(20, true),
    // events (run)
    RUN_REQUESTED(101, false), RUN_QUEUED(102, false), RUN_STARTED(103, false), RUN_SUCCEEDED(104, false),
    RUN_FAILED(105, false), RUN_CANCEL_REQUESTED(106, false), RUN_CANCELED(107, false),
    RUN_REQUEST_REJECTED(108, false), RUN_RETRIED(109, false), RUN_EXPIRED(110, false), COMMAND_REJECTED(111, false),
    REPORT_REJECTED(112, false),
    // events (step)
    STEP_QUEUED(201, false), STEP_DISPATCHED(202, false), STEP_STARTED(203, false), STEP_HEARTBEAT(204, false),
    STEP_SUCCEEDED(205, false), STEP_FAILED(206, false), STEP_RETRY_SCHEDULED(207, false), STEP_LOST(208, false),
    STEP_TIMED_OUT(209, false), STEP_CANCEL_REQUESTED(210, false), STEP_CANCELED(211, false), STEP_SKIPPED(212, false),
    STEP_REUSED(213, false);

    private final int code;
    private final boolean command;

    Intent(int code, boolean command) {
        this.code = code;
        this.command = command;
    }

    public int code() { return code; }

    public boolean isCommand() { return command; }
}
