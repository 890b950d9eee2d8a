package dev.baton.cli;

import dev.baton.agent.Agent;
import dev.baton.agent.AgentConfig;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.TokenFile;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.platform.config.BatonConfig;
import dev.baton.registry.EmbeddedSchemaRegistry;
import dev.baton.scheduler.Scheduler;
import dev.baton.scheduler.SchedulerConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The single-machine default: a real KRaft broker, the embedded schema registry, the coordinator, the
 * scheduler, the alerting component, an agent (for pool {@code default}, or the pools the settings name) and the gateway, all in this JVM, with every byte under one
 * data directory so a restart keeps jobs, runs and materializations.
 */
public final class DevStack implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DevStack.class);
    /** Settings of one dev stack. */
    public record Settings(Path dataDir, int gatewayPort, int kafkaPort, int registryPort, int agentSlots,
                           Map<String, String> extra, List<String> agentPools) {
        /** The built-in agent serves pool {@code default} only. */
        public Settings(Path dataDir, int gatewayPort, int kafkaPort, int registryPort, int agentSlots, Map<String, String> extra) {
            this(dataDir, gatewayPort, kafkaPort, registryPort, agentSlots, extra, List.of(DEFAULT_POOL));
        }

        public Settings {
            agentPools = agentPools == null || agentPools.isEmpty() ? List.of(DEFAULT_POOL) : List.copyOf(agentPools);
        }
    }

    /** The pool of steps that name none. */
    public static final String DEFAULT_POOL = "default";

    /** The longest idle poll of the one-process stack's Streams applications ({@link CoordinatorConfig#IDLE_POLL_MAX_MS}). */
    static final String DEV_IDLE_POLL_MAX_MS = "1000";
    /** The coordinator's stream threads in the one-process stack (see {@link CoordinatorConfig#THREADS}). */
    static final String DEV_COORDINATOR_THREADS = "1";
    /** The coordinator's static group member id in the one-process stack (see {@link CoordinatorConfig#INSTANCE_ID}). */
    static final String DEV_COORDINATOR_INSTANCE = "dev-coordinator";

    /**
     * The fetch wait of the one-process stack's consumers that wait at the broker for records (every Baton component's,
     * the agent's share consumers and the registry's reader included); {@code -s kafka.fetch.max.wait.ms=...} wins.
     * The broker answers a waiting fetch as soon as records become readable (read_committed and share fetches too), so a
     * longer wait only cuts an idle stack's empty fetches: 2000 ms. A graceful stop does not wait for it: consumers'
     * closes are bounded ({@link dev.baton.platform.ConsumerClose}) and the components close at the same time
     * ({@link Lifecycle#addTogether}; docs/benchmarks.md, idle).
     */
    static final String DEV_FETCH_MAX_WAIT_MS = "2000";
    /** The {@code kafka.*} pass-through key of the consumers' fetch wait ({@link BatonConfig#fetchMaxWaitMs}). */
    static final String FETCH_MAX_WAIT_KEY = BatonConfig.KAFKA_PREFIX + "fetch.max.wait.ms";

    /** Settings given as {@code -s broker.<Kafka broker key>=value} go to the embedded broker, prefix removed. */
    static final String BROKER_PREFIX = "broker.";
    /**
     * The embedded broker's thread pools in the one-process stack, instead of Kafka's 3 network threads and 8 request
     * handlers per listener set (the broker's and, in this combined node, the controller's): each of those threads wakes
     * every 300 ms when idle, and a dev stack's load (one process's clients) needs few (docs/benchmarks.md, idle, a
     * fifth look).
     */
    static final Map<String, String> DEV_BROKER = Map.of(
            "num.network.threads", "1",
            "num.io.threads", "2");

    private final Lifecycle lifecycle;
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final Gateway gateway;
    private final Path tokenFile;
    private final PrometheusMeterRegistry meters;

    private DevStack(Lifecycle lifecycle, EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry, Gateway gateway,
                     Path tokenFile, PrometheusMeterRegistry meters) {
        this.lifecycle = lifecycle;
        this.broker = broker;
        this.registry = registry;
        this.gateway = gateway;
        this.tokenFile = tokenFile;
        this.meters = meters;
    }

    public static DevStack start(Settings s) {
        return start(s, new Lifecycle());
    }

    static DevStack start(Settings settings, Lifecycle lifecycle) {
        // Steps run in their own working directories: every path handed to a component must be absolute.
        Settings s = new Settings(settings.dataDir().toAbsolutePath().normalize(), settings.gatewayPort(), settings.kafkaPort(),
                settings.registryPort(), settings.agentSlots(), settings.extra(), settings.agentPools());
        try {
            Files.createDirectories(s.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + s.dataDir(), e);
        }
        try {
            // One registry for the whole process: the gateway's /metrics serves every component's meters, the JVM's and the Kafka clients'.
            PrometheusMeterRegistry meters = dev.baton.platform.BatonMeters.prometheus();
            EmbeddedKafkaBroker broker = lifecycle.add(EmbeddedKafkaBroker.start(s.dataDir().resolve("kafka"), s.kafkaPort(),
                    brokerSettings(s.extra())));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                awaitCompletingTransactions(admin, COMPLETING_TRANSACTIONS_WAIT);
            }
            Topics topics = Topics.withDefaultPrefix();
            Map<String, Object> base = baseSettings(s.extra());
            Object fetchWait = base.get(FETCH_MAX_WAIT_KEY);
            EmbeddedSchemaRegistry registry = lifecycle.add(EmbeddedSchemaRegistry.start(broker.bootstrapServers(),
                    topics.schemas(), s.registryPort(), Map.of("fetch.max.wait.ms", fetchWait)));
            base.put(BatonConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            base.put(BatonConfig.SCHEMA_REGISTRY_URL, registry.url());
            BatonConfig common = BatonConfig.of(base);
            try (Admin admin = Admin.create(common.kafkaClient())) {
                TopicBootstrapper b = new TopicBootstrapper(admin);
                b.ensure(topics.standard(common.topicDefaults()));
                b.ensure(topics.pools(s.agentPools(), common.topicDefaults()));
            }

            // The components close at the same time on a stop (after the gateway's last answers and before the registry
            // and the broker): each waits for its own clients, and the stop takes the longest of them, not their sum.
            lifecycle.addTogether(Coordinator.start(new CoordinatorConfig(coordinatorSettings(base, s.dataDir())), meters));

            Map<String, Object> sc = new HashMap<>(base);
            sc.put(SchedulerConfig.STATE_DIR, s.dataDir().resolve("scheduler").toString());
            sc.putIfAbsent(SchedulerConfig.IDLE_POLL_MAX_MS, DEV_IDLE_POLL_MAX_MS);
            lifecycle.addTogether(Scheduler.start(new SchedulerConfig(sc), meters));

            Map<String, Object> al = new HashMap<>(base);
            al.put(dev.baton.alerting.AlertingConfig.STATE_DIR, s.dataDir().resolve("alerting").toString());
            al.putIfAbsent(dev.baton.alerting.AlertingConfig.IDLE_POLL_MAX_MS, DEV_IDLE_POLL_MAX_MS);
            if (s.gatewayPort() > 0) {
                al.putIfAbsent(dev.baton.alerting.AlertingConfig.LINK_BASE_URL, "http://127.0.0.1:" + s.gatewayPort());
            }
            lifecycle.addTogether(dev.baton.alerting.Alerting.start(new dev.baton.alerting.AlertingConfig(al), meters));

            Map<String, Object> a = new HashMap<>(base);
            a.put(AgentConfig.ID, "dev-agent");
            a.put(AgentConfig.SLOTS, String.valueOf(s.agentSlots()));
            a.putIfAbsent(AgentConfig.POOLS, String.join(",", s.agentPools())); // -s agent.pools=... wins
            a.put(AgentConfig.WORK_DIR, s.dataDir().resolve("work").toString());
            a.put(AgentConfig.SHUTDOWN_HOOK, "false");
            a.put(AgentConfig.SHUTDOWN_GRACE_MS, "10000");
            // The embedded broker allows short acquisition locks (see EmbeddedKafkaBroker).
            a.put(AgentConfig.COMMAND_LOCK_MS, "5000");
            // The share fetch wait too (a share fetch is answered as soon as commands become acquirable).
            a.putIfAbsent(AgentConfig.FETCH_MAX_WAIT_MS, fetchWait);
            lifecycle.addTogether(Agent.start(new AgentConfig(a), meters));

            Path tokens = s.dataDir().resolve("tokens");
            Path tokenFile = s.dataDir().resolve("admin.token");
            if (!Files.exists(tokenFile) || !Files.exists(tokens)) {
                // A new admin token, keeping every other token of the file (e.g. made by `baton tokens create` before
                // the first start): only an earlier dev admin token, whose secret is lost with admin.token, is revoked.
                if (TokenFile.read(tokens).stream().anyMatch(e -> e.name().equals("admin") && e.revoked() == null)) {
                    TokenFile.revoke(tokens, "admin", java.time.Instant.now());
                }
                ApiTokens.createInFiles(tokens, tokenFile, "admin", Role.ADMIN);
            }
            Map<String, Object> g = new HashMap<>(base);
            g.put(GatewayConfig.PORT, String.valueOf(s.gatewayPort()));
            g.put(GatewayConfig.TOKENS_FILE, tokens.toString());
            g.put(GatewayConfig.STATE_DIR, s.dataDir().resolve("gateway").toString());
            g.putIfAbsent(GatewayConfig.IDLE_POLL_MAX_MS, DEV_IDLE_POLL_MAX_MS);
            g.putIfAbsent(GatewayConfig.LIMIT_HEAVY_TOTAL, String.valueOf(gatewayHeavyReads(Runtime.getRuntime().maxMemory())));
            Gateway gateway = lifecycle.addTogether(Gateway.start(new GatewayConfig(g), meters));
            // The gateway's /health speaks for the whole process: every other component of it is on it.
            lifecycle.services().stream().filter(svc -> svc != gateway).forEach(gateway::watch);
            return new DevStack(lifecycle, broker, registry, gateway, tokenFile, meters);
        } catch (RuntimeException e) {
            lifecycle.close();
            throw e;
        }
    }

    /** How long a start waits for the broker to finish the commits and aborts a killed process left half done. */
    static final java.time.Duration COMPLETING_TRANSACTIONS_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * After a crash of this process the broker's transaction coordinator finishes the transactions that were being
     * committed or aborted (PrepareCommit/PrepareAbort) by writing their markers. Until it has, every read_committed
     * reader of their partitions waits, and so does a committed-offset fetch of their consumer group: a component
     * started meanwhile spends that time restoring or initializing its tasks. Waits (bounded) for them to complete,
     * and names the ones that do not (a restart of Kafka Streams tasks then times out on them: see the log).
     * Returns the completing transactions still listed at the end (empty: all done).
     */
    static List<org.apache.kafka.clients.admin.TransactionListing> awaitCompletingTransactions(Admin admin, java.time.Duration max) {
        var states = List.of(org.apache.kafka.clients.admin.TransactionState.PREPARE_COMMIT,
                org.apache.kafka.clients.admin.TransactionState.PREPARE_ABORT);
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        List<org.apache.kafka.clients.admin.TransactionListing> pending = List.of();
        while (true) {
            try {
                pending = List.copyOf(admin.listTransactions(new org.apache.kafka.clients.admin.ListTransactionsOptions()
                        .filterStates(states)).all().get(10, java.util.concurrent.TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.warn("Could not list the broker's transactions (going on): {}", e.toString());
                return pending;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return pending;
            }
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            if (pending.isEmpty()) {
                if (waitedMs >= 200) {
                    log.info("The broker completed the transactions a previous run left half done ({} ms)", waitedMs);
                }
                return pending;
            }
            if (System.nanoTime() >= deadline) {
                log.warn("The broker has not completed {} transaction(s) a previous run left half done after {} ms: {}. "
                                + "Readers of their partitions (read_committed) and their groups' committed offsets wait for them.",
                        pending.size(), waitedMs, pending.stream().map(t -> t.transactionalId() + " " + t.state()).toList());
                return pending;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return pending;
            }
        }
    }

    /** The share of this JVM's heap that the gateway's responses in flight may hold at worst. */
    static final double GATEWAY_HEAP_SHARE = 0.25;

    /**
     * The settings every component of the one-process stack starts from: the {@code -s} settings but the broker's own
     * ({@link #brokerSettings}), and the dev fetch wait ({@link #DEV_FETCH_MAX_WAIT_MS}) unless one is given.
     */
    static Map<String, Object> baseSettings(Map<String, String> extra) {
        Map<String, Object> base = new HashMap<>(extra);
        base.keySet().removeIf(k -> k.startsWith(BROKER_PREFIX));
        base.putIfAbsent(FETCH_MAX_WAIT_KEY, DEV_FETCH_MAX_WAIT_MS);
        return base;
    }

    /** The embedded broker's settings: {@link #DEV_BROKER}, then every {@code -s broker.*} setting (prefix removed). */
    static Map<String, String> brokerSettings(Map<String, String> extra) {
        Map<String, String> b = new HashMap<>(DEV_BROKER);
        extra.forEach((k, v) -> {
            if (k.startsWith(BROKER_PREFIX) && k.length() > BROKER_PREFIX.length()) {
                b.put(k.substring(BROKER_PREFIX.length()), v);
            }
        });
        return b;
    }

    /** The coordinator's settings in the one-process stack: {@code base} (the {@code -s} settings win) and dev defaults. */
    static Map<String, Object> coordinatorSettings(Map<String, Object> base, Path dataDir) {
        Map<String, Object> c = new HashMap<>(base);
        c.put(CoordinatorConfig.STATE_DIR, dataDir.resolve("coordinator").toString());
        // Static membership: after a crash of this process (broker included) the group still lists the dead
        // instance's members until their session times out; a restart with the same instance id takes their
        // partitions back at once instead. One coordinator per data directory, so the id is unique.
        c.putIfAbsent(CoordinatorConfig.INSTANCE_ID, DEV_COORDINATOR_INSTANCE);
        // One stream thread for the three run partitions (-s coordinator.threads=3 for more): every stream thread
        // wakes each commit.max.delay.ms and has its own consumer fetching, producer and heartbeat, which is most
        // of what the coordinator costs an idle dev stack (docs/benchmarks.md, idle); a dev stack is not loaded.
        c.putIfAbsent(CoordinatorConfig.THREADS, DEV_COORDINATOR_THREADS);
        // At rest the stream thread's poll waits until its next due work (a timer scan, an owed commit) instead of
        // waking every commit.max.delay.ms; records arriving end it at once (docs/coordinator.md, idle polls).
        c.putIfAbsent(CoordinatorConfig.IDLE_POLL_MAX_MS, DEV_IDLE_POLL_MAX_MS);
        return c;
    }

    /**
     * Heavy reads the gateway serves at once in this one-process stack: as many worst-case log pages
     * ({@code gateway.logs.page.max.bytes}, held about twice while a page becomes a response) as fit in
     * {@link #GATEWAY_HEAP_SHARE} of the heap, between 4 and the gateway's default.
     */
    static int gatewayHeavyReads(long maxHeapBytes) {
        long page = 2L * (int) GatewayConfig.definition().defaultValues().get(GatewayConfig.LOGS_PAGE_MAX_BYTES);
        int fits = (int) Math.min(Integer.MAX_VALUE, (long) (maxHeapBytes * GATEWAY_HEAP_SHARE) / page);
        int gatewayDefault = (int) GatewayConfig.definition().defaultValues().get(GatewayConfig.LIMIT_HEAVY_TOTAL);
        return Math.max(4, Math.min(gatewayDefault, fits));
    }

    public String gatewayUrl() { return gateway.url(); }

    public String bootstrapServers() { return broker.bootstrapServers(); }

    public String registryUrl() { return registry.url(); }

    public Path tokenFile() { return tokenFile; }

    public String adminToken() {
        try {
            return Files.readString(tokenFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean ready() {
        return lifecycle.services().stream().allMatch(dev.baton.platform.BatonService::ready);
    }

    public PrometheusMeterRegistry meters() { return meters; }

    void awaitStop() throws InterruptedException {
        lifecycle.awaitStop();
    }

    @Override
    public void close() {
        lifecycle.close();
    }
}
