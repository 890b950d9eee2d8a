package dev.baton.scheduler.internal;

/** Names of the schedule engine's processors, stores and internal topics. Never rename: state and topics hang on them. */
public final class Names {
    private Names() {}

    public static final String SOURCE_JOBS = "scheduler-jobs-source";
    public static final String JOBS_STORE = "scheduler-jobs";
    public static final String JOBS_PROCESSOR = "scheduler-jobs-updater";

    public static final String SOURCE_RUN_EVENTS = "scheduler-run-events-source";
    public static final String RUN_END_FILTER = "scheduler-run-end-filter";
    /** Repartition topic {@code <app>-scheduler-run-ends-repartition}: run ends keyed by job, one partition. */
    public static final String RUN_ENDS = "scheduler-run-ends";

    public static final String SOURCE_CONTROL = "scheduler-control-source";
    public static final String MERGE_INPUTS = "scheduler-inputs";
    public static final String SCHEDULE_PROCESSOR = "scheduler-schedules-processor";
    public static final String SCHEDULE_STORE = "scheduler-schedules";
    public static final String SINK = "scheduler-sink";
}
