package dev.baton.gateway;

import dev.baton.events.JobRegistrationResult;
import dev.baton.gateway.internal.http.GatewayVerticle;
import dev.baton.gateway.internal.http.Services;
import dev.baton.gateway.internal.http.TokenStore;
import dev.baton.gateway.internal.kafka.EventProducer;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadModelTopology;
import dev.baton.gateway.internal.registry.JobRegistry;
import dev.baton.gateway.internal.registry.JobRegistryTopology;
import dev.baton.gateway.internal.registry.RegistrationClient;
import dev.baton.gateway.internal.schedules.Schedules;
import dev.baton.platform.BatonService;
import dev.baton.platform.ServiceHealth;
import dev.baton.platform.KafkaAccess;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.StreamsHealth;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API gateway: the REST API under {@code /api/v1} (described by {@code /api/v1/openapi.yaml}), live
 * Server-Sent Event streams, {@code /health} and {@code /metrics}, over a read model built from Baton's topics.
 *
 * <pre>{@code
 * ApiTokens.NewToken admin = ApiTokens.createInFiles(dataDir.resolve("tokens"), dataDir.resolve("admin.token"), "admin", Role.ADMIN);
 * Gateway gw = Gateway.start(new GatewayConfig(Map.of(
 *         "bootstrap.servers", "127.0.0.1:9092", "schema.registry.url", "http://127.0.0.1:8081",
 *         "gateway.port", 8080, "gateway.tokens.file", dataDir.resolve("tokens").toString(),
 *         "gateway.state.dir", dataDir.resolve("gateway").toString())), meterRegistry);
 * ... gw.url() ... gw.close();
 * }</pre>
 */
public final class Gateway implements BatonService {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Vertx vertx;
    private final WorkerExecutor worker;
    private final GatewayVerticle verticle;
    private final ReadModel readModel;
    private final EventProducer producer;
    private final Admin admin;
    private final SchemaRegistryClient registry;
    private final List<AutoCloseable> binders;
    private final String host;
    private volatile boolean closed;

    private Gateway(Vertx vertx, WorkerExecutor worker, GatewayVerticle verticle, ReadModel readModel, EventProducer producer,
                    Admin admin, SchemaRegistryClient registry, List<AutoCloseable> binders, String host) {
        this.vertx = vertx;
        this.worker = worker;
        this.verticle = verticle;
        this.readModel = readModel;
        this.producer = producer;
        this.admin = admin;
        this.registry = registry;
        this.binders = binders;
        this.host = host;
    }

    /**
     * Creates the standard topics when missing, starts the read model and the HTTP server, and returns once the
     * server listens. The read model may still be restoring: {@link #ready()} and {@code /health} tell when it is done.
     * Blocking; call it from a plain thread, not from an event loop.
     *
     * @param meters where metrics go; {@code /metrics} serves a Prometheus registry found in it (directly or inside a
     *               composite), else one the gateway adds
     * @throws org.apache.kafka.common.config.ConfigException for bad tokens configuration
     * @throws IllegalStateException when Kafka is unreachable or the port is taken
     */
    public static Gateway start(GatewayConfig config, MeterRegistry meters) {
        return start(config, meters, Secrets.environment());
    }

    /**
     * The Kafka permissions a gateway needs (docs/operations.md#kafka-acls), checked at start: its read model (Streams
     * application {@code readModelApplicationId}), what it writes for its API, and the job registry it hosts. Not
     * checked here: READ on {@code incidents-latest} (read when incidents are first asked for) and DESCRIBE on the
     * agents' share groups (the pool backlog meter).
     */
    public static List<KafkaAccess.Need> kafkaNeeds(Topics topics, String readModelApplicationId, boolean registry) {
        List<KafkaAccess.Need> needs = new ArrayList<>();
        for (String t : List.of(topics.runEvents(), topics.logs(), topics.jobs(), topics.lineage(), topics.agents(),
                topics.backfillEvents(), topics.jobRegistrationResults(), topics.schedulerState(), topics.schedulerControl(),
                topics.audit(), topics.partitionKeys())) {
            needs.add(KafkaAccess.read(t));
        }
        for (String t : List.of(topics.runRequests(), topics.runControl(), topics.jobRegistrations(), topics.audit(),
                topics.schedulerControl(), topics.backfillEvents(), topics.incidentControl(), topics.deadLetters(),
                topics.partitionKeys())) {
            needs.add(KafkaAccess.write(t));
        }
        needs.add(new KafkaAccess.Group(readModelApplicationId));
        if (registry) {
            String app = JobRegistry.applicationId(topics);
            needs.add(KafkaAccess.read(topics.jobRegistrations()));
            needs.add(KafkaAccess.write(topics.jobs()));
            needs.add(KafkaAccess.write(topics.jobRegistrationResults()));
            needs.add(new KafkaAccess.Group(app));
            needs.add(new KafkaAccess.TransactionalIds(app + "-"));
        }
        return needs;
    }

    /**
     * As {@link #start(GatewayConfig, MeterRegistry)}, with the source of secret values (a job's
     * {@code webhook.secret}) given instead of the process environment.
     */
    public static Gateway start(GatewayConfig config, MeterRegistry meters, Secrets secrets) {
        Topics topics = config.topics();
        PrometheusMeterRegistry prometheus = findPrometheus(meters);
        MeterRegistry recordTo = meters;
        if (prometheus == null) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            CompositeMeterRegistry composite = new CompositeMeterRegistry();
            composite.add(meters);
            composite.add(prometheus);
            recordTo = composite;
        }
        TokenStore tokens = new TokenStore(config.tokensFile(), config.configuredTokens(),
                config.tokensFromEnvironment() ? System.getenv() : Map.of());

        Admin admin = Admin.create(config.kafkaClient());
        List<AutoCloseable> toClose = new ArrayList<>();
        toClose.add(admin);
        try {
            TopicBootstrapper bootstrapper = new TopicBootstrapper(admin);
            // Includes the scheduler's control topic: pause/resume may be sent before any scheduler has run.
            bootstrapper.ensure(topics.standard(config.topicDefaults()));
            KafkaAccess.require("gateway", admin, kafkaNeeds(topics, config.applicationId(),
                    config.getBoolean(GatewayConfig.REGISTRY_ENABLED)));
            Map<String, Integer> partitions = new HashMap<>();
            for (String t : List.of(topics.runEvents(), topics.logs(), topics.jobs(), topics.lineage(), topics.agents())) {
                partitions.put(t, bootstrapper.partitions(t));
            }

            Map<String, Object> registryConfig = config.registry();
            SchemaRegistryClient registry = SchemaRegistryClient.create(registryConfig);
            toClose.add(registry);
            ReadModelTopology.Codecs codecs = ReadModelTopology.Codecs.create(registryConfig);
            MeterRegistry m = recordTo;
            ReadModelTopology.Listener listener = (topic, cause) -> Counter.builder("baton.gateway.readmodel.dead.letters")
                    .description("Records the read model could not decode or apply, set aside on the dead-letter topic")
                    .tag("topic", topic).tag("cause", cause).register(m).increment();
            java.util.Properties readModelProps = ReadModel.streamsProperties(config.kafkaClient(), config.applicationId(),
                    config.stateDir().toString(), config.getLong(GatewayConfig.COMMIT_INTERVAL_MS),
                    config.topicDefaults().replicationFactor());
            // Changelogs replicated like Baton's own topics (min.insync.replicas 2 from three brokers).
            readModelProps.putAll(config.streamsTopicSettings());
            ReadModel readModel = ReadModel.start(topics, readModelProps, codecs, listener, partitions,
                    config.getLong(GatewayConfig.IDLE_POLL_MAX_MS));
            toClose.add(readModel);
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(readModel.streams());
            streamsMetrics.bindTo(recordTo);
            toClose.add(streamsMetrics);

            Schedules schedules = Schedules.open(config);
            toClose.add(schedules);

            // Every gateway hosts the job registry under one shared application id: Kafka runs its one task on one of them.
            // That gateway also drives the backfills; a gateway without the registry never does.
            java.util.function.BooleanSupplier drivesBackfills = () -> false;
            if (config.getBoolean(GatewayConfig.REGISTRY_ENABLED)) {
                java.util.Properties registryProps = JobRegistry.streamsProperties(config.kafkaClient(), topics,
                        config.stateDir().toString(), config.getLong(GatewayConfig.REGISTRY_COMMIT_INTERVAL_MS),
                        config.topicDefaults().replicationFactor());
                registryProps.putAll(config.streamsTopicSettings());
                JobRegistry jobRegistry = JobRegistry.start(topics, registryProps, JobRegistryTopology.Codecs.create(registryConfig),
                        config.getLong(GatewayConfig.IDLE_POLL_MAX_MS));
                toClose.add(jobRegistry);
                drivesBackfills = jobRegistry::ownsTask;
            }

            EventProducer producer = EventProducer.create(config.kafkaClient(), registryConfig, config.requestTimeout().toMillis());
            toClose.add(producer);
            RegistrationClient registrations = RegistrationClient.start(topics, config.kafkaClient(), producer,
                    AvroSerde.forValues(JobRegistrationResult.class, registryConfig), config.registrationTimeout());
            toClose.add(registrations);
            KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer.kafkaProducer());
            producerMetrics.bindTo(recordTo);
            toClose.add(producerMetrics);
            // baton_pool_backlog{pool}: commands not yet acquired per pool, read from Kafka only when scraped (<= every 10 s).
            toClose.add(dev.baton.platform.PoolBacklogMeters.bind(new dev.baton.platform.PoolBacklog(admin, topics), recordTo,
                    java.time.Duration.ofSeconds(10)));

            Vertx vertx = Vertx.builder()
                    .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                            .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_NAME, Label.POOL_TYPE))))
                    .withMetrics(new MicrometerMetricsFactory(recordTo))
                    .build();
            toClose.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
            WorkerExecutor worker = vertx.createSharedWorkerExecutor("baton-gateway-worker", config.getInt(GatewayConfig.WORKERS));

            Services services = new Services(config, topics, vertx, worker, readModel, codecs, producer, admin, registry, tokens,
                    schedules, recordTo, prometheus, registrations, Services.newPendingRuns(), secrets, drivesBackfills);
            GatewayVerticle verticle = new GatewayVerticle(services);
            vertx.deployVerticle(verticle, new DeploymentOptions()).toCompletionStage().toCompletableFuture()
                    .get(config.requestTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
            Gateway g = new Gateway(vertx, worker, verticle, readModel, producer, admin, registry, toClose, config.host());
            log.info("Gateway listening on {} ({}; read model {}; {} tokens)", g.url(), topics, config.applicationId(), tokens.size());
            return g;
        } catch (Exception e) {
            closeAll(toClose);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Cannot start the gateway: " + c.getMessage(), c);
        }
    }


    private static PrometheusMeterRegistry findPrometheus(MeterRegistry meters) {
        if (meters instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (meters instanceof CompositeMeterRegistry c) {
            for (MeterRegistry r : c.getRegistries()) {
                PrometheusMeterRegistry p = findPrometheus(r);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The port the HTTP server listens on (the actual one when configured with 0). */
    public int port() {
        return verticle.actualPort();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    @Override
    public String name() {
        return "gateway";
    }

    /** True when the read model has restored its stores and is processing (Kafka and registry are checked by /health). */
    @Override
    public boolean ready() {
        return !closed && readModel.ready();
    }

    /**
     * UP while the read model runs and the HTTP server listens; STARTING while the read model restores or rebalances;
     * DOWN once the read model's Kafka Streams is shutting down or failed without the gateway being closed (the API
     * would answer from stores that no longer change).
     */
    @Override
    public ServiceHealth health() {
        if (closed) {
            return ServiceHealth.STOPPED;
        }
        ServiceHealth model = StreamsHealth.of("read model", readModel.state(), null);
        ServiceHealth http = verticle.actualPort() > 0 ? ServiceHealth.UP : ServiceHealth.down("HTTP server not listening");
        return ServiceHealth.worst(List.of(model, http));
    }

    /**
     * Adds another component of this process to {@code /health} (in {@code baton dev} every one of them): the gateway's
     * {@code /health} is then DOWN, naming it, when it is.
     */
    public void watch(BatonService component) {
        verticle.watch(component);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.close();
        // HTTP first (no new requests), then the producer and the read model.
        List<AutoCloseable> reversed = new ArrayList<>(binders);
        java.util.Collections.reverse(reversed);
        closeAll(reversed);
        log.info("Gateway stopped");
    }

    private static void closeAll(List<AutoCloseable> list) {
        for (AutoCloseable c : list) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("Error while stopping the gateway: {}", e.toString());
            }
        }
    }
}
