package dev.baton.gateway;

import dev.baton.platform.config.BatonConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The gateway's configuration: the common keys of {@link BatonConfig} plus {@code gateway.*}.
 *
 * <p>Tokens come from three places, merged: the file named by {@value #TOKENS_FILE} ({@code name:role:sha256hex}
 * lines), configuration keys {@code token.<name>=role:sha256hex} (which is what {@code BATON_TOKEN_<NAME>} becomes
 * through {@link dev.baton.platform.config.ConfigSources}), and, when {@value #TOKENS_ENV} is true, the process
 * environment's {@code BATON_TOKEN_<NAME>} variables directly. A name from the environment is lower-cased with
 * {@code _} turned into {@code .}, as {@code ConfigSources} does.
 */
public final class GatewayConfig extends BatonConfig {
    public static final String HOST = "gateway.host";
    public static final String PORT = "gateway.port";
    public static final String IDLE_POLL_MAX_MS = "gateway.idle.poll.max.ms";
    public static final String TOKENS_FILE = "gateway.tokens.file";
    public static final String TOKENS_ENV = "gateway.tokens.env";
    public static final String TOKENS_RELOAD_MS = "gateway.tokens.reload.ms";
    public static final String STATE_DIR = "gateway.state.dir";
    public static final String APPLICATION_ID = "gateway.application.id";
    public static final String COMMIT_INTERVAL_MS = "gateway.commit.interval.ms";
    public static final String REQUEST_TIMEOUT_MS = "gateway.request.timeout.ms";
    public static final String HEALTH_TIMEOUT_MS = "gateway.health.timeout.ms";
    public static final String READ_MODEL_WAIT_MS = "gateway.read.model.wait.ms";
    public static final String SSE_KEEPALIVE_MS = "gateway.sse.keepalive.ms";
    public static final String SSE_LOGS_LINGER_MS = "gateway.sse.logs.linger.ms";
    public static final String PAGE_DEFAULT = "gateway.page.default";
    public static final String PAGE_MAX = "gateway.page.max";
    public static final String AGENT_STALE_MS = "gateway.agent.stale.ms";
    public static final String PENDING_TTL_MS = "gateway.pending.ttl.ms";
    public static final String BODY_MAX_BYTES = "gateway.body.max.bytes";
    public static final String WORKERS = "gateway.workers";
    public static final String AUDIT_SCAN_MAX = "gateway.audit.scan.max";
    public static final String REGISTRATION_TIMEOUT_MS = "gateway.registration.timeout.ms";
    public static final String REGISTRY_COMMIT_INTERVAL_MS = "gateway.registry.commit.interval.ms";
    public static final String REGISTRY_ENABLED = "gateway.registry.enabled";
    public static final String LOGS_PAGE_DEFAULT = "gateway.logs.page.default";
    public static final String LOGS_PAGE_MAX = "gateway.logs.page.max";
    public static final String RUN_STEPS_DEFAULT = "gateway.run.steps.default";
    public static final String LIMIT_HEAVY_PER_TOKEN = "gateway.limits.heavy.per.token";
    public static final String LIMIT_STREAMS_PER_TOKEN = "gateway.limits.streams.per.token";
    public static final String LIMIT_RETRY_AFTER_S = "gateway.limits.retry.after.s";
    public static final String LIMIT_HEAVY_TOTAL = "gateway.limits.heavy.total";
    public static final String LOGS_PAGE_MAX_BYTES = "gateway.logs.page.max.bytes";
    public static final String BACKFILL_MAX_CONCURRENT = "gateway.backfill.max-concurrent.default";

    /** Raw keys {@code token.<name>} hold {@code role:sha256hex}. */
    public static final String TOKEN_KEY_PREFIX = "token.";
    public static final String TOKEN_ENV_PREFIX = "BATON_TOKEN_";

    static final ConfigDef DEF = new ConfigDef()
            .define(HOST, Type.STRING, "127.0.0.1", Importance.HIGH,
                    "Address the HTTP server binds to. The default serves this machine only; use 0.0.0.0 to serve the network.")
            .define(PORT, Type.INT, 8080, Range.between(0, 65535), Importance.HIGH, "HTTP port; 0 picks a free one (see Gateway.port()).")
            .define(IDLE_POLL_MAX_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                    "Longest a poll of the read model's and the job registry's stream threads waits while the thread has "
                            + "nothing due (no transaction open, the previous poll empty); records arriving end it at once. 0 "
                            + "or not above the Streams poll.ms (100 ms): every poll waits poll.ms. Costs: a rebalance that "
                            + "starts during a long poll is handled when it ends (at most this long). baton dev: 1000.")
            .define(TOKENS_FILE, Type.STRING, null, Importance.HIGH,
                    "File of API tokens, one 'name:role:sha256hex[:attributes]' per line (roles viewer, operator, admin; written by "
                            + "`baton tokens create --tokens-file`). Reloaded when it changes; a missing file counts as empty until it appears.")
            .define(TOKENS_ENV, Type.BOOLEAN, true, Importance.LOW,
                    "Also read tokens from the process environment: BATON_TOKEN_<NAME>=role:sha256hex.")
            .define(TOKENS_RELOAD_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                    "How often the token file is checked for changes; 0 reads it only at start.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/baton-gateway", Importance.MEDIUM,
                    "Directory of the read model's state stores (RocksDB); a cache of their changelog topics.")
            .define(APPLICATION_ID, Type.STRING, null, Importance.MEDIUM,
                    "Kafka Streams application id of the read model; default <topic.prefix>gateway. Every gateway instance "
                            + "holds the complete read model, so several instances need distinct ids.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(10), Importance.LOW,
                    "Offset commit interval of the read model. Stores are not cached, so queries see records at once; this only "
                            + "bounds the records re-read after a crash.")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 15_000L, Range.atLeast(100), Importance.MEDIUM,
                    "How long a request waits for Kafka (produce acknowledgement, topic creation) before answering 503.")
            .define(HEALTH_TIMEOUT_MS, Type.LONG, 2_000L, Range.atLeast(50), Importance.LOW,
                    "Timeout of each /health check (Kafka, registry).")
            .define(READ_MODEL_WAIT_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                    "How long a request that finds the read model's stores unavailable (a rebalance, e.g. after a broker or "
                            + "another gateway went away) waits for them before answering 503 with Retry-After; 0 answers at once.")
            .define(SSE_KEEPALIVE_MS, Type.LONG, 15_000L, Range.atLeast(100), Importance.LOW,
                    "Interval of keep-alive comments on Server-Sent Event streams (keeps proxies from closing idle streams).")
            .define(SSE_LOGS_LINGER_MS, Type.LONG, 2_000L, Range.atLeast(0), Importance.LOW,
                    "How long a live log stream stays open after its run finished, for the last lines still in flight.")
            .define(PAGE_DEFAULT, Type.INT, 50, Range.between(1, 100_000), Importance.LOW, "Default page size of list endpoints.")
            .define(PAGE_MAX, Type.INT, 1_000, Range.between(1, 100_000), Importance.LOW, "Largest page size a client may ask for.")
            .define(AGENT_STALE_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.LOW,
                    "An agent whose last heartbeat is older than this is listed as stale.")
            .define(PENDING_TTL_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                    "How long the gateway answers for a run it accepted that the read model has not seen yet (read-your-writes).")
            .define(BODY_MAX_BYTES, Type.LONG, 1_048_576L, Range.atLeast(1024), Importance.LOW, "Largest request body accepted.")
            .define(AUDIT_SCAN_MAX, Type.INT, 50_000, Range.atLeast(1), Importance.LOW,
                    "Most audit records one GET /api/v1/audit request reads from the audit topic; past it the page ends "
                            + "early with a nextCursor to continue from.")
            .define(WORKERS, Type.INT, 4, Range.atLeast(1), Importance.LOW,
                    "Worker threads for blocking work (state store queries, serialization, topic administration).")
            .define(REGISTRATION_TIMEOUT_MS, Type.LONG, 15_000L, Range.atLeast(100), Importance.MEDIUM,
                    "How long POST /api/v1/jobs waits for the job registry's answer (and then for this gateway's read model "
                            + "to show the new version) before answering 503 registration_unavailable. Covers a registry "
                            + "failover from a dead gateway (its session timeout is 10 s).")
            .define(REGISTRY_COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "Commit interval of the job registry hosted by this gateway; each registration also commits at once, "
                            + "so this only paces the fold of the jobs topic.")
            .define(REGISTRY_ENABLED, Type.BOOLEAN, true, Importance.LOW,
                    "Host the job registry in this gateway (one shared application id: Kafka runs it on one host at a "
                            + "time). At least one gateway of an installation must host it, or registrations answer 503.")
            .define(LOGS_PAGE_DEFAULT, Type.INT, 1_000, Range.between(1, 100_000), Importance.LOW,
                    "Log lines returned by GET /runs/{id}/logs without limit (and per page of a live stream's history).")
            .define(LOGS_PAGE_MAX, Type.INT, 2_000, Range.between(1, 100_000), Importance.LOW,
                    "Largest limit and tail of a log read. With lines of at most 16 KiB this bounds what one read holds "
                            + "(2,000 lines: about 32 MiB at worst, 200 KiB for typical 100-byte lines).")
            .define(RUN_STEPS_DEFAULT, Type.INT, 1_000, Range.between(1, 5_000), Importance.LOW,
                    "Steps shown by GET /runs/{id} without stepsLimit; larger runs page them with stepsCursor.")
            .define(LIMIT_HEAVY_PER_TOKEN, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM,
                    "Concurrent heavy reads (logs, events, lineage, lists, asset detail) one token may have in flight; "
                            + "more answer 429 too_many_requests with Retry-After.")
            .define(LIMIT_STREAMS_PER_TOKEN, Type.INT, 16, Range.atLeast(1), Importance.MEDIUM,
                    "Open Server-Sent Event streams (events and logs) one token may hold; more answer 429.")
            .define(LIMIT_RETRY_AFTER_S, Type.INT, 1, Range.between(1, 3600), Importance.LOW,
                    "Retry-After (seconds) sent with a 429 or with a 503 for a gateway at its heavy-read limit.")
            .define(LIMIT_HEAVY_TOTAL, Type.INT, 64, Range.atLeast(1), Importance.MEDIUM,
                    "Concurrent heavy reads the whole gateway serves, whatever the tokens; more answer 503 unavailable "
                            + "with Retry-After. With gateway.logs.page.max.bytes this bounds the heap that responses "
                            + "in flight can hold (64 x 4 MiB = 256 MiB at worst by default); baton dev derives it from "
                            + "its heap.")
            .define(LOGS_PAGE_MAX_BYTES, Type.INT, 4 << 20, Range.between(16 << 10, 256 << 20), Importance.LOW,
                    "Bytes of stored line JSON one log page may hold. A page that reaches it ends early (truncated, "
                            + "with a cursor that continues after its last line), whatever limit or tail asked for.")
            .define(BACKFILL_MAX_CONCURRENT, Type.INT, 1000, Range.between(1, 10_000), Importance.LOW,
                    "Partitions of a backfill in flight at once when the request sets no maxConcurrent: bounds the "
                            + "backfill's state (its in-flight set) and the load one backfill puts on the coordinator.");

    private final Map<String, String> configuredTokens;

    public GatewayConfig(Map<String, ?> raw) {
        super(DEF, raw);
        Map<String, String> tokens = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(TOKEN_KEY_PREFIX) && k.length() > TOKEN_KEY_PREFIX.length()) {
                tokens.put(k.substring(TOKEN_KEY_PREFIX.length()), String.valueOf(v));
            }
        });
        this.configuredTokens = Map.copyOf(tokens);
        if (getString(TOKENS_FILE) != null && getString(TOKENS_FILE).isBlank()) {
            throw new ConfigException(TOKENS_FILE, "", "must name a file or be left unset");
        }
    }

    /** Every key of the gateway, common ones included (for documentation and {@code --help}). */
    public static ConfigDef definition() {
        return common(new ConfigDef(DEF));
    }

    public String host() { return getString(HOST); }

    public int port() { return getInt(PORT); }

    public Path tokensFile() {
        String f = getString(TOKENS_FILE);
        return f == null ? null : Path.of(f);
    }

    /** Tokens given as configuration keys {@code token.<name>}: name → {@code role:sha256hex}. */
    public Map<String, String> configuredTokens() { return configuredTokens; }

    public boolean tokensFromEnvironment() { return getBoolean(TOKENS_ENV); }

    public Path stateDir() { return Path.of(getString(STATE_DIR)); }

    public String applicationId() {
        String id = getString(APPLICATION_ID);
        return id != null && !id.isBlank() ? id : topics().applicationId("gateway");
    }

    public Duration requestTimeout() { return Duration.ofMillis(getLong(REQUEST_TIMEOUT_MS)); }

    public Duration registrationTimeout() { return Duration.ofMillis(getLong(REGISTRATION_TIMEOUT_MS)); }
}
