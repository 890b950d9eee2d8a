package dev.baton.registry.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The registry's own settings ({@code baton.registry.*}); every other key of the configuration map
 * is a Kafka client setting passed to the registry's admin client, producer and consumer.
 */
public final class RegistryConfig extends AbstractConfig {
    public static final String PREFIX = "baton.registry.";
    public static final String HOST = PREFIX + "host";
    public static final String REPLICATION_FACTOR = PREFIX + "topic.replication.factor";
    public static final String TIMEOUT_MS = PREFIX + "timeout.ms";

    private static final ConfigDef DEF = new ConfigDef()
            .define(HOST, Type.STRING, "127.0.0.1", Importance.MEDIUM,
                    "Interface the HTTP server binds; 0.0.0.0 to serve other machines.")
            .define(REPLICATION_FACTOR, Type.INT, null, Importance.LOW,
                    "Replication factor of the storage topic when the registry creates it; default min(3, brokers).")
            .define(TIMEOUT_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Longest wait for Kafka: topic preparation, rebuilding the state at start, a write's read-back.");

    public RegistryConfig(Map<String, ?> originals) {
        super(DEF, registryKeys(originals), false);
    }

    private static Map<String, Object> registryKeys(Map<String, ?> all) {
        Map<String, Object> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The Kafka client settings: everything but the registry's own keys. */
    public static Map<String, Object> kafkaSettings(Map<String, ?> all) {
        Map<String, Object> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (!k.startsWith(PREFIX) && v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    public String host() {
        return getString(HOST);
    }

    public Integer replicationFactor() {
        return getInt(REPLICATION_FACTOR);
    }

    public Duration timeout() {
        return Duration.ofMillis(getLong(TIMEOUT_MS));
    }
}
