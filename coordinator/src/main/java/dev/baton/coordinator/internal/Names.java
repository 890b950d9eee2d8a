package dev.baton.coordinator.internal;

/**
 * Names of every processor, store and internal topic of the coordinator topology. Never rely on
 * generated names: they change on the next topology edit and orphan state.
 */
public final class Names {
    private Names() {}

    public static final String SOURCE_REQUESTS = "baton-source-run-requests";
    public static final String SOURCE_CONTROL = "baton-source-run-control";
    public static final String SOURCE_REPORTS = "baton-source-agent-reports";
    public static final String SOURCE_ADMISSION = "baton-source-admission";
    public static final String SOURCE_JOBS = "baton-source-jobs";
    public static final String SOURCE_ASSETS_LATEST = "baton-source-assets-latest";
    public static final String SOURCE_LINEAGE = "baton-source-lineage";
    public static final String SOURCE_STEP_CACHE = "baton-source-step-cache";
    public static final String SOURCE_STEP_CACHE_LOOKUPS = "baton-source-step-cache-lookups";

    public static final String RUN_PROCESSOR = "baton-run-processor";
    public static final String ADMISSION_PROCESSOR = "baton-admission-processor";
    public static final String JOBS_PROCESSOR = "baton-jobs-global-processor";
    public static final String ASSETS_PROCESSOR = "baton-assets-global-processor";
    public static final String FRESHNESS_PROCESSOR = "baton-freshness-processor";
    public static final String CACHE_PROCESSOR = "baton-step-cache-processor";

    /** Run headers (a run's state without its steps; the definition by reference), keyed by run id. */
    public static final String RUN_STORE = "baton-runs";
    /** One record per step of a run, keyed by run id + {@link #STEP_KEY_SEPARATOR} + step key. */
    public static final String RUN_STEP_STORE = "baton-run-steps";
    /**
     * Outputs of forEach instances that succeeded, one record per instance, keyed by run id + {@link #STEP_KEY_SEPARATOR}
     * + step key + separator + zero-padded index: the run's state keeps only instances in flight.
     */
    public static final String INSTANCE_OUTPUT_STORE = "baton-run-instance-outputs";
    /** Job definitions referenced by run headers, stored once per content hash (with a reference count). */
    public static final String DEFINITION_STORE = "baton-run-definitions";
    /**
     * The store that indexed timers by identity until issue 20 (now in memory, see TimerBook). Not in the topology any
     * more; named here so that the name is never given to another store (its changelog topic may still exist).
     */
    public static final String RETIRED_TIMER_INDEX_STORE = "baton-timer-index";
    public static final String TIMER_STORE = "baton-timers";
    public static final String ADMISSION_STORE = "baton-admission";
    public static final String JOBS_STORE = "baton-jobs";
    public static final String ASSETS_STORE = "baton-assets-latest";
    public static final String FRESHNESS_STORE = "baton-asset-freshness";
    /** The step cache: index key -> the latest successful attempt's results (see CacheProcessor). */
    public static final String STEP_CACHE_STORE = "baton-step-cache";

    public static final String SINK_RUN_EVENTS = "baton-sink-run-events";
    public static final String SINK_COMMANDS = "baton-sink-commands";
    public static final String SINK_AGENT_CONTROL = "baton-sink-agent-control";
    public static final String SINK_REQUESTS = "baton-sink-run-requests";
    public static final String SINK_LINEAGE = "baton-sink-lineage";
    public static final String SINK_ASSETS_LATEST = "baton-sink-assets-latest";
    public static final String SINK_ADMISSION = "baton-sink-admission";
    public static final String SINK_ADMITTED = "baton-sink-admitted";
    public static final String SINK_DLQ = "baton-sink-dlq";
    public static final String SINK_FRESHNESS = "baton-sink-freshness";
    /** Run processor -> baton.run-control: cancels of child runs, and a child's end to its parent. */
    public static final String SINK_CONTROL = "baton-sink-run-control";
    /** Run processor -> baton.step-cache: results of successful cached steps. */
    public static final String SINK_STEP_CACHE = "baton-sink-step-cache";
    /** Run processor -> baton.step-cache-lookups. */
    public static final String SINK_STEP_CACHE_LOOKUPS = "baton-sink-step-cache-lookups";
    /** Cache processor -> baton.run-control: answers to lookups. */
    public static final String SINK_CACHE_ANSWER = "baton-sink-step-cache-answer";

    /** Separates the run id from the step key in {@link #RUN_STEP_STORE} keys (run ids never contain it). */
    public static final char STEP_KEY_SEPARATOR = '\u0000';

    /** Header on every {@code baton.run-events} record: the event's intent code (decimal), see docs/events.md. */
    public static final String INTENT_HEADER = "baton-intent";

    /** Header carrying the pool of a step command, read by the command sink's topic extractor. */
    public static final String POOL_HEADER = "baton-pool";
}
