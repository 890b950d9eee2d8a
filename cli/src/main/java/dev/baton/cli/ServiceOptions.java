package dev.baton.cli;

import dev.baton.platform.config.ConfigSources;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Configuration of a production service: a properties file, BATON_* environment variables, then --set flags. */
public final class ServiceOptions {
    @Option(names = {"-c", "--config"}, description = "Properties file (keys as in docs/operations.md).")
    Path file;

    @Option(names = {"-s", "--set"}, description = "Override one setting, key=value (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (bootstrap.servers).")
    String bootstrap;

    @Option(names = "--registry-url", description = "Schema registry URL(s) (schema.registry.url).")
    String registry;

    public Map<String, Object> load(Map<String, ?> defaults) {
        Map<String, Object> flags = new LinkedHashMap<>(overrides);
        if (bootstrap != null) {
            flags.put("bootstrap.servers", bootstrap);
        }
        if (registry != null) {
            flags.put("schema.registry.url", registry);
        }
        return new ConfigSources().defaults(defaults).file(file).env(System.getenv()).overrides(flags).toMap();
    }
}
