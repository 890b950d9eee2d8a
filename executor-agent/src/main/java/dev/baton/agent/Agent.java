package dev.baton.agent;

import dev.baton.agent.internal.AgentMetrics;
import dev.baton.agent.internal.AgentRuntime;
import dev.baton.agent.internal.Codec;
import dev.baton.agent.internal.CommandLoop;
import dev.baton.agent.internal.ControlLoop;
import dev.baton.agent.internal.DeadLetters;
import dev.baton.agent.internal.Execution;
import dev.baton.agent.internal.HandlerRegistry;
import dev.baton.agent.internal.LogShipper;
import dev.baton.agent.internal.Registration;
import dev.baton.agent.internal.Reports;
import dev.baton.events.AgentState;
import dev.baton.events.ErrorClass;
import dev.baton.platform.BatonService;
import dev.baton.platform.ServiceHealth;
import dev.baton.platform.KafkaAccess;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.TopicSpec;
import dev.baton.platform.secrets.SecretProviders;
import dev.baton.platform.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor agent: takes step commands of its pools from Kafka share groups, runs them in its
 * slots and reports back. It only connects out (to Kafka and the schema registry), keeps no state
 * of its own, and may be added or killed at any time; see {@code docs/agent.md}.
 *
 * <pre>{@code
 * try (Agent agent = Agent.start(new AgentConfig(Map.of(
 *         "bootstrap.servers", "kafka:9092",
 *         "schema.registry.url", "http://registry:8081",
 *         "agent.pools", "eu-west")))) {
 *     agent.awaitStopped();
 * }
 * }</pre>
 *
 * <p>{@link #close()} (and SIGTERM, through a shutdown hook) drains: no new commands, running steps
 * get {@code agent.shutdown.grace.ms} to finish, the rest are canceled and reported CANCELED with
 * retryable=true, then the registration says STOPPED.
 */
public final class Agent implements BatonService {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(60);

    private final AgentConfig config;
    private final PrometheusMeterRegistry meters;
    private final Topics topics;
    private final Codec codec;
    private final Producer<String, byte[]> reportProducer;
    private final Producer<String, byte[]> logProducer;
    private final HandlerRegistry handlers;
    private final SecretProviders secrets;
    private final AgentRuntime runtime;
    private final Registration registration;
    private final ControlLoop control;
    private final List<CommandLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean ready;
    private Thread shutdownHook;

    /** Starts an agent with its own Prometheus registry. */
    public static Agent start(AgentConfig config) {
        return start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Starts an agent whose meters go to {@code meters} (shared with other components of this JVM). */
    public static Agent start(AgentConfig config, PrometheusMeterRegistry meters) {
        return new Agent(config, meters, UnaryOperator.identity(), secretProviders(config));
    }

    /**
     * Starts an agent that takes {@code ${{ secrets.NAME }}} values from {@code secrets} instead of the providers
     * named by {@code agent.secrets.providers} (embedding with providers of your own). The agent closes them.
     */
    public static Agent start(AgentConfig config, PrometheusMeterRegistry meters, SecretProviders secrets) {
        return new Agent(config, meters, UnaryOperator.identity(), secrets);
    }

    /** With the command loops' share consumers wrapped by {@code commandConsumers} (tests inject faults with it). */
    static Agent start(AgentConfig config, PrometheusMeterRegistry meters,
                       UnaryOperator<ShareConsumer<byte[], byte[]>> commandConsumers) {
        return new Agent(config, meters, commandConsumers, secretProviders(config));
    }

    /** The providers named by {@code agent.secrets.providers}; a bad setting fails the start naming the key. */
    static SecretProviders secretProviders(AgentConfig config) {
        try {
            return SecretProviders.of(config.secretProviders(), config::secretProviderSettings, Agent.class.getClassLoader());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(AgentConfig.SECRETS_PROVIDERS + ": " + e.getMessage());
        }
    }

    private Agent(AgentConfig config, PrometheusMeterRegistry meters, UnaryOperator<ShareConsumer<byte[], byte[]>> commandConsumers,
                  SecretProviders secrets) {
        this.config = config;
        this.meters = meters;
        this.topics = config.topics();
        this.secrets = secrets;
        String id = config.agentId();
        log.info("Starting agent {} (pools {}, {} slots) with {}; secrets from {}", id, config.pools(), config.slots(),
                config.describe(), secrets.names());
        try {
            Files.createDirectories(config.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create agent.work.dir " + config.workDir() + ": " + e.getMessage(), e);
        }

        try (Admin admin = Admin.create(config.kafkaClient())) {
            if (config.createTopics()) {
                List<TopicSpec> specs = new ArrayList<>(topics.standard(config.topicDefaults()));
                specs.addAll(topics.pools(config.pools(), config.topicDefaults()));
                ensureTopics(admin, specs);
            }
            KafkaAccess.require("agent " + id, admin, kafkaNeeds(topics, config.pools()));
            startFromEarliest(admin);
        }

        // What is opened so far, closed in reverse if the start fails half-way.
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(secrets);
        try {
            this.codec = opened(opened, new Codec(config.registry()));
            this.reportProducer = opened(opened, new KafkaProducer<>(producerConfig("reports"), new StringSerializer(), new ByteArraySerializer()));
            this.logProducer = opened(opened, new KafkaProducer<>(producerConfig("logs"), new StringSerializer(), new ByteArraySerializer()));
            this.handlers = opened(opened, HandlerRegistry.load(config.pluginDir()));

            Semaphore slots = new Semaphore(config.slots());
            AgentRuntime[] rt = new AgentRuntime[1];
            // The Kafka client meters of the reports producer (kafka_producer_*; the share consumer has no binder).
            opened(opened, new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(reportProducer)).bindTo(meters);
            AgentMetrics metrics = new AgentMetrics(meters, id, config.region(),
                    () -> rt[0] == null ? 0 : rt[0].runningCount(),
                    // Not the semaphore's permits: the command loop holds some while it polls.
                    () -> rt[0] == null ? config.slots() : config.slots() - rt[0].runningCount());
            String host = AgentConfig.hostName();
            Reports reports = new Reports(reportProducer, codec, topics.agentReports(), id, host, config.region());
            LogShipper logs = new LogShipper(logProducer, codec, topics.logs(), id, metrics);
            this.runtime = opened(opened, new AgentRuntime(config, reports, logs, metrics, handlers, slots, secrets));
            rt[0] = runtime;
            DeadLetters deadLetters = new DeadLetters(reportProducer, codec, topics.deadLetters(), metrics);

            this.registration = new Registration(reportProducer, codec, topics.agents(), id, config.pools(), config.region(),
                    host, version(), config.slots(), Instant.now(), runtime::runningSteps);

            // Cancels first: positioned before the first command is taken, so none slips through.
            KafkaConsumer<byte[], byte[]> controlConsumer = opened(opened,
                    new KafkaConsumer<>(controlConsumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
            this.control = new ControlLoop(controlConsumer, topics.agentControl(), codec, runtime, deadLetters);
            control.position();
            opened.remove(controlConsumer); // the loop owns it now
            threads.add(Thread.ofPlatform().name("baton-agent-control-" + id).daemon().start(control));
            opened.add(control::stop);

            for (String pool : config.pools()) {
                for (int n = 1; n <= config.poolConsumers(); n++) {
                    String suffix = config.poolConsumers() == 1 ? "" : "-" + n;
                    var consumer = commandConsumers.apply(new KafkaShareConsumer<>(shareConsumerConfig(pool, suffix),
                            new ByteArrayDeserializer(), new ByteArrayDeserializer()));
                    CommandLoop loop = new CommandLoop(pool, topics.commands(pool), consumer, runtime, codec, deadLetters,
                            config.pollMaxRecords(), config.maxDeliveries(), config.pollTimeout());
                    loops.add(loop);
                    threads.add(Thread.ofPlatform().name("baton-agent-commands-" + pool + suffix + "-" + id).daemon().start(loop));
                    opened.add(loop::stop);
                }
            }

            runtime.every(config.registrationInterval(), "registration", registration::publish);
            awaitQuietly(registration.state(AgentState.RUNNING));
        } catch (RuntimeException | Error e) {
            log.error("Agent {} could not start: {}", id, e.toString());
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }

        if (config.shutdownHook()) {
            shutdownHook = new Thread(this::close, "baton-agent-shutdown-" + id);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        ready = true;
        log.info("Agent {} started; taking commands from {}", id, config.pools().stream().map(topics::commands).toList());
    }

    /** The Kafka permissions an agent serving {@code pools} needs (docs/operations.md#kafka-acls), checked at start. */
    public static List<KafkaAccess.Need> kafkaNeeds(Topics topics, List<String> pools) {
        List<KafkaAccess.Need> needs = new ArrayList<>();
        for (String pool : pools) {
            needs.add(KafkaAccess.read(topics.commands(pool)));
            needs.add(new KafkaAccess.ShareGroup(topics.agentShareGroup(pool)));
        }
        needs.add(KafkaAccess.read(topics.agentControl()));
        for (String t : List.of(topics.agentReports(), topics.logs(), topics.agents(), topics.deadLetters())) {
            needs.add(KafkaAccess.write(t));
        }
        return needs;
    }

    private static <T extends AutoCloseable> T opened(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    /**
     * Creates missing topics. Right after a create, a broker may not know the new topic yet when the
     * bootstrapper describes it (UnknownTopicOrPartition); the bootstrap is idempotent, so try again.
     */
    private static void ensureTopics(Admin admin, List<TopicSpec> specs) {
        for (int attempt = 1; ; attempt++) {
            try {
                new TopicBootstrapper(admin).ensure(specs);
                return;
            } catch (IllegalStateException e) {
                if (attempt >= 5 || !(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                log.debug("Topics not visible yet ({}); retrying", e.getMessage());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Commands produced before a pool's first agent joined are still taken (share groups start at the end by default). */
    private void startFromEarliest(Admin admin) {
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String pool : config.pools()) {
            ops.put(new ConfigResource(ConfigResource.Type.GROUP, topics.agentShareGroup(pool)),
                    List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                            // Never run a command of an aborted coordinator transaction.
                            new AlterConfigOp(new ConfigEntry("share.isolation.level", "read_committed"), AlterConfigOp.OpType.SET)));
        }
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> locks = new HashMap<>();
        for (String pool : config.pools()) {
            locks.put(new ConfigResource(ConfigResource.Type.GROUP, topics.agentShareGroup(pool)),
                    List.of(new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms",
                            String.valueOf(config.getInt(AgentConfig.COMMAND_LOCK_MS))), AlterConfigOp.OpType.SET)));
        }
        try {
            // Separate call: a cluster whose limits refuse this lock duration still gets the settings above.
            admin.incrementalAlterConfigs(locks).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while configuring the share groups", e);
        } catch (Exception e) {
            log.warn("Could not set share.record.lock.duration.ms={} on the share groups of {}: {}",
                    config.getInt(AgentConfig.COMMAND_LOCK_MS), config.pools(), e.getCause() != null ? e.getCause().toString() : e.toString());
        }
        try {
            admin.incrementalAlterConfigs(ops).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while configuring the share groups", e);
        } catch (Exception e) {
            // Without ALTER_CONFIGS on the group, commands sent before the first agent joined wait for a retry.
            log.warn("Could not set share.auto.offset.reset=earliest on the share groups of {}: {}", config.pools(),
                    e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }


    private Map<String, Object> producerConfig(String purpose) {
        Map<String, Object> m = config.kafkaClient();
        m.put(ProducerConfig.CLIENT_ID_CONFIG, "baton-agent-" + config.agentId() + "-" + purpose);
        // Reports must not be lost or reordered (the coordinator folds them in order per run).
        m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        m.put(ProducerConfig.ACKS_CONFIG, "all");
        // Latency: every report is on the critical path of a run; by default do not wait to fill batches.
        m.put(ProducerConfig.LINGER_MS_CONFIG, config.reportLingerMs());
        return m;
    }

    private Map<String, Object> shareConsumerConfig(String pool, String suffix) {
        Map<String, Object> m = config.kafkaClient();
        // Consumer-group settings in the kafka.* pass-through would make the share consumer refuse to start.
        List.of("auto.offset.reset", "enable.auto.commit", "group.instance.id", "isolation.level", "partition.assignment.strategy",
                "interceptor.classes", "session.timeout.ms", "heartbeat.interval.ms", "group.protocol", "group.remote.assignor")
                .forEach(m::remove);
        m.put(ConsumerConfig.GROUP_ID_CONFIG, topics.agentShareGroup(pool));
        m.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-agent-" + config.agentId() + "-" + pool + suffix);
        // A command is accepted only after its started report is written (see CommandLoop).
        m.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        // Never acquire more commands than the slots reserved for the poll.
        m.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        m.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.pollMaxRecords());
        // Command latency: see agent.fetch.max.wait.ms.
        m.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, config.getInt(AgentConfig.FETCH_MAX_WAIT_MS));
        return m;
    }

    private Map<String, Object> controlConsumerConfig() {
        Map<String, Object> m = config.kafkaClient();
        m.remove(ConsumerConfig.GROUP_ID_CONFIG);
        m.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-agent-" + config.agentId() + "-control");
        // Broadcast: no group, no commits; every agent reads every cancel.
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // Cancels should reach a running step quickly: the broker answers a waiting fetch as soon as one is readable,
        // so the wait only bounds empty fetches; 100 ms made an idle agent ask 10 times a second (docs/benchmarks.md).
        m.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, dev.baton.platform.config.BatonConfig.fetchMaxWaitMs(m));
        return m;
    }

    private static String version() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The id under which this agent registers and reports. */
    public String agentId() {
        return config.agentId();
    }

    public AgentConfig config() {
        return config;
    }

    /** The agent's meters; serve {@code scrape()} on a metrics endpoint. */
    public PrometheusMeterRegistry meterRegistry() {
        return meters;
    }

    /** Steps running now. */
    public int runningSteps() {
        return runtime.runningCount();
    }

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public boolean ready() {
        return health().up();
    }

    /**
     * DOWN when a thread the agent cannot work without died: a command loop (no more commands from its pool), the
     * control loop (cancels no longer arrive), or an Error such as OutOfMemoryError in an attempt or a periodic task
     * (heartbeats, registration). Nothing restarts them: the process must end (see {@code Watchdog}).
     */
    @Override
    public ServiceHealth health() {
        if (closing.get()) {
            return ServiceHealth.STOPPED;
        }
        if (!ready) {
            return ServiceHealth.starting("registering");
        }
        String fatal = runtime.fatal();
        if (fatal != null) {
            return ServiceHealth.down(fatal);
        }
        List<ServiceHealth> parts = new ArrayList<>();
        parts.add(control.health());
        loops.forEach(l -> parts.add(l.health()));
        return ServiceHealth.worst(parts);
    }

    /** Blocks until the agent stopped (after {@link #close()} or SIGTERM). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Drains and stops: takes no more commands (unstarted ones go back to the share group), waits up
     * to {@code agent.shutdown.grace.ms} for running steps, cancels the rest (reported CANCELED,
     * retryable), then registers as STOPPED. Idempotent; concurrent callers wait for the first.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        String id = config.agentId();
        try {
            log.info("Agent {} draining: {} step(s) running", id, runtime.runningCount());
            awaitQuietly(registration.state(AgentState.DRAINING));
            loops.forEach(CommandLoop::stop);
            for (Thread t : threads) {
                if (t.getName().startsWith("baton-agent-commands-")) {
                    t.join(Duration.ofSeconds(60));
                }
            }
            if (!runtime.awaitIdle(config.shutdownGrace())) {
                log.info("Agent {}: grace period over, canceling {} step(s)", id, runtime.runningCount());
                for (Execution e : runtime.running()) {
                    e.stop(new Execution.StopRequest(ErrorClass.CANCELED, true,
                            "agent " + id + " shut down before the step finished", config.cancelGraceMax()));
                }
                runtime.awaitIdle(config.cancelGraceMax().plusSeconds(15));
            }
            control.stop();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(10));
            }
            awaitQuietly(registration.state(AgentState.STOPPED));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runtime.close();
            reportProducer.close(Duration.ofSeconds(30));
            logProducer.close(Duration.ofSeconds(30));
            codec.close();
            handlers.close();
            secrets.close();
            removeShutdownHook();
            ready = false;
            stopped.countDown();
            log.info("Agent {} stopped", id);
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    private static void awaitQuietly(java.util.concurrent.CompletableFuture<?> f) {
        try {
            f.get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Registration not written: {}", e.toString());
        }
    }
}
