package dev.baton.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka node (combined broker and controller, Apache Kafka's own server code) running in this JVM: either
 * a single-node cluster ({@link #start(Path, int, Map)}, used by {@code baton dev} and tests) or one node of a
 * multi-node cluster with a static controller quorum ({@link #startNode(ClusterNode)}, used by {@code baton broker}
 * with {@code --node-id} and {@code --controller-quorum}). The data directory is formatted on first start and reused
 * afterwards, so topics and their records survive restarts.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final Path dataDir;
    private final String bootstrapServers;
    private final int port;
    private final int controllerPort;
    private final KafkaRaftServer server;
    private final Map<String, Object> adminClient;
    private volatile boolean stopped;

    private EmbeddedKafkaBroker(Path dataDir, String bootstrapServers, int port, int controllerPort, KafkaRaftServer server) {
        this(dataDir, bootstrapServers, port, controllerPort, server, Map.of());
    }

    private EmbeddedKafkaBroker(Path dataDir, String bootstrapServers, int port, int controllerPort, KafkaRaftServer server,
                                Map<String, Object> adminClient) {
        this.dataDir = dataDir;
        this.bootstrapServers = bootstrapServers;
        this.port = port;
        this.controllerPort = controllerPort;
        this.server = server;
        this.adminClient = Map.copyOf(adminClient);
    }

    /**
     * A SASL_SSL client listener (SCRAM-SHA-512 over TLS) with ACLs enforced by Kafka's {@code StandardAuthorizer}, for
     * {@link #startSecured}. The super user's SCRAM credential is written into the metadata when the data directory is
     * formatted (the only way to have a first principal that can create the others); every other credential and ACL
     * is made through the Admin API as that super user. The controller listener stays PLAINTEXT on loopback (KRaft
     * controllers do not take SCRAM), so its principal {@code User:ANONYMOUS} is a super user too: expose it nowhere.
     *
     * @param keystore PKCS12 key store with the broker's key and certificate (valid for 127.0.0.1)
     * @param truststore PKCS12 trust store holding that certificate (the broker's own inter-broker client uses it)
     * @param superUser the admin principal's SCRAM user name (also used by the broker for inter-broker traffic)
     */
    public record SaslSsl(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
                          String superUser, String superUserPassword) {
        public static final String MECHANISM = "SCRAM-SHA-512";
        static final String LISTENER = "SASL_SSL";

        /** Kafka client settings that authenticate as {@code user} over this listener. */
        public Map<String, Object> clientProperties(String user, String password) {
            return Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", MECHANISM,
                    "sasl.jaas.config", jaas(user, password),
                    "ssl.truststore.location", truststore.toString(),
                    "ssl.truststore.password", truststorePassword,
                    "ssl.truststore.type", "PKCS12");
        }

        static String jaas(String user, String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                    + "\" password=\"" + password + "\";";
        }

        Properties brokerProperties(int clientPort, int controllerPort) {
            Properties p = new Properties();
            p.put("listeners", LISTENER + "://127.0.0.1:" + clientPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", LISTENER + "://127.0.0.1:" + clientPort);
            p.put("listener.security.protocol.map", LISTENER + ":SASL_SSL," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put("inter.broker.listener.name", LISTENER);
            p.put("sasl.enabled.mechanisms", MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
            // Server side and the broker's own inter-broker client (transaction markers go through it, even to itself).
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(superUser, superUserPassword));
            p.put("ssl.keystore.location", keystore.toString());
            p.put("ssl.keystore.password", keystorePassword);
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.key.password", keystorePassword);
            p.put("ssl.truststore.location", truststore.toString());
            p.put("ssl.truststore.password", truststorePassword);
            p.put("ssl.truststore.type", "PKCS12");
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // ANONYMOUS is the broker's principal on the PLAINTEXT controller listener (broker registration, heartbeats).
            p.put("super.users", "User:" + superUser + ";User:ANONYMOUS");
            p.put("allow.everyone.if.no.acl.found", "false");
            return p;
        }

        List<String> scramArguments() {
            return List.of(MECHANISM + "=[name=" + superUser + ",password=" + superUserPassword + "]");
        }
    }

    /**
     * Formats {@code dataDir} when needed and starts the broker.
     *
     * @param port the client port on 127.0.0.1; 0 picks a free one
     * @param extra broker settings that override the single-machine defaults
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> extra) {
        try {
            Files.createDirectories(dataDir);
            int[] ports = freePorts(port);
            int clientPort = ports[0];
            int controllerPort = ports[1];
            Path logDir = dataDir.resolve("kraft-logs");
            Properties props = defaults(logDir, clientPort, controllerPort);
            props.putAll(SINGLE_NODE);
            props.putAll(extra);
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            format(logDir, 1, Uuid.randomUuid().toString(), List.of());
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, "127.0.0.1:" + clientPort, clientPort, controllerPort, server);
            broker.awaitReady();
            log.info("Embedded Kafka broker ready on {} (data in {})", broker.bootstrapServers(), dataDir);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker in " + dataDir, e);
        }
    }

    /**
     * As {@link #start(Path, int, Map)}, with one SASL_SSL client listener (SCRAM-SHA-512) and ACLs enforced instead of
     * the PLAINTEXT one. {@link #adminClientProperties()} gives the super user's client settings.
     */
    public static EmbeddedKafkaBroker startSecured(Path dataDir, int port, SaslSsl security, Map<String, String> extra) {
        try {
            Files.createDirectories(dataDir);
            int[] ports = freePorts(port);
            int clientPort = ports[0];
            int controllerPort = ports[1];
            Path logDir = dataDir.resolve("kraft-logs");
            Properties props = defaults(logDir, clientPort, controllerPort);
            props.putAll(SINGLE_NODE);
            props.putAll(security.brokerProperties(clientPort, controllerPort));
            props.putAll(extra);
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            format(logDir, 1, Uuid.randomUuid().toString(), security.scramArguments());
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, "127.0.0.1:" + clientPort, clientPort, controllerPort,
                    server, security.clientProperties(security.superUser(), security.superUserPassword()));
            broker.awaitReady();
            log.info("Embedded Kafka broker ready on SASL_SSL {} (data in {})", broker.bootstrapServers(), dataDir);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker in " + dataDir, e);
        }
    }

    /** Settings of a single-node cluster only (baton dev, tests), on top of {@link #defaults}. */
    private static final Map<String, String> SINGLE_NODE = Map.of(
            // The active controller appends a no-op record to the metadata log every 500 ms by default so that other
            // nodes see it alive; a single node has no one to tell, and each append is replayed by its own broker
            // (idle CPU, docs/benchmarks.md).
            "metadata.max.idle.interval.ms", "5000");

    private static Properties defaults(Path logDir, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.put("node.id", "1");
        p.put("process.roles", "broker,controller");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        // Static single voter: the controller port is chosen anew at each start.
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("log.dirs", logDir.toString());
        // A single node can only hold one replica of the internal topics.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "3");
        // Start consumer groups at once instead of waiting 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // Baton creates its topics explicitly (TopicBootstrapper); a typo must not create a topic.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // Faster, smaller segments for a laptop; compaction of view topics runs promptly.
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        p.put("share.coordinator.append.linger.ms", "0");
        // New share consumers (agents) get partitions after their first heartbeats; 5 s defaults make a new agent
        // wait 5-8 s for its first command.
        p.put("group.share.min.heartbeat.interval.ms", "500");
        p.put("group.share.heartbeat.interval.ms", "1000");
        // Agents accept a command milliseconds after acquiring it (once its started report is written). A
        // delivery whose acquisition is lost comes back when the lock expires: 5 s instead of 30 s.
        p.put("group.share.min.record.lock.duration.ms", "1000");
        p.put("group.share.record.lock.duration.ms", "5000");
        return p;
    }

    /**
     * Formats the node's data directory when needed (with the cluster id every node shares) and starts it. Returns once
     * the node runs; it serves clients after a quorum of the controllers is up: see {@link #awaitReady(Duration)}.
     * Nodes of one cluster started in one JVM must be started concurrently (a node's start waits for the quorum).
     */
    public static EmbeddedKafkaBroker startNode(ClusterNode node) {
        try {
            Files.createDirectories(node.dataDir());
            Path logDir = node.dataDir().resolve("kraft-logs");
            Properties props = defaults(logDir, 0, 0);
            props.putAll(node.brokerProperties(logDir));
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            format(logDir, node.nodeId(), node.clusterId(), List.of());
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(node.dataDir(), node.advertisedClient(),
                    node.clientPort(), node.controllerPort(), server);
            log.info("Kafka node {} of cluster {} started on {} (controller quorum {}, data in {})", node.nodeId(),
                    node.clusterId(), node.advertisedClient(), node.controllerQuorum(), node.dataDir());
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Kafka node " + node.nodeId() + " in " + node.dataDir(), e);
        }
    }

    private static void format(Path logDir, int nodeId, String clusterId, List<String> scram) throws IOException {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // already formatted: keep the cluster id and every record
        }
        Files.createDirectories(logDir);
        Formatter formatter = new Formatter()
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setClusterId(clusterId)
                .setNodeId(nodeId)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true);
        if (!scram.isEmpty()) {
            formatter.setScramArguments(scram);
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IOException("Cannot format KRaft storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        awaitReady(java.time.Duration.ofSeconds(60), 1);
    }

    /** Waits until this node serves clients and sees at least {@code brokers} brokers in the cluster. */
    public void awaitReady(java.time.Duration timeout, int brokers) {
        Properties p = new Properties();
        p.putAll(adminClient);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Exception last = null;
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= brokers) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka on " + bootstrapServers() + " did not see " + brokers
                            + " broker(s) within " + timeout.toSeconds() + " s", last);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                }
            }
        }
    }

    /**
     * The client port ({@code port}, or a free one when 0) and a free controller port, distinct: both sockets stay bound
     * until both are picked, since two lookups one after the other may be given the same port (seen in CI: "two
     * listeners on the same port").
     */
    private static int[] freePorts(int port) throws IOException {
        try (ServerSocket client = bindFree(); ServerSocket controller = bindFree()) {
            int controllerPort = controller.getLocalPort();
            if (port == controllerPort) { // a fixed client port the kernel also handed out: pick another
                try (ServerSocket other = bindFree()) {
                    controllerPort = other.getLocalPort();
                }
            }
            return new int[] {port == 0 ? client.getLocalPort() : port, controllerPort};
        }
    }

    private static ServerSocket bindFree() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return s;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client settings (besides the bootstrap servers) of a client with every right: empty unless {@link #startSecured}. */
    public Map<String, Object> adminClientProperties() {
        return adminClient;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        server.shutdown();
        server.awaitShutdown();
        log.info("Embedded Kafka broker on port {} stopped (controller port {})", port, controllerPort);
    }
}
