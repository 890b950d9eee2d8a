package dev.baton.coordinator;

import dev.baton.coordinator.internal.processing.DeciderSettings;
import dev.baton.platform.config.BatonConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** The coordinator's configuration: the common keys plus {@code coordinator.*}. */
public final class CoordinatorConfig extends BatonConfig {
    public static final String COMMIT_INTERVAL_MS = "coordinator.commit.interval.ms";
    public static final String PUNCTUATE_INTERVAL_MS = "coordinator.punctuate.interval.ms";
    public static final String COMMIT_COALESCE_MS = "coordinator.commit.coalesce.ms";
    public static final String COMMIT_MAX_DELAY_MS = "coordinator.commit.max.delay.ms";
    public static final String COMMIT_LINGER_MS = "coordinator.commit.linger.ms";
    public static final String COMMIT_OVERLAP = "coordinator.commit.overlap";
    public static final String THREADS = "coordinator.threads";
    public static final String IDLE_POLL_MAX_MS = "coordinator.idle.poll.max.ms";
    public static final String STANDBY_REPLICAS = "coordinator.standby.replicas";
    public static final String STATE_DIR = "coordinator.state.dir";
    public static final String HEARTBEAT_TIMEOUT_MS = "coordinator.heartbeat.timeout.ms";
    public static final String HEARTBEAT_INTERVAL_MS = "coordinator.heartbeat.interval.ms";
    public static final String MAX_OUTPUT_BYTES = "coordinator.max.output.bytes";
    public static final String RUN_RETENTION_MS = "coordinator.run.retention.ms";
    public static final String POOL_LIMITS = "coordinator.pool.limits";
    public static final String CANCEL_GRACE_MS = "coordinator.cancel.grace.ms";
    public static final String INSTANCE_ID = "coordinator.instance.id";
    public static final String MAX_RECORD_BYTES = "coordinator.max.record.bytes";
    public static final String INFRA_RETRIES = "coordinator.infra.retries";
    /**
     * Pass-through: {@code coordinator.streams.<key>=<value>} sets a Kafka Streams (or prefixed client) property of the
     * coordinator after Baton's own settings, e.g. {@code coordinator.streams.poll.ms=5} (benchmark A/B runs, tuning).
     */
    public static final String STREAMS_PREFIX = "coordinator.streams.";

    static final ConfigDef DEF = new ConfigDef()
            .define(COMMIT_INTERVAL_MS, Type.LONG, 200L, Range.atLeast(1), Importance.MEDIUM,
                    "Exactly-once commit interval for inputs that need no immediate answer (started reports, heartbeats). "
                            + "Dispatches and run ends request a commit at once. A short interval makes the stream thread "
                            + "commit while the next report waits (chain benchmark: per-step p50 34 ms at 20 ms, 24 ms at 200 ms).")
            .define(COMMIT_COALESCE_MS, Type.LONG, 5L, Range.atLeast(0), Importance.MEDIUM,
                    "Dispatches and run ends are committed at once when their input arrived less than this long ago. Older "
                            + "inputs mean the stream thread has a backlog: their answers then share one commit, made when the "
                            + "thread has caught up (a fresh input, or none for this long) or after coordinator.commit.max.delay.ms. "
                            + "0: one commit per dispatching input.")
            .define(COMMIT_MAX_DELAY_MS, Type.LONG, 20L, Range.atLeast(1), Importance.LOW,
                    "Longest an answer is held back to share a commit while the stream thread works through a backlog.")
            .define(COMMIT_LINGER_MS, Type.LONG, 20L, Range.atLeast(0), Importance.LOW,
                    "While a stream thread handles inputs of several runs between two commits (load, not one run at a "
                            + "time), a dispatch or run end waits until this long after the thread's previous commit, so that "
                            + "the answers of that time share one exactly-once transaction (CPU per run falls with runs per "
                            + "transaction). One run at a time (a chain) is never held. Bounded by "
                            + "coordinator.commit.max.delay.ms after the first held answer. 0: off.")
            .define(COMMIT_OVERLAP, Type.BOOLEAN, true, Importance.LOW,
                    "An exactly-once commit sends the consumed offsets while the transaction's records are still being "
                            + "acknowledged, instead of waiting for them first (Kafka Streams flushes the producer before it "
                            + "sends the offsets; the end of the transaction still waits for every record and fails the "
                            + "commit if one failed). Saves up to a broker round trip per commit, most on a busy machine. false: Streams' "
                            + "flush, then offsets, then end.")
            .define(PUNCTUATE_INTERVAL_MS, Type.LONG, 50L, Range.atLeast(5), Importance.LOW,
                    "How often due timers (retries, heartbeat deadlines, timeouts) are fired, in wall-clock time.")
            .define(IDLE_POLL_MAX_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                    "Longest a stream thread's poll waits while the thread has nothing due (no transaction open, the "
                            + "previous poll empty, no timer scan, owed commit or freshness check due sooner); the global "
                            + "thread's poll always waits this long. Records arriving end a poll at once. 0 or not above "
                            + "the Streams poll.ms: every poll waits poll.ms (coordinator.commit.max.delay.ms). Costs: a "
                            + "rebalance that starts during a long poll is handled when it ends (at most this long). baton dev: 1000.")
            .define(THREADS, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM,
                    "Stream threads of this instance; one per run partition lets their exactly-once commits overlap "
                            + "(throughput benchmark: about 2x the runs per minute with 3 threads instead of 1 on 2 cores).")
            .define(STANDBY_REPLICAS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                    "Warm standby copies of each state store on other instances, so failover does not rebuild state.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/baton-coordinator", Importance.MEDIUM,
                    "Local directory of the state stores (RocksDB); a cache of the changelog topics.")
            .define(HEARTBEAT_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(100), Importance.MEDIUM,
                    "Default time without a heartbeat after which a running attempt is lost (steps may override).")
            .define(HEARTBEAT_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(50), Importance.LOW,
                    "Heartbeat interval asked of agents.")
            .define(MAX_OUTPUT_BYTES, Type.INT, 64 * 1024, Range.atLeast(0), Importance.LOW,
                    "Cap on the outputs of one attempt; larger results must travel by reference (outputRefs).")
            .define(RUN_RETENTION_MS, Type.LONG, Duration.ofDays(7).toMillis(), Range.atLeast(0), Importance.MEDIUM,
                    "How long a finished run stays in the hot state store; duplicate run keys collapse within it.")
            .define(POOL_LIMITS, Type.LIST, "", Importance.MEDIUM,
                    "Per-pool limits on concurrently dispatched steps, as pool=N (e.g. gpu=2,default=100).")
            .define(INSTANCE_ID, Type.STRING, null, Importance.MEDIUM,
                    "Stable id of this instance (static group membership): a restarted instance with the same id takes its "
                            + "partitions back at once instead of after a session timeout and rebalance. Unique per instance.")
            .define(CANCEL_GRACE_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
                    "Default grace period for running attempts when a run is canceled.")
            .define(MAX_RECORD_BYTES, Type.INT, 900 * 1024, Range.between(16 * 1024, 1024 * 1024), Importance.MEDIUM,
                    "Largest record (key + value + headers) the coordinator writes, to any topic or state store. Below "
                            + "Kafka's default max.request.size and max.message.bytes (1 MiB), leaving room for batch "
                            + "overhead. A decision that would write a bigger record fails its run instead (the run gets "
                            + "RUN_FAILED naming the limit; the input goes to the dead-letter topic); other runs go on.")
            .define(INFRA_RETRIES, Type.INT, DeciderSettings.DEFAULT_INFRA_RETRIES, Range.atLeast(0), Importance.MEDIUM,
                    "Infrastructure-retry budget per step: an attempt lost because its agent died or stalled (LOST) or "
                            + "was cut short by an orderly agent shutdown is dispatched again up to this many times, "
                            + "separately from the step's own retry policy. 0: off.");

    public CoordinatorConfig(Map<String, ?> raw) {
        super(DEF, raw);
        poolLimits(); // validate now
    }

    public static ConfigDef definition() {
        return common(new ConfigDef(DEF));
    }

    public Map<String, Integer> poolLimits() {
        Map<String, Integer> m = new LinkedHashMap<>();
        List<String> entries = getList(POOL_LIMITS);
        for (String e : entries) {
            String[] kv = e.split("=", 2);
            try {
                int n = Integer.parseInt(kv[1].trim());
                if (n < 1) {
                    throw new NumberFormatException();
                }
                m.put(kv[0].trim(), n);
            } catch (RuntimeException ex) {
                throw new ConfigException(POOL_LIMITS, e, "expected pool=N with N >= 1");
            }
        }
        return m;
    }

    public DeciderSettings deciderSettings() {
        return new DeciderSettings(Duration.ofMillis(getLong(HEARTBEAT_TIMEOUT_MS)), Duration.ofMillis(getLong(HEARTBEAT_INTERVAL_MS)),
                getInt(MAX_OUTPUT_BYTES), Duration.ofMillis(getLong(RUN_RETENTION_MS)), poolLimits(),
                Duration.ofMillis(getLong(CANCEL_GRACE_MS)), getInt(INFRA_RETRIES));
    }
}
