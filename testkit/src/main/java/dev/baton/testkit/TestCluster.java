package dev.baton.testkit;

import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.TopicDefaults;
import dev.baton.platform.Topics;
import dev.baton.platform.config.BatonConfig;
import dev.baton.registry.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The broker and registry shared by the tests of one JVM. */
public final class TestCluster implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final Path dir;
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final Admin admin;

    private TestCluster(Path dir, EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry) {
        this.dir = dir;
        this.broker = broker;
        this.registry = registry;
        this.admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    static TestCluster start() {
        try {
            Path dir = Files.createTempDirectory("baton-test-kafka");
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
            EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), "test._schemas", 0);
            return new TestCluster(dir, broker, registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() { return broker.bootstrapServers(); }

    public String registryUrl() { return registry.url(); }

    public Admin admin() { return admin; }

    /** A fresh topic namespace for one test, e.g. {@code t7-coordinator.}. */
    public Topics newTopics(String label) {
        return new Topics("t" + SEQ.incrementAndGet() + "-" + label.replaceAll("[^a-zA-Z0-9_-]", "") + ".");
    }

    public Topics newTopics() { return newTopics("x"); }

    /** Raw configuration for a component working under {@code topics}. */
    public Map<String, Object> config(Topics topics) {
        Map<String, Object> m = new HashMap<>();
        m.put(BatonConfig.BOOTSTRAP_SERVERS, bootstrapServers());
        m.put(BatonConfig.TOPIC_PREFIX, topics.prefix());
        m.put(BatonConfig.SCHEMA_REGISTRY_URL, registryUrl());
        return m;
    }

    /** Creates the standard topics (and the command topics of {@code pools}) under {@code topics}. */
    public Topics createTopics(Topics topics, Collection<String> pools) {
        TopicBootstrapper b = new TopicBootstrapper(admin);
        b.ensure(topics.standard(TopicDefaults.SINGLE_MACHINE));
        b.ensure(topics.pools(pools, TopicDefaults.SINGLE_MACHINE));
        return topics;
    }

    public Topics createTopics(Topics topics) {
        return createTopics(topics, List.of("default"));
    }

    @Override
    public void close() {
        admin.close();
        registry.close();
        broker.close();
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files; the OS cleans up what is left
        }
    }
}
