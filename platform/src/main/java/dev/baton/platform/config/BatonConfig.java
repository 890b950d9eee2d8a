package dev.baton.platform.config;

import dev.baton.platform.TopicDefaults;
import dev.baton.platform.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration shared by every Baton component, declared once per key (name, type, default,
 * validation, doc) with Kafka's {@link ConfigDef}. Components extend the definition with their own
 * keys and bind it to an immutable typed object at start; a bad value fails fast with a
 * {@link ConfigException} naming the key.
 *
 * <p>Pass-through: keys prefixed {@code kafka.} go to every Kafka client with the prefix removed
 * (for example {@code kafka.security.protocol=SASL_SSL}, {@code kafka.sasl.jaas.config=...}); keys
 * prefixed {@code schema.registry.} and the Confluent serde keys ({@code auto.register.schemas},
 * {@code use.latest.version}, {@code basic.auth.*}) go to the schema-registry serde unchanged.
 */
public class BatonConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    public static final String TOPIC_COMMAND_PARTITIONS = "topic.command.partitions";
    public static final String TOPIC_REPLICATION = "topic.replication.factor";
    public static final String TOPIC_MIN_INSYNC = "topic.min.insync.replicas";
    public static final String TOPIC_RETENTION_MS = "topic.retention.ms";
    public static final String TOPIC_EVENT_RETENTION_MS = "topic.event.retention.ms";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String KAFKA_PREFIX = "kafka.";

    private final AbstractConfig values;
    private final Map<String, ?> raw;
    private TopicDefaults resolvedTopicDefaults;

    protected BatonConfig(ConfigDef componentDef, Map<String, ?> raw) {
        this.raw = Map.copyOf(raw);
        this.values = new AbstractConfig(common(new ConfigDef(componentDef)), raw, false);
    }

    public static BatonConfig of(Map<String, ?> raw) {
        return new BatonConfig(new ConfigDef(), raw);
    }

    /** Adds the common keys to a component's definition. */
    public static ConfigDef common(ConfigDef def) {
        return def
                .define(BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString() {
                    @Override
                    public void ensureValid(String name, Object value) {
                        if (value == null || ((java.util.List<?>) value).isEmpty()) {
                            throw new ConfigException(name, value, "at least one host:port is needed");
                        }
                    }
                }, Importance.HIGH, "Kafka bootstrap servers (host:port, comma-separated).")
                .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, Importance.MEDIUM,
                        "Prefix of every Baton topic and consumer group (lets several installations share a cluster).")
                .define(TOPIC_PARTITIONS, Type.INT, TopicDefaults.SINGLE_MACHINE.runPartitions(), Range.atLeast(1), Importance.MEDIUM,
                        "Partitions of run-keyed topics when Baton creates them; bounds the coordinator's parallelism.")
                .define(TOPIC_COMMAND_PARTITIONS, Type.INT, TopicDefaults.SINGLE_MACHINE.commandPartitions(), Range.atLeast(1), Importance.LOW,
                        "Partitions of each pool's command topic (share groups do not need more partitions than brokers).")
                .define(TOPIC_REPLICATION, Type.SHORT, TopicDefaults.AUTO, Range.atLeast(-1), Importance.MEDIUM,
                        "Replication factor of topics Baton creates (its own and its Kafka Streams changelogs): 0 = min(3, "
                                + "brokers in the cluster), -1 = the broker default, N = N.")
                .define(TOPIC_MIN_INSYNC, Type.SHORT, TopicDefaults.AUTO, Range.atLeast(0), Importance.MEDIUM,
                        "min.insync.replicas of topics Baton creates: 0 = 2 when the replication factor is at least 3 "
                                + "(acks=all writes then survive one broker down), else the broker default; N = N.")
                .define(TOPIC_RETENTION_MS, Type.LONG, TopicDefaults.SINGLE_MACHINE.retentionMs(), Importance.LOW,
                        "Retention of transient topics (requests, reports, control, logs).")
                .define(TOPIC_EVENT_RETENTION_MS, Type.LONG, TopicDefaults.SINGLE_MACHINE.eventRetentionMs(), Importance.LOW,
                        "Retention of record topics (run events, lineage, audit, dead letters); -1 keeps them forever.")
                .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                        "Confluent-compatible schema registry URL(s), comma-separated.");
    }

    public String getString(String key) { return values.getString(key); }
    public int getInt(String key) { return values.getInt(key); }
    public long getLong(String key) { return values.getLong(key); }
    public boolean getBoolean(String key) { return values.getBoolean(key); }
    public double getDouble(String key) { return values.getDouble(key); }
    public java.util.List<String> getList(String key) { return values.getList(key); }
    public String getPassword(String key) {
        var p = values.getPassword(key);
        return p == null ? null : p.value();
    }

    public String bootstrapServers() { return String.join(",", values.getList(BOOTSTRAP_SERVERS)); }

    public Topics topics() { return new Topics(values.getString(TOPIC_PREFIX)); }

    /**
     * The topic settings, resolved for the cluster: with {@code topic.replication.factor=0} (the default) the first call
     * asks Kafka how many brokers there are (the replication factor becomes min(3, brokers)); the answer is kept.
     */
    public synchronized TopicDefaults topicDefaults() {
        if (resolvedTopicDefaults == null) {
            TopicDefaults configured = configuredTopicDefaults();
            int brokers = configured.needsClusterSize() ? ClusterSize.brokers(kafkaClient()) : 0;
            try {
                resolvedTopicDefaults = configured.forCluster(brokers);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(TOPIC_MIN_INSYNC, values.getShort(TOPIC_MIN_INSYNC), e.getMessage());
            }
        }
        return resolvedTopicDefaults;
    }

    private TopicDefaults configuredTopicDefaults() {
        return new TopicDefaults(values.getInt(TOPIC_PARTITIONS), values.getInt(TOPIC_COMMAND_PARTITIONS),
                values.getShort(TOPIC_REPLICATION), values.getLong(TOPIC_RETENTION_MS), values.getLong(TOPIC_EVENT_RETENTION_MS),
                values.getShort(TOPIC_MIN_INSYNC));
    }

    /**
     * Replication settings for a Kafka Streams app's internal topics, without I/O: those of {@link #topicDefaults()} once
     * it ran (every service resolves it when it creates its topics, before building its Streams properties), else the
     * configured ones with an automatic replication factor left to the broker default (a TopologyTestDriver has no Kafka).
     */
    public synchronized Map<String, Object> streamsTopicSettings() {
        return (resolvedTopicDefaults != null ? resolvedTopicDefaults : configuredTopicDefaults()).streamsSettings();
    }

    /** Settings for every Kafka client: bootstrap servers plus the {@code kafka.*} pass-through. */
    public Map<String, Object> kafkaClient() {
        Map<String, Object> m = new HashMap<>();
        m.put(BOOTSTRAP_SERVERS, bootstrapServers());
        raw.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                m.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return m;
    }

    /** Baton's consumers' fetch wait unless {@code kafka.fetch.max.wait.ms} sets one (Kafka's default, said explicitly). */
    public static final int FETCH_MAX_WAIT_MS_DEFAULT = 500;

    /**
     * The fetch wait of a Baton consumer that waits at the broker for records (not one of the few that set a short wait
     * to read to an end and return): {@code kafka.fetch.max.wait.ms} when the Kafka client settings ({@link #kafkaClient()})
     * carry it, else {@link #FETCH_MAX_WAIT_MS_DEFAULT}. The broker answers a waiting fetch as soon as records become
     * readable (a transaction marker included), so the wait only bounds empty fetches: a longer one costs an idle stack
     * fewer broker requests and no latency (docs/benchmarks.md, idle).
     */
    public static Object fetchMaxWaitMs(Map<String, ?> kafkaClient) {
        Object v = kafkaClient.get("fetch.max.wait.ms");
        return v != null ? v : FETCH_MAX_WAIT_MS_DEFAULT;
    }

    /**
     * The fetch waits of a Streams app's consumers: its main (and global) consumers {@link #fetchMaxWaitMs}, its restore
     * consumer {@link #FETCH_MAX_WAIT_MS_DEFAULT} whatever {@code kafka.fetch.max.wait.ms} says, as a changelog
     * partition added while the restore consumer's pending fetch waits is fetched when it returns, so a longer wait would
     * lengthen a restart's restore.
     */
    public static Map<String, Object> streamsFetchWaits(Map<String, ?> kafkaClient) {
        return Map.of(
                org.apache.kafka.streams.StreamsConfig.consumerPrefix("fetch.max.wait.ms"), fetchMaxWaitMs(kafkaClient),
                org.apache.kafka.streams.StreamsConfig.restoreConsumerPrefix("fetch.max.wait.ms"), FETCH_MAX_WAIT_MS_DEFAULT);
    }

    /** Settings for the schema-registry serde, with Confluent's key names (always including the validated URL). */
    public Map<String, Object> registry() {
        Map<String, Object> m = new HashMap<>();
        m.put(SCHEMA_REGISTRY_URL, values.getString(SCHEMA_REGISTRY_URL));
        raw.forEach((k, v) -> {
            if (k.equals(SCHEMA_REGISTRY_URL)) {
                return;
            }
            if (k.startsWith("schema.registry.") || k.startsWith("basic.auth.")
                    || k.equals("auto.register.schemas") || k.equals("use.latest.version")) {
                m.put(k, v);
            }
        });
        return m;
    }

    /**
     * The raw settings whose keys start with {@code prefix}, the prefix removed, values as text (for pass-through
     * sections such as a custom secret provider's {@code agent.secrets.<type>.*}).
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix) && v != null) {
                m.put(k.substring(prefix.length()), v instanceof org.apache.kafka.common.config.types.Password pw
                        ? pw.value() : String.valueOf(v));
            }
        });
        return m;
    }

    /** All settings with secret values hidden, for logs. */
    public Map<String, String> describe() {
        Map<String, String> m = new TreeMap<>();
        raw.forEach((k, v) -> m.put(k, Secrets.isSecretKey(k) ? Secrets.HIDDEN : String.valueOf(v)));
        return m;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + describe();
    }
}
