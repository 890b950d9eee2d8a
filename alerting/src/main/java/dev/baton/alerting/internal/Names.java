package dev.baton.alerting.internal;

/** Names of the incident engine's processors, stores and internal topics. Never rename: state and topics hang on them. */
public final class Names {
    private Names() {}

    public static final String APPLICATION = "alerting";
    public static final String NOTIFIER_GROUP = "alerting-notifier";

    public static final String SOURCE_JOBS = "alerting-jobs-source";
    public static final String JOBS_STORE = "alerting-jobs";
    public static final String JOBS_PROCESSOR = "alerting-jobs-updater";

    public static final String SOURCE_RUN_EVENTS = "alerting-run-events-source";
    public static final String SOURCE_LINEAGE = "alerting-lineage-source";
    public static final String SOURCE_AGENTS = "alerting-agents-source";
    public static final String SOURCE_CONTROL = "alerting-control-source";
    public static final String SOURCE_SCHEDULES = "alerting-schedules-source";
    public static final String SCHEDULE_SIGNALS = "alerting-schedule-signals";
    public static final String MERGE_SCHEDULES = "alerting-merge-schedules";
    /** job/schedule to the newest tick (epoch ms) seen in the scheduler's status. */
    public static final String TICKS_STORE = "alerting-ticks";
    public static final String RUN_SIGNALS = "alerting-run-signals";
    public static final String LINEAGE_SIGNALS = "alerting-lineage-signals";
    public static final String AGENT_SIGNALS = "alerting-agent-signals";
    public static final String CONTROL_SIGNALS = "alerting-control-signals";
    public static final String MERGE_SIGNALS = "alerting-merge";
    public static final String MERGE_AGENTS = "alerting-merge-agents";
    public static final String MERGE_CONTROL = "alerting-merge-control";
    /** Repartition topic {@code <app>-alerting-signals-repartition}: every signal, one partition. */
    public static final String SIGNALS = "alerting-signals";

    public static final String INCIDENT_PROCESSOR = "alerting-incidents-processor";
    /** Incident id to Incident (Avro). */
    public static final String INCIDENTS_STORE = "alerting-incidents";
    /** Group key (rule, job, subject) to {@link GroupState} (JSON). */
    public static final String GROUPS_STORE = "alerting-groups";
    /** condition|job|subject to the time (ms) it last cleared: older occurrences are stale. */
    public static final String CLEARS_STORE = "alerting-clears";
    /** Agent id to {@link AgentSeen} (JSON). */
    public static final String AGENTS_STORE = "alerting-agents";
    /** Attempt id to {@link PendingAttempt} (JSON): dispatched, not yet started (pool_unserved). */
    public static final String PENDING_STORE = "alerting-pending";
    public static final String SINK = "alerting-sink";
}
