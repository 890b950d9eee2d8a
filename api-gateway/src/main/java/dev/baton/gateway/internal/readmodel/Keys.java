package dev.baton.gateway.internal.readmodel;

/**
 * Keys of the read model's stores. Parts are joined with {@code |}, which job names, step keys, asset keys,
 * run ids and statuses never contain; numbers are zero-padded so that byte order is numeric order.
 * Time-ordered indexes use the inverted timestamp ({@code Long.MAX_VALUE - epochMillis}) so that a forward
 * scan returns the newest first.
 */
public final class Keys {
    public static final String SEP = "|";
    /** Greater than every character used in keys: the exclusive end of a prefix range. */
    public static final String END = "\uffff";

    private Keys() {}

    public static String inverted(long epochMillis) {
        return String.format("%019d", Long.MAX_VALUE - epochMillis);
    }

    /** The order of runs in every run index: newest first, ties by run id. */
    public static String runOrder(long requestedAt, String runId) {
        return inverted(requestedAt) + SEP + runId;
    }

    public static String runFromOrder(String order) {
        return order.substring(order.indexOf(SEP) + 1);
    }

    public static String byJob(String job, String order) {
        return job + SEP + order;
    }

    public static String byStatus(String apiStatus, String order) {
        return apiStatus + SEP + order;
    }

    public static String event(String runId, long sequence) {
        return runId + SEP + String.format("%019d", sequence);
    }

    /** A log line in time order within its run: {@code runId|time|step|attempt|seq}, every number zero-padded. */
    public static String logLine(String runId, long epochMillis, String step, int attempt, long seq) {
        return runId + SEP + logPosition(epochMillis, step, attempt, seq);
    }

    /** The part of a {@link #logLine} key after the run id: a line's position, also the log paging cursor. */
    public static String logPosition(long epochMillis, String step, int attempt, long seq) {
        return String.format("%019d", Math.max(0, epochMillis)) + SEP + step + SEP + attempt(attempt) + SEP + logSeq(seq);
    }

    /** The same line in step order: {@code runId|step|attempt|seq}. */
    public static String logByStep(String runId, String step, int attempt, long seq) {
        return runId + SEP + step + SEP + attempt(attempt) + SEP + logSeq(seq);
    }

    /** A log position ({@code time|step|attempt|seq}) as written by {@link #logPosition}. */
    public static final java.util.regex.Pattern LOG_POSITION = java.util.regex.Pattern.compile("(\\d{19})\\|([^|]+)\\|(\\d{6})\\|(\\d{19})");

    public static String attempt(int attempt) {
        return String.format("%06d", attempt);
    }

    private static String logSeq(long seq) {
        return String.format("%019d", Math.max(0, seq));
    }

    /** One step of a run: {@code runId|stepKey}. */
    public static String step(String runId, String stepKey) {
        return runId + SEP + stepKey;
    }

    public static String jobVersion(String job, int version) {
        return job + SEP + String.format("%010d", version);
    }

    public static String materialization(String assetKey, long epochMillis, String eventId) {
        return assetKey + SEP + inverted(epochMillis) + SEP + eventId;
    }

    /** Check history of an asset, newest first. */
    public static String check(String assetKey, long epochMillis, String eventId) {
        return assetKey + SEP + inverted(epochMillis) + SEP + eventId;
    }

    /** The results of one materialization's checks, by check name. */
    public static String checkOfMaterialization(String assetKey, String materializationId, String checkName) {
        return assetKey + SEP + materializationId + SEP + checkName;
    }

    public static String prefix(String first) {
        return first + SEP;
    }
}
