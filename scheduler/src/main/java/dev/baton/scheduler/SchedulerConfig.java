package dev.baton.scheduler;

import dev.baton.platform.config.BatonConfig;
import java.net.InetAddress;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The scheduler's configuration: the common keys plus {@code scheduler.*}. */
public final class SchedulerConfig extends BatonConfig {
    public static final String STATE_DIR = "scheduler.state.dir";
    public static final String TICK_INTERVAL_MS = "scheduler.tick.interval.ms";
    public static final String COMMIT_INTERVAL_MS = "scheduler.commit.interval.ms";
    public static final String IDLE_POLL_MAX_MS = "scheduler.idle.poll.max.ms";
    public static final String MISFIRE_GRACE_MS = "scheduler.misfire.grace.ms";
    public static final String SESSION_TIMEOUT_MS = "scheduler.session.timeout.ms";
    public static final String MAX_TICKS_PER_ROUND = "scheduler.max.ticks.per.round";
    public static final String MAX_QUEUED_TICKS = "scheduler.max.queued.ticks";
    public static final String HISTORY_SIZE = "scheduler.history.size";
    public static final String SCHEDULES_ENABLED = "scheduler.schedules.enabled";
    public static final String SENSORS_ENABLED = "scheduler.sensors.enabled";
    public static final String INSTANCE_ID = "scheduler.instance.id";
    public static final String SENSOR_POLL_MS = "scheduler.sensor.poll.ms";
    public static final String SENSOR_MAX_POLL_RECORDS = "scheduler.sensor.max.poll.records";
    public static final String SENSOR_TRANSACTION_TIMEOUT_MS = "scheduler.sensor.transaction.timeout.ms";
    public static final String SENSOR_RESTART_BACKOFF_MS = "scheduler.sensor.restart.backoff.ms";
    public static final String SENSOR_FILTERED_COMMIT_MS = "scheduler.sensor.filtered.commit.ms";

    static final ConfigDef DEF = new ConfigDef()
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/baton-scheduler", Importance.MEDIUM,
                    "Local directory of the schedule state store (RocksDB); a cache of its changelog topic.")
            .define(TICK_INTERVAL_MS, Type.LONG, 200L, Range.atLeast(10), Importance.MEDIUM,
                    "How often due ticks are looked for (wall-clock punctuation); bounds the tick lag.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "Exactly-once commit interval of the schedule engine; a commit is also requested after every tick.")
            .define(IDLE_POLL_MAX_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                    "Longest the schedule engine's poll waits while its thread has nothing due (no transaction open, the "
                            + "previous poll empty, the next tick look not sooner); records arriving end it at once. 0 or not "
                            + "above the Streams poll.ms (100 ms): every poll waits poll.ms. Costs: a rebalance that starts "
                            + "during a long poll is handled when it ends (at most this long). baton dev: 1000.")
            .define(MISFIRE_GRACE_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.MEDIUM,
                    "A tick at most this late is on time; older due ticks are missed and follow the schedule's catch-up policy.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM,
                    "Group session timeout of the schedule engine: how long a crashed instance keeps the schedules "
                            + "before another takes over. Keep it well below scheduler.misfire.grace.ms so that a "
                            + "failover delays ticks instead of missing them. (A clean shutdown leaves the group at once.)")
            .define(MAX_TICKS_PER_ROUND, Type.INT, 100, Range.atLeast(1), Importance.LOW,
                    "Bound on the ticks one schedule requests in one punctuation (catch-up ALL continues in the next).")
            .define(MAX_QUEUED_TICKS, Type.INT, 100, Range.atLeast(1), Importance.LOW,
                    "Bound on ticks held by the QUEUE overlap policy; further ticks are recorded as SKIPPED.")
            .define(HISTORY_SIZE, Type.INT, 20, Range.atLeast(1), Importance.LOW,
                    "Ticks kept per schedule in its state and status (last ticks with their runs).")
            .define(SCHEDULES_ENABLED, Type.BOOLEAN, true, Importance.LOW,
                    "Run the schedule engine in this process.")
            .define(SENSORS_ENABLED, Type.BOOLEAN, true, Importance.LOW,
                    "Run Kafka sensors and asset triggers in this process.")
            .define(INSTANCE_ID, Type.STRING, null, Importance.MEDIUM,
                    "Stable id of this scheduler process, part of the sensors' transactional ids. A restarted process "
                            + "must keep it (its first transaction then fences the previous one at once); two live "
                            + "processes must not share it. Default scheduler-<hostname>-<hash of the absolute "
                            + "scheduler.state.dir>: stable across restarts, distinct for two schedulers on one machine "
                            + "(which need distinct state directories anyway).")
            .define(SENSOR_POLL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "Longest wait of one sensor poll.")
            .define(SENSOR_MAX_POLL_RECORDS, Type.INT, 500, Range.atLeast(1), Importance.LOW,
                    "Records per sensor transaction at most.")
            .define(SENSOR_TRANSACTION_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1000), Importance.LOW,
                    "Transaction timeout of sensor producers: how long a crashed sensor's open transaction can hold "
                            + "back its partitions if it never comes back with the same instance id.")
            .define(SENSOR_RESTART_BACKOFF_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                    "Pause before a failed sensor reconnects and resumes from its committed offsets.")
            .define(SENSOR_FILTERED_COMMIT_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                    "Longest wait of the offsets of records a trigger filtered out: a poll with nothing to request opens "
                            + "no transaction; its offsets ride on the next transaction that requests a run, or are "
                            + "committed alone after this long (and at a clean stop). A crash or rebalance re-reads at "
                            + "most this long of filtered records and filters them out again. 0: every poll commits.");

    public SchedulerConfig(Map<String, ?> raw) {
        super(DEF, raw);
    }

    public static ConfigDef definition() {
        return common(new ConfigDef(DEF));
    }

    /**
     * {@value #INSTANCE_ID}, or its default: the host name alone would be the same for two schedulers on one machine,
     * whose sensors would then fence each other's transactions; the state directory tells them apart.
     */
    public String instanceId() {
        String id = getString(INSTANCE_ID);
        if (id != null && !id.isBlank()) {
            return id;
        }
        String stateDir = java.nio.file.Path.of(getString(STATE_DIR)).toAbsolutePath().normalize().toString();
        return defaultHostId() + "-" + java.util.HexFormat.of().formatHex(sha256(stateDir), 0, 4);
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String defaultHostId() {
        try {
            return "scheduler-" + InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "scheduler";
        }
    }
}
