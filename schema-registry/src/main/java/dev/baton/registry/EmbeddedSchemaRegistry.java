package dev.baton.registry;

import dev.baton.registry.internal.KafkaStore;
import dev.baton.registry.internal.RegistryConfig;
import dev.baton.registry.internal.RegistryService;
import dev.baton.registry.internal.RegistryState;
import dev.baton.registry.internal.RegistryVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry (Avro) served over HTTP by Vert.x and persisted in one
 * compacted Kafka topic, so ids survive restarts.
 *
 * <p>Storage: each registration or configuration change is one record of the topic (created with
 * {@code cleanup.policy=compact} and 1 partition when missing). At start the registry reads the topic
 * from the beginning to rebuild its state. It is a single writer: writes are decided on one thread and
 * go through a transactional producer derived from the topic name, so a second registry started on the
 * same topic fences the first; a write is answered only after the registry has read its record back.
 * Read-only replicas are not supported: run one registry per storage topic.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1:9092", "baton._schemas", 0)) {
 *     String url = registry.url(); // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    public static final String DEFAULT_TOPIC = "baton._schemas";

    private final Vertx vertx;
    private final KafkaStore store;
    private final RegistryService service;
    private final String host;
    private final int port;
    private boolean closed;

    private EmbeddedSchemaRegistry(Vertx vertx, KafkaStore store, RegistryService service, String host, int port) {
        this.vertx = vertx;
        this.store = store;
        this.service = service;
        this.host = host;
        this.port = port;
    }

    /**
     * Starts a registry storing its schemas in {@code topic} of the cluster at {@code bootstrapServers}.
     *
     * @param port HTTP port on 127.0.0.1; 0 picks a free one
     */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, String topic, int port) {
        return start(bootstrapServers, topic, port, Map.of());
    }

    /**
     * As {@link #start(String, String, int)}, with {@code config} passed to the registry's Kafka clients
     * (security.protocol, sasl.*, ssl.*, ...). Keys starting with {@code baton.registry.} configure the
     * registry itself: {@code baton.registry.host} (bind address, default 127.0.0.1),
     * {@code baton.registry.topic.replication.factor} (default min(3, brokers)) and
     * {@code baton.registry.timeout.ms} (default 60000).
     *
     * @throws IllegalStateException when the topic cannot be prepared or read, or the port cannot be bound
     */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, String topic, int port, Map<String, ?> config) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        RegistryConfig registryConfig = new RegistryConfig(config);
        Map<String, Object> kafka = new HashMap<>(RegistryConfig.kafkaSettings(config));
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);

        RegistryState state = new RegistryState();
        KafkaStore store = KafkaStore.start(topic, kafka, state, registryConfig.replicationFactor(), registryConfig.timeout());
        RegistryService service = new RegistryService(state, store);
        // A small, low-traffic HTTP service: one event loop is plenty; parsing runs on the worker pool.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
        RegistryVerticle verticle = new RegistryVerticle(service, registryConfig.host(), port);
        try {
            vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture()
                    .get(registryConfig.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            vertx.close();
            service.close();
            store.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Cannot start the schema registry HTTP server on " + registryConfig.host() + ":" + port
                    + ": " + cause, cause);
        }
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(vertx, store, service, registryConfig.host(), verticle.actualPort());
        log.info("Schema registry serving {} (storage topic {})", registry.url(), topic);
        return registry;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8081}; what clients set as {@code schema.registry.url}. */
    public String url() {
        String h = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    public int port() {
        return port;
    }

    public String topic() {
        return store.topic();
    }

    /** Stops serving and releases the Kafka clients. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Schema registry HTTP server did not stop cleanly: {}", e.toString());
        }
        service.close();
        store.close();
        log.info("Schema registry on port {} stopped", port);
    }
}
