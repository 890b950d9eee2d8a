package dev.baton.agent;

import dev.baton.platform.Topics;
import dev.baton.platform.config.BatonConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of an executor agent: the common keys of {@link BatonConfig} (bootstrap servers,
 * topic prefix, registry, {@code kafka.*} pass-through) plus the {@code agent.*} keys below. Bound once
 * at start; a bad value fails with a {@link ConfigException} naming the key.
 */
public final class AgentConfig extends BatonConfig {
    public static final String ID = "agent.id";
    public static final String POOLS = "agent.pools";
    public static final String REGION = "agent.region";
    public static final String SLOTS = "agent.slots";
    public static final String HEARTBEAT_INTERVAL_MS = "agent.heartbeat.interval.ms";
    public static final String REGISTRATION_INTERVAL_MS = "agent.registration.interval.ms";
    public static final String SHUTDOWN_GRACE_MS = "agent.shutdown.grace.ms";
    public static final String CANCEL_GRACE_MAX_MS = "agent.cancel.grace.max.ms";
    public static final String WORK_DIR = "agent.work.dir";
    public static final String PLUGIN_DIR = "agent.plugin.dir";
    public static final String MAX_DELIVERIES = "agent.max.deliveries";
    public static final String OUTPUT_MAX_BYTES = "agent.output.max.bytes";
    public static final String POLL_MAX_RECORDS = "agent.poll.max.records";
    public static final String POOL_CONSUMERS = "agent.pool.consumers";
    public static final String POLL_TIMEOUT_MS = "agent.poll.timeout.ms";
    public static final String FETCH_MAX_WAIT_MS = "agent.fetch.max.wait.ms";
    public static final String REPORT_LINGER_MS = "agent.report.linger.ms";
    public static final String COMMAND_LOCK_MS = "agent.command.lock.ms";
    public static final String LOG_FLUSH_INTERVAL_MS = "agent.log.flush.interval.ms";
    public static final String INHERIT_ENV = "agent.inherit.env";
    public static final String CREATE_TOPICS = "agent.create.topics";
    public static final String SHUTDOWN_HOOK = "agent.shutdown.hook";
    /** Prefix of the secret settings; a provider of type T gets the keys under {@code agent.secrets.T.}. */
    public static final String SECRETS_PREFIX = "agent.secrets.";
    public static final String SECRETS_PROVIDERS = "agent.secrets.providers";
    public static final String SECRETS_MISSING_RETRYABLE = "agent.secrets.missing.retryable";
    public static final String SECRETS_FILE_DIR = "agent.secrets.file.dir";
    public static final String SECRETS_VAULT_ADDRESS = "agent.secrets.vault.address";
    public static final String SECRETS_VAULT_TOKEN = "agent.secrets.vault.token";
    public static final String SECRETS_VAULT_TOKEN_FILE = "agent.secrets.vault.token.file";
    public static final String SECRETS_VAULT_MOUNT = "agent.secrets.vault.mount";
    public static final String SECRETS_VAULT_PATH = "agent.secrets.vault.path";
    public static final String SECRETS_VAULT_NAMESPACE = "agent.secrets.vault.namespace";
    public static final String SECRETS_VAULT_TIMEOUT_MS = "agent.secrets.vault.timeout.ms";


    private static ConfigDef definition() {
        return new ConfigDef()
                .define(ID, Type.STRING, null, Importance.HIGH,
                        "Unique id of this agent (key of its registration on the agents topic). Default: <host>-<pid>.")
                .define(POOLS, Type.LIST, List.of("default"), (name, value) -> {
                    List<?> pools = (List<?>) value;
                    if (pools == null || pools.isEmpty()) {
                        throw new ConfigException(name, value, "at least one pool is needed");
                    }
                    for (Object p : pools) {
                        if (!Topics.POOL_NAME.matcher(String.valueOf(p)).matches()) {
                            throw new ConfigException(name, value, "pool '" + p + "' must be 1-100 of [a-zA-Z0-9._-]");
                        }
                    }
                }, Importance.HIGH, "Pools this agent serves (comma-separated); it takes commands from the command topic of each.")
                .define(REGION, Type.STRING, "", Importance.MEDIUM,
                        "Free-form location label (cloud/region/zone) shown in registrations and step-started reports.")
                .define(SLOTS, Type.INT, 4, Range.between(1, 10_000), Importance.HIGH,
                        "Steps run at the same time, across all pools. The agent never holds more commands than free slots.")
                .define(HEARTBEAT_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(10), Importance.LOW,
                        "Longest interval between two heartbeats of a running step; a command asking for a shorter one gets it.")
                .define(REGISTRATION_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW,
                        "Interval of the registration refresh on the agents topic (also sent on every state change).")
                .define(SHUTDOWN_GRACE_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.MEDIUM,
                        "On shutdown, how long running steps may still finish before they are canceled and reported CANCELED (retryable).")
                .define(CANCEL_GRACE_MAX_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                        "Upper bound of the SIGTERM-to-SIGKILL grace a cancel command may ask for.")
                .define(WORK_DIR, Type.STRING, null, Importance.MEDIUM,
                        "Directory holding one scratch directory per attempt (working directory of run steps). "
                                + "Default: <java.io.tmpdir>/baton-agent-<agent id>.")
                .define(PLUGIN_DIR, Type.STRING, null, Importance.MEDIUM,
                        "Directory of jars with StepHandler implementations (ServiceLoader); the classpath is always searched too.")
                .define(MAX_DELIVERIES, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM,
                        "A command delivered more often than this is treated as poison and sent to the dead-letter topic.")
                .define(OUTPUT_MAX_BYTES, Type.INT, 64 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "Largest total size (UTF-8 bytes of names and values) of a step's outputs; more fails the step. "
                                + "Store large results elsewhere and report a reference (outputRef).")
                .define(POLL_MAX_RECORDS, Type.INT, 1, Range.atLeast(1), Importance.LOW,
                        "Commands taken per poll (share consumer max.poll.records, record_limit acquire mode). The agent polls only "
                                + "when at least this many slots are free, so a larger value raises throughput of short steps at the "
                                + "cost of leaving up to this many minus one slots idle.")
                .define(POOL_CONSUMERS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
                        "Share consumers (command loops) per pool, all in the pool's share group and drawing on the same slots. "
                                + "A loop settles the commands of one poll (their started reports written) before it polls again; "
                                + "more loops let an agent with many slots and short steps take commands while others wait on the "
                                + "broker.")
                .define(POLL_TIMEOUT_MS, Type.LONG, 1_000L, Range.atLeast(1), Importance.LOW,
                        "How long one share-consumer poll waits when no command comes. A poll returns as soon as a command is "
                                + "acquired (the broker answers a waiting share fetch when a transaction marker makes commands "
                                + "readable), so this only bounds how often an idle loop wakes; stopping wakes it at once.")
                .define(FETCH_MAX_WAIT_MS, Type.INT, 500, Range.atLeast(0), Importance.LOW,
                        "Share fetch wait at the broker (fetch.max.wait.ms). The broker completes the fetch when commands "
                                + "become readable, so a long wait costs no command latency; short waits (the former 5 ms) made "
                                + "each idle agent send ~200 share fetches a second (idle CPU: docs/benchmarks.md).")
                .define(REPORT_LINGER_MS, Type.INT, 0, Range.between(0, 100), Importance.LOW,
                        "linger.ms of the agent's producers (reports, logs). 0: every report is sent at once (it is on "
                                + "a run's critical path); a few ms batch the reports of concurrent attempts into fewer "
                                + "produce requests at that much latency per report (docs/benchmarks.md).")
                .define(COMMAND_LOCK_MS, Type.INT, 15_000, Range.atLeast(1000), Importance.LOW,
                        "Acquisition lock of a command in the pool's share group (group config share.record.lock.duration.ms, "
                                + "within the broker's group.share.min/max.record.lock.duration.ms). Agents accept a command "
                                + "milliseconds after acquiring it; a delivery whose acquisition is lost comes back when the lock "
                                + "expires (throughput benchmark: stalls of ~25 s with Kafka's 30 s default).")
                .define(LOG_FLUSH_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                        "Step output lines are sent at least this often (and sooner when a batch is full).")
                .define(INHERIT_ENV, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Whether run steps inherit the agent's environment. Variables starting with BATON_ (the agent's own "
                                + "configuration, possibly secret) are never inherited.")
                .define(CREATE_TOPICS, Type.BOOLEAN, true, Importance.LOW,
                        "Create missing standard topics and the pools' command topics at start; set false when the agent's "
                                + "principal may not create topics (remote agents with narrow ACLs).")
                .define(SHUTDOWN_HOOK, Type.BOOLEAN, true, Importance.LOW,
                        "Register a JVM shutdown hook so SIGTERM drains the agent gracefully.")
                .define(SECRETS_PROVIDERS, Type.LIST, List.of("env"), (name, value) -> {
                    if (value == null || ((List<?>) value).isEmpty()) {
                        throw new ConfigException(name, value, "at least one secret provider is needed (e.g. env)");
                    }
                }, Importance.MEDIUM,
                        "Where ${{ secrets.NAME }} values come from, asked in this order: env (BATON_SECRET_<NAME> of the "
                                + "agent's environment), file (agent.secrets.file.dir), vault (HashiCorp Vault KV v2, "
                                + "agent.secrets.vault.*) or the type of any dev.baton.platform.secrets.SecretProviderFactory on "
                                + "the classpath (its settings: agent.secrets.<type>.*).")
                .define(SECRETS_MISSING_RETRYABLE, Type.BOOLEAN, false, Importance.LOW,
                        "Whether an attempt that failed with SECRET_MISSING (a secret no provider has, or a provider refused) "
                                + "may be retried by the step's retry policy. Off: a missing secret needs a person.")
                .define(SECRETS_FILE_DIR, Type.STRING, null, Importance.MEDIUM,
                        "Directory of secret files for the file provider (a mounted Kubernetes Secret): file name = secret "
                                + "name (or its lower-case, dashed form), content = value. Read on every use, so rotation needs no restart.")
                .define(SECRETS_VAULT_ADDRESS, Type.STRING, null, Importance.MEDIUM,
                        "Base URL of HashiCorp Vault for the vault provider, e.g. https://vault.example.com:8200.")
                .define(SECRETS_VAULT_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                        "Vault token (prefer agent.secrets.vault.token.file or the BATON_AGENT_SECRETS_VAULT_TOKEN variable).")
                .define(SECRETS_VAULT_TOKEN_FILE, Type.STRING, null, Importance.MEDIUM,
                        "File holding the Vault token, re-read on every lookup (renewed by Vault Agent or a sidecar).")
                .define(SECRETS_VAULT_MOUNT, Type.STRING, "secret", Importance.LOW, "Mount of the KV version 2 secrets engine.")
                .define(SECRETS_VAULT_PATH, Type.STRING, "baton", Importance.MEDIUM,
                        "Path of the KV entry holding the agent's secrets: secret NAME is its key NAME "
                                + "(GET /v1/<mount>/data/<path>, field data.data.NAME).")
                .define(SECRETS_VAULT_NAMESPACE, Type.STRING, null, Importance.LOW,
                        "Vault Enterprise namespace (X-Vault-Namespace header); empty for none.")
                .define(SECRETS_VAULT_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW,
                        "Connect and request timeout of Vault lookups.");
    }

    private final String agentId;

    public AgentConfig(Map<String, ?> raw) {
        super(definition(), raw);
        String id = getString(ID);
        this.agentId = id == null || id.isBlank() ? defaultId() : id;
    }

    public static AgentConfig of(Map<String, ?> raw) {
        return new AgentConfig(raw);
    }

    /** The definition of every key (common and agent), for documentation and CLI help. */
    public static ConfigDef configDef() {
        return BatonConfig.common(definition());
    }

    public String agentId() { return agentId; }
    public List<String> pools() { return List.copyOf(getList(POOLS)); }
    public String region() { return getString(REGION); }
    public int slots() { return getInt(SLOTS); }
    public int reportLingerMs() { return getInt(REPORT_LINGER_MS); }
    public int poolConsumers() { return getInt(POOL_CONSUMERS); }
    public Duration heartbeatInterval() { return Duration.ofMillis(getLong(HEARTBEAT_INTERVAL_MS)); }
    public Duration registrationInterval() { return Duration.ofMillis(getLong(REGISTRATION_INTERVAL_MS)); }
    public Duration shutdownGrace() { return Duration.ofMillis(getLong(SHUTDOWN_GRACE_MS)); }
    public Duration cancelGraceMax() { return Duration.ofMillis(getLong(CANCEL_GRACE_MAX_MS)); }
    public int maxDeliveries() { return getInt(MAX_DELIVERIES); }
    public int outputMaxBytes() { return getInt(OUTPUT_MAX_BYTES); }
    public int pollMaxRecords() { return Math.min(getInt(POLL_MAX_RECORDS), slots()); }

    public java.time.Duration pollTimeout() { return java.time.Duration.ofMillis(getLong(POLL_TIMEOUT_MS)); }
    public Duration logFlushInterval() { return Duration.ofMillis(getLong(LOG_FLUSH_INTERVAL_MS)); }
    public boolean inheritEnv() { return getBoolean(INHERIT_ENV); }
    public boolean createTopics() { return getBoolean(CREATE_TOPICS); }
    public boolean shutdownHook() { return getBoolean(SHUTDOWN_HOOK); }
    public List<String> secretProviders() { return List.copyOf(getList(SECRETS_PROVIDERS)); }
    public boolean secretsMissingRetryable() { return getBoolean(SECRETS_MISSING_RETRYABLE); }

    /**
     * Settings of the secret provider of {@code type}: every {@code agent.secrets.<type>.*} key given, prefix removed,
     * plus the declared keys of that type with their defaults.
     */
    public Map<String, String> secretProviderSettings(String type) {
        String prefix = SECRETS_PREFIX + type + ".";
        Map<String, String> m = new java.util.TreeMap<>(withPrefix(prefix));
        definition().configKeys().forEach((key, def) -> {
            if (key.startsWith(prefix)) {
                Object v = switch (def.type) {
                    case PASSWORD -> getPassword(key);
                    case LONG -> getLong(key);
                    case INT -> getInt(key);
                    case BOOLEAN -> getBoolean(key);
                    default -> getString(key);
                };
                if (v != null) {
                    m.put(key.substring(prefix.length()), String.valueOf(v));
                }
            }
        });
        return m;
    }

    public Path workDir() {
        String dir = getString(WORK_DIR);
        return dir == null || dir.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "baton-agent-" + agentId.replaceAll("[^a-zA-Z0-9._-]", "_"))
                : Path.of(dir);
    }

    public Optional<Path> pluginDir() {
        String dir = getString(PLUGIN_DIR);
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    private static String defaultId() {
        return hostName() + "-" + ProcessHandle.current().pid();
    }
}
