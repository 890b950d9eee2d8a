package dev.baton.platform.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Merges configuration from, lowest precedence first: built-in defaults, a properties file,
 * environment variables ({@code BATON_TOPIC_PREFIX} sets {@code topic.prefix}; {@code BATON_KAFKA_SASL_MECHANISM}
 * sets {@code kafka.sasl.mechanism}), then explicit overrides such as command-line flags.
 */
public final class ConfigSources {
    public static final String ENV_PREFIX = "BATON_";

    private final Map<String, Object> values = new HashMap<>();

    public ConfigSources defaults(Map<String, ?> defaults) {
        values.putAll(defaults);
        return this;
    }

    public ConfigSources file(Path file) {
        if (file == null) {
            return this;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        p.forEach((k, v) -> values.put(k.toString(), v.toString().trim()));
        return this;
    }

    public ConfigSources env(Map<String, String> env) {
        env.forEach((k, v) -> {
            // BATON_SECRET_<NAME> are secret values for ${{ secrets.NAME }}, not settings: they stay out of the config.
            if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()
                    && !k.startsWith(dev.baton.platform.secrets.EnvironmentSecretProvider.PREFIX)) {
                values.put(envToKey(k), v);
            }
        });
        return this;
    }

    public ConfigSources overrides(Map<String, ?> overrides) {
        overrides.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
            }
        });
        return this;
    }

    public Map<String, Object> toMap() {
        return Map.copyOf(values);
    }

    static String envToKey(String env) {
        return env.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }
}
