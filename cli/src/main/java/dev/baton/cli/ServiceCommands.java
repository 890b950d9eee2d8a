package dev.baton.cli;

import dev.baton.agent.Agent;
import dev.baton.agent.AgentConfig;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.platform.BatonMeters;
import dev.baton.platform.BatonService;
import dev.baton.platform.FailFast;
import dev.baton.platform.MetricsServer;
import dev.baton.platform.StateDirLock;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.config.BatonConfig;
import dev.baton.registry.EmbeddedSchemaRegistry;
import dev.baton.scheduler.Scheduler;
import dev.baton.scheduler.SchedulerConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Production entry points: each runs one component against any Kafka cluster and registry. */
final class ServiceCommands {
    private ServiceCommands() {}

    /** Runs one service with a metrics/health endpoint until SIGTERM. */
    abstract static class Service implements Callable<Integer> {
        @Mixin ServiceOptions options;

        @Option(names = "--metrics-port", description = "Port of /metrics and /health on every interface (0 = none; "
                + "default: the component's own, docs/operations.md#metrics: coordinator 9401, scheduler 9402, agent 9403, "
                + "alerting 9405; the gateway serves them on its API port).")
        Integer metricsPort;

        abstract BatonService start(Map<String, Object> config, PrometheusMeterRegistry meters);

        /** The port of /metrics when --metrics-port is not given (0: the component serves them itself). */
        abstract int defaultMetricsPort();

        /** The state directory this component keeps its stores in, as configured (null: it has none). */
        String stateDir(Map<String, Object> config) {
            return null;
        }

        @Override
        public Integer call() throws Exception {
            PrometheusMeterRegistry meters = BatonMeters.prometheus();
            int metricsPort = this.metricsPort != null ? this.metricsPort : defaultMetricsPort();
            Lifecycle lifecycle = new Lifecycle();
            // A component whose essential thread died, or an OutOfMemoryError, ends the process for a supervisor to restart.
            lifecycle.failFast(FailFast.PROCESS);
            Map<String, Object> config = options.load(Map.of());
            String stateDir = stateDir(config);
            if (stateDir != null) {
                // Refuse a state directory another live process uses; released after the service has closed.
                lifecycle.add(StateDirLock.acquire(getClass().getAnnotation(Command.class).name(), java.nio.file.Path.of(stateDir)));
            }
            BatonService service = lifecycle.add(start(config, meters));
            if (metricsPort > 0) {
                lifecycle.add(MetricsServer.start("0.0.0.0", metricsPort, meters, () -> List.of(service)));
            }
            lifecycle.awaitStop();
            return 0;
        }
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true, description = "Run the coordinator (run engine).")
    static final class CoordinatorCmd extends Service {
        @Override
        int defaultMetricsPort() { return BatonMeters.COORDINATOR_PORT; }

        @Override
        String stateDir(Map<String, Object> config) { return new CoordinatorConfig(config).getString(CoordinatorConfig.STATE_DIR); }

        @Override
        BatonService start(Map<String, Object> config, PrometheusMeterRegistry meters) {
            return Coordinator.start(new CoordinatorConfig(config), meters);
        }
    }

    @Command(name = "scheduler", mixinStandardHelpOptions = true, description = "Run the scheduler (schedules, sensors, asset triggers).")
    static final class SchedulerCmd extends Service {
        @Override
        int defaultMetricsPort() { return BatonMeters.SCHEDULER_PORT; }

        @Override
        String stateDir(Map<String, Object> config) { return new SchedulerConfig(config).getString(SchedulerConfig.STATE_DIR); }

        @Override
        BatonService start(Map<String, Object> config, PrometheusMeterRegistry meters) {
            return Scheduler.start(new SchedulerConfig(config), meters);
        }
    }

    @Command(name = "alerting", mixinStandardHelpOptions = true,
            description = "Run the alerting component (incidents from alert rules, notifications; docs/alerts.md).")
    static final class AlertingCmd extends Service {
        @Override
        int defaultMetricsPort() { return BatonMeters.ALERTING_PORT; }

        @Override
        String stateDir(Map<String, Object> config) {
            return new dev.baton.alerting.AlertingConfig(config).getString(dev.baton.alerting.AlertingConfig.STATE_DIR);
        }

        @Override
        BatonService start(Map<String, Object> config, PrometheusMeterRegistry meters) {
            return dev.baton.alerting.Alerting.start(new dev.baton.alerting.AlertingConfig(config), meters);
        }
    }

    @Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an executor agent for one or more pools.")
    static final class AgentCmd extends Service {
        @Override
        int defaultMetricsPort() { return BatonMeters.AGENT_PORT; }

        @Option(names = "--pool", description = "Pool to serve (repeatable; default 'default').")
        List<String> pools;

        @Option(names = "--region", description = "Region label reported with every attempt.")
        String region;

        @Option(names = "--slots", description = "Concurrent steps.")
        Integer slots;

        @Override
        BatonService start(Map<String, Object> config, PrometheusMeterRegistry meters) {
            Map<String, Object> c = new java.util.HashMap<>(config);
            if (pools != null) {
                c.put(AgentConfig.POOLS, String.join(",", pools));
            }
            if (region != null) {
                c.put(AgentConfig.REGION, region);
            }
            if (slots != null) {
                c.put(AgentConfig.SLOTS, String.valueOf(slots));
            }
            c.put(AgentConfig.SHUTDOWN_HOOK, "false"); // the CLI's lifecycle drains it on SIGTERM
            return Agent.start(new AgentConfig(c), meters);
        }
    }

    @Command(name = "gateway", mixinStandardHelpOptions = true, description = "Run the REST API gateway.")
    static final class GatewayCmd extends Service {
        @Override
        int defaultMetricsPort() { return 0; }

        @Override
        String stateDir(Map<String, Object> config) { return new GatewayConfig(config).stateDir().toString(); }

        @Override
        BatonService start(Map<String, Object> config, PrometheusMeterRegistry meters) {
            return Gateway.start(new GatewayConfig(config), meters);
        }
    }

    @Command(name = "registry", mixinStandardHelpOptions = true,
            description = "Run the embedded Confluent-compatible schema registry (stored in a compacted Kafka topic).")
    static final class RegistryCmd implements Callable<Integer> {
        @Mixin ServiceOptions options;

        @Option(names = "--port", description = "HTTP port (default ${DEFAULT-VALUE}).")
        int port = 8081;

        @Option(names = "--metrics-port", description = "Port of /metrics (JVM, process) and /health (0 = none; default ${DEFAULT-VALUE}).")
        int metricsPort = BatonMeters.REGISTRY_PORT;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> c = options.load(Map.of("schema.registry.url", "http://unused"));
            BatonConfig config = BatonConfig.of(c);
            Lifecycle lifecycle = new Lifecycle();
            lifecycle.add(EmbeddedSchemaRegistry.start(config.bootstrapServers(), config.topics().schemas(), port, config.kafkaClient()));
            serveMetrics(lifecycle, metricsPort, "registry");
            lifecycle.awaitStop();
            return 0;
        }
    }

    @Command(name = "broker", mixinStandardHelpOptions = true,
            description = {"Run a KRaft Kafka node (Apache Kafka's broker and controller) with a persistent data directory:",
                    "a single-node cluster by default, or one node of a multi-node cluster with --node-id and",
                    "--controller-quorum (docs/operations.md: three brokers on one machine)."})
    static final class BrokerCmd implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Data directory (default ${DEFAULT-VALUE}).")
        java.nio.file.Path dataDir = java.nio.file.Path.of(".baton", "kafka");

        @Option(names = "--port", description = "Client port (default ${DEFAULT-VALUE}).")
        int port = 9092;

        @Option(names = "--metrics-port", description = "Port of /metrics (JVM, process) and /health (0 = none; default ${DEFAULT-VALUE}).")
        int metricsPort = BatonMeters.BROKER_PORT;

        @Option(names = "--node-id", description = "This node's id, one of the --controller-quorum voters (cluster mode).")
        Integer nodeId;

        @Option(names = "--controller-quorum", paramLabel = "ID@HOST:PORT,...",
                description = "The controller voters of the cluster (Kafka's controller.quorum.voters); this node's entry is "
                        + "where its controller listens. Every node gets the same value.")
        String controllerQuorum;

        @Option(names = "--listeners", description = "Kafka's listeners (default PLAINTEXT://<host of this node's voter "
                + "entry>:<port>,CONTROLLER://<its voter entry>).")
        String listeners;

        @Option(names = "--advertised-listeners", description = "Kafka's advertised.listeners (default the PLAINTEXT listener).")
        String advertisedListeners;

        @Option(names = "--cluster-id", description = "Cluster id every node is formatted with (default derived from "
                + "--controller-quorum, so the nodes agree without a shared step).")
        String clusterId;

        @Option(names = "--broker-set", paramLabel = "KEY=VALUE", description = "A further Kafka broker setting (repeatable).")
        Map<String, String> brokerSettings = new java.util.LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            Lifecycle lifecycle = new Lifecycle();
            if (controllerQuorum == null && nodeId == null) {
                var broker = lifecycle.add(dev.baton.kafka.embedded.EmbeddedKafkaBroker.start(dataDir.toAbsolutePath(), port, brokerSettings));
                System.out.println("Kafka broker on " + broker.bootstrapServers() + " (data in " + broker.dataDir() + ")");
            } else {
                if (controllerQuorum == null || nodeId == null) {
                    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "--node-id and --controller-quorum go together (cluster mode)");
                }
                var node = new dev.baton.kafka.embedded.ClusterNode(nodeId, controllerQuorum, port, listeners,
                        advertisedListeners, dataDir.toAbsolutePath(), clusterId, brokerSettings);
                var broker = lifecycle.add(dev.baton.kafka.embedded.EmbeddedKafkaBroker.startNode(node));
                System.out.println("Kafka node " + nodeId + " on " + broker.bootstrapServers() + " (cluster "
                        + node.clusterId() + ", controller quorum " + controllerQuorum + ", data in " + broker.dataDir() + ")");
            }
            serveMetrics(lifecycle, metricsPort, "broker");
            lifecycle.awaitStop();
            return 0;
        }
    }

    @Command(name = "topics", mixinStandardHelpOptions = true,
            description = "Create every Baton topic (and the command topics of --pool) with its configuration; idempotent.")
    static final class TopicsCmd implements Callable<Integer> {
        @Mixin ServiceOptions options;

        @Option(names = "--pool", description = "Pools whose command topics to create (repeatable; default 'default').")
        List<String> pools = List.of("default");

        @Option(names = "--describe", description = "Create nothing: list every topic of the prefix with its partitions, "
                + "replication factor and min.insync.replicas.")
        boolean describe;

        @Override
        public Integer call() throws Exception {
            BatonConfig config = BatonConfig.of(options.load(Map.of("schema.registry.url", "http://unused")));
            try (Admin admin = Admin.create(config.kafkaClient())) {
                if (describe) {
                    describe(admin, config.getString(BatonConfig.TOPIC_PREFIX));
                    return 0;
                }
                TopicBootstrapper b = new TopicBootstrapper(admin);
                var created = new java.util.TreeSet<>(b.ensure(config.topics().standard(config.topicDefaults())));
                created.addAll(b.ensure(config.topics().pools(pools, config.topicDefaults())));
                System.out.println(created.isEmpty() ? "All topics exist." : "Created " + String.join(", ", created));
            }
            return 0;
        }

        private static void describe(Admin admin, String prefix) throws Exception {
            var names = new java.util.TreeSet<>(admin.listTopics().names().get());
            names.removeIf(n -> !n.startsWith(prefix));
            var topics = admin.describeTopics(names).allTopicNames().get();
            var resources = names.stream()
                    .map(n -> new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, n))
                    .toList();
            var configs = admin.describeConfigs(resources).all().get();
            for (var r : resources) {
                var d = topics.get(r.name());
                var isr = configs.get(r).get("min.insync.replicas");
                System.out.printf("%s partitions=%d replication=%d min.insync.replicas=%s%n", r.name(), d.partitions().size(),
                        d.partitions().getFirst().replicas().size(), isr == null ? "?" : isr.value());
            }
        }
    }

    /** /metrics (JVM and process meters) and /health of a process that runs no BatonService (registry, broker). */
    private static void serveMetrics(Lifecycle lifecycle, int port, String name) {
        if (port > 0) {
            lifecycle.add(MetricsServer.start("0.0.0.0", port, BatonMeters.prometheus(), () -> List.of(new BatonService() {
                @Override public String name() { return name; }
                @Override public boolean ready() { return true; }
                @Override public void close() { }
            })));
        }
    }
}
