package dev.baton.runmodel.events;

import java.util.Set;

/**
 * The intent of each event, with an explicit code that is never reused (docs/events.md lists them). The code travels
 * with every {@code baton.run-events} record as the {@code baton-intent} header, so a consumer can route or filter
 * events without decoding them. A retired intent keeps its code forever.
 */
public enum Intent {
    // run events
    RUN_REQUESTED(101), RUN_QUEUED(102), RUN_STARTED(103), RUN_SUCCEEDED(104), RUN_FAILED(105), RUN_CANCEL_REQUESTED(106),
    RUN_CANCELED(107), RUN_REQUEST_REJECTED(108), RUN_RETRIED(109), RUN_EXPIRED(110), COMMAND_REJECTED(111),
    REPORT_REJECTED(112),
    // step events
    STEP_QUEUED(201), STEP_DISPATCHED(202), STEP_STARTED(203), STEP_HEARTBEAT(204), STEP_SUCCEEDED(205), STEP_FAILED(206),
    STEP_RETRY_SCHEDULED(207), STEP_LOST(208), STEP_TIMED_OUT(209), STEP_CANCEL_REQUESTED(210), STEP_CANCELED(211),
    STEP_SKIPPED(212), STEP_REUSED(213),
    // sub-jobs and the step cache
    STEP_SUBJOB_STARTED(220), STEP_CACHE_LOOKUP(221), STEP_CACHE_HIT(222), STEP_CACHE_MISS(223),
    // forEach (codes 230-239 kept for dynamic work)
    STEP_MAPPED(230);

    /**
     * Codes of the retired command intents (REQUEST_RUN 1, CANCEL_RUN 2, RETRY_RUN 3, ADMIT_RUN 4, ADMIT_STEP 5,
     * REPORT_STARTED..REPORT_FAILED 10-13, FIRE_TIMER 20). They were never on the wire (a command's type is its Avro
     * union branch); they stay reserved so no event ever takes them.
     */
    public static final Set<Integer> RETIRED = Set.of(1, 2, 3, 4, 5, 10, 11, 12, 13, 20);

    private final int code;

    Intent(int code) {
        this.code = code;
    }

    public int code() { return code; }
}
