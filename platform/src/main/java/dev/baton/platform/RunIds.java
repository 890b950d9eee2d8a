package dev.baton.platform;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Run ids. A run requested with a run key gets an id derived from (job, run key), so every duplicate
 * request (an API retry, a schedule tick replayed after a crash, a sensor record read twice) lands on
 * the same run id and the coordinator collapses it into the one run, recording the duplicate.
 */
public final class RunIds {
    private RunIds() {}

    /** The run id for a run key; stable across processes and versions. */
    public static String forRunKey(String job, String runKey) {
        return UUID.nameUUIDFromBytes(("baton-run\u0000" + job + "\u0000" + runKey).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A fresh id for a request without a run key (callers at the edge may use randomness; the fold never does). */
    public static String random() {
        return UUID.randomUUID().toString();
    }

    /** Run key of a schedule tick, e.g. {@code schedule:nightly@2026-11-22T02:00:00Z}. */
    public static String scheduleKey(String schedule, java.time.Instant tick) {
        return "schedule:" + schedule + "@" + tick;
    }

    /** Default run key of a sensor record: its coordinates in Kafka. */
    public static String sensorKey(String topic, int partition, long offset) {
        return "sensor:" + topic + "/" + partition + "/" + offset;
    }

    /** Run key of an asset trigger: the upstream materialization's event id. */
    public static String assetKey(String asset, String materializationId) {
        return "asset:" + asset + "@" + materializationId;
    }
}
