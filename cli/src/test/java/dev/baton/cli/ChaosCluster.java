package dev.baton.cli;

import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * The chaos suite's cluster, every part a separate JVM of the real {@code baton} commands: three KRaft brokers (a
 * static controller quorum; topics with replication factor 3 and min.insync.replicas 2, Baton's default on three
 * brokers), the schema registry, two coordinators, two schedulers, two gateways and two agents (each serving pools
 * "eu" and "us", so either can take the other's work). It also keeps what the checker reads: every record of
 * {@code baton.run-events} and {@code baton.run-requests} from offset 0, with the wall-clock time this JVM saw it.
 */
final class ChaosCluster implements AutoCloseable {
    static final List<String> POOLS = List.of("eu", "us");
    static final String SENSOR_TOPIC = "chaos.orders";
    static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    /** A record the test JVM consumed, with when it saw it. */
    record Seen<T>(long seenAtMs, int partition, long offset, T value) {}

    final Path dir;
    final BatonProcesses processes = new BatonProcesses("chaos");
    final GatewayHttp http = new GatewayHttp();
    final Topics topics = Topics.withDefaultPrefix();
    final Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();
    String bootstrap;
    String registryUrl;
    String token;
    final List<String> gatewayUrls = new ArrayList<>();
    private final List<Seen<RunEvent>> runEvents = Collections.synchronizedList(new ArrayList<>());
    private final List<Seen<RunRequest>> runRequests = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> readers = new ArrayList<>();
    /** The run-events reader's position per partition (the next offset it will read). */
    private final Map<Integer, Long> runEventsPositions = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closing;

    private ChaosCluster(Path dir) {
        this.dir = dir;
    }

    static ChaosCluster start(Path dir) throws Exception {
        ChaosCluster c = new ChaosCluster(dir);
        try {
            c.startAll();
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void startAll() throws Exception {
        // Three brokers, started together (each node's start waits for the controller quorum).
        StringBuilder quorum = new StringBuilder();
        Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            controllerPorts.put(id, BatonProcesses.freePort());
            brokerPorts.put(id, BatonProcesses.freePort());
            quorum.append(id > 1 ? "," : "").append(id).append("@127.0.0.1:").append(controllerPorts.get(id));
        }
        for (int id = 1; id <= 3; id++) {
            int m = BatonProcesses.freePort();
            processes.start(broker(id), m, "broker", List.of("--node-id", String.valueOf(id), "--controller-quorum",
                    quorum.toString(), "--port", String.valueOf(brokerPorts.get(id)), "--metrics-port", String.valueOf(m),
                    "--data-dir", dir.resolve("kafka-" + id).toString(),
                    // A killed node just goes (as in a crash), and at teardown the last nodes do not wait for a
                    // controller that is already gone to approve their shutdown.
                    "--broker-set", "controlled.shutdown.enable=false"));
        }
        bootstrap = brokerPorts.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        awaitBrokers();

        int registryPort = BatonProcesses.freePort();
        int registryMetrics = BatonProcesses.freePort();
        processes.start("registry", registryMetrics, "registry", List.of("--bootstrap-servers", bootstrap,
                "--port", String.valueOf(registryPort), "--metrics-port", String.valueOf(registryMetrics)));
        processes.awaitHealthy("registry", START_TIMEOUT);
        registryUrl = "http://127.0.0.1:" + registryPort;

        List<String> common = List.of("--bootstrap-servers", bootstrap, "--registry-url", registryUrl);
        List<String> topicsCmd = new ArrayList<>(common);
        POOLS.forEach(p -> topicsCmd.addAll(List.of("--pool", p)));
        if (processes.runToEnd("topics", "topics", topicsCmd, Duration.ofMinutes(3)) != 0) {
            throw new IllegalStateException("baton topics failed; see cli/target/chaos-topics.log");
        }
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(SENSOR_TOPIC, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(60, TimeUnit.SECONDS);
        }
        startReader(topics.runEvents(), RunEvent.class, runEvents, runEventsPositions);
        startReader(topics.runRequests(), RunRequest.class, runRequests, new java.util.concurrent.ConcurrentHashMap<>());

        // Two of every component, in two waves: the four Kafka Streams group members (coordinators, schedulers)
        // together, then the agents and gateways together. Nothing orders them but the topics (made above): started
        // one after the other, each healthy before the next, the eight took minutes on a loaded 2-core machine, mostly
        // waiting; twelve JVM start-ups at once starve each other there, so not everything at once either.
        Path tokens = dir.resolve("tokens");
        token = ApiTokens.createInFiles(tokens, null, "admin", Role.ADMIN).token();
        List<String> firstWave = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            int m = BatonProcesses.freePort();
            processes.start(coordinator(i), m, "coordinator", concat(common, "--metrics-port", String.valueOf(m),
                    "--set", "coordinator.state.dir=" + dir.resolve("coordinator-" + i),
                    "--set", "coordinator.threads=1",
                    // Heartbeat timeout and interval stay at their defaults (30 s, 5 s): at 6-10 s, on a shared 2-core
                    // machine, agent reports waited in the coordinator's input backlog past the deadline and attempts
                    // that had finished were declared lost (docs/reliability.md, findings).
                    "--set", "coordinator.standby.replicas=1"));
            firstWave.add(coordinator(i));
        }
        for (int i = 1; i <= 2; i++) {
            int m = BatonProcesses.freePort();
            processes.start(scheduler(i), m, "scheduler", concat(common, "--metrics-port", String.valueOf(m),
                    "--set", "scheduler.state.dir=" + dir.resolve("scheduler-" + i),
                    "--set", "scheduler.instance.id=" + scheduler(i)));
            firstWave.add(scheduler(i));
        }
        processes.awaitHealthy(firstWave, START_TIMEOUT);
        List<String> secondWave = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            int m = BatonProcesses.freePort();
            List<String> args = new ArrayList<>(common);
            POOLS.forEach(p -> args.addAll(List.of("--pool", p)));
            args.addAll(List.of("--region", "region-" + i, "--slots", "8", "--metrics-port", String.valueOf(m),
                    "--set", "agent.id=" + agent(i), "--set", "agent.work.dir=" + dir.resolve("work-" + i)));
            processes.start(agent(i), m, "agent", args);
            secondWave.add(agent(i));
        }
        for (int i = 1; i <= 2; i++) {
            int port = BatonProcesses.freePort();
            processes.start(gateway(i), port, "gateway", concat(common, "--set", "gateway.port=" + port,
                    "--set", "gateway.state.dir=" + dir.resolve("gateway-" + i),
                    "--set", "gateway.application.id=" + topics.prefix() + "gateway-" + i,
                    "--set", "gateway.tokens.file=" + tokens));
            secondWave.add(gateway(i));
            gatewayUrls.add("http://127.0.0.1:" + port);
        }
        processes.awaitHealthy(secondWave, START_TIMEOUT);
    }

    /** Waits until the three brokers answer /health and all three are in the cluster's metadata. */
    void awaitBrokers() {
        processes.awaitHealthy(brokers(), START_TIMEOUT);
        try (Admin admin = admin()) {
            Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
                    admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3);
        }
    }

    /** Registers a job through the first gateway and waits until the second one shows it. */
    void register(String yaml, String name) throws Exception {
        HttpResponse<String> r = http.call(gatewayUrls.get(0), token, "POST", "/api/v1/jobs", "application/yaml", yaml);
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new AssertionError("registering " + name + ": " + r.statusCode() + " " + r.body());
        }
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() ->
                http.call(gatewayUrls.get(1), token, "GET", "/api/v1/jobs/" + name, null, null).statusCode() == 200);
    }

    static String broker(int id) { return "broker-" + id; }
    static String coordinator(int i) { return "coordinator-" + i; }
    static String scheduler(int i) { return "scheduler-" + i; }
    static String agent(int i) { return "agent-" + i; }
    static String gateway(int i) { return "gateway-" + i; }

    static List<String> brokers() {
        return List.of(broker(1), broker(2), broker(3));
    }

    static List<String> components() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            out.addAll(List.of(coordinator(i), scheduler(i), agent(i), gateway(i)));
        }
        return out;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    /** The broker leading most partitions of the hot topics (run requests and events, agent reports, pool commands). */
    int busiestBroker() throws Exception {
        List<String> hot = new ArrayList<>(List.of(topics.runEvents(), topics.runRequests(), topics.agentReports()));
        POOLS.forEach(p -> hot.add(topics.commands(p)));
        try (Admin admin = admin()) {
            Map<String, TopicDescription> d = admin.describeTopics(hot).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> leading = d.values().stream().flatMap(t -> t.partitions().stream())
                    .filter(p -> p.leader() != null)
                    .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
            return leading.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    /** Every partition of every topic has all three replicas in sync again. */
    boolean fullyReplicated() throws Exception {
        try (Admin admin = admin()) {
            var names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            return admin.describeTopics(names).allTopicNames().get(20, TimeUnit.SECONDS).values().stream()
                    .flatMap(t -> t.partitions().stream()).allMatch(p -> p.isr().size() == p.replicas().size());
        }
    }

    /**
     * Waits until the test's reader of {@code baton.run-events} has read everything committed to it when this was
     * called (the last stable offset of each partition): what it then shows is the log as of that moment, not a
     * lagging view of it.
     */
    void awaitRunEventsCaughtUp(Duration atMost) throws Exception {
        Map<TopicPartition, Long> ends;
        try (Admin admin = admin()) {
            var parts = admin.describeTopics(List.of(topics.runEvents())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topics.runEvents()).partitions().stream()
                    .collect(Collectors.toMap(i -> new TopicPartition(topics.runEvents(), i.partition()), i -> OffsetSpec.latest()));
            ends = admin.listOffsets(parts, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> ends.entrySet().stream()
                .allMatch(e -> runEventsPositions.getOrDefault(e.getKey().partition(), 0L) >= e.getValue()));
    }

    /**
     * The Kafka transactions of a Kafka Streams process (coordinator), found by the process id Streams keeps in its
     * state directory ({@code kafka-streams-process-metadata}): transactional id, state, producer id and epoch, partitions.
     */
    List<String> transactionsOf(Path stateDir) throws Exception {
        String processId;
        try (var walk = java.nio.file.Files.walk(stateDir)) {
            Path meta = walk.filter(f -> f.getFileName().toString().equals("kafka-streams-process-metadata")).findFirst().orElse(null);
            if (meta == null) {
                return List.of("no process metadata under " + stateDir);
            }
            var m = java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                    .matcher(java.nio.file.Files.readString(meta));
            if (!m.find()) {
                return List.of("no process id in " + meta);
            }
            processId = m.group();
        }
        try (Admin admin = admin()) {
            List<String> ids = admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                    .map(l -> l.transactionalId()).filter(id -> id.contains(processId)).sorted().toList();
            if (ids.isEmpty()) {
                return List.of();
            }
            return admin.describeTransactions(ids).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey().substring(e.getKey().indexOf(processId) + processId.length()) + " " + e.getValue().state()
                            + " producer " + e.getValue().producerId() + " epoch " + e.getValue().producerEpoch()
                            + " partitions " + e.getValue().topicPartitions().size())
                    .toList();
        }
    }

    List<Seen<RunEvent>> runEvents() {
        synchronized (runEvents) {
            return List.copyOf(runEvents);
        }
    }

    List<Seen<RunRequest>> runRequests() {
        synchronized (runRequests) {
            return List.copyOf(runRequests);
        }
    }

    /** Reads a topic from offset 0 (read_committed, no consumer group: no rebalance ever rewinds it) in a thread. */
    private <T extends SpecificRecord> void startReader(String topic, Class<T> type, List<Seen<T>> into,
                                                        Map<Integer, Long> positions) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroSerde<T> serde = AvroSerde.forValues(type, Map.of("schema.registry.url", registryUrl));
        KafkaConsumer<String, T> consumer = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Thread t = Thread.ofPlatform().daemon().name("chaos-reader-" + topic).start(() -> {
            try (consumer) {
                while (!closing) {
                    try {
                        for (var r : consumer.poll(Duration.ofMillis(100))) {
                            into.add(new Seen<>(System.currentTimeMillis(), r.partition(), r.offset(), r.value()));
                        }
                        for (TopicPartition tp : parts) {
                            positions.put(tp.partition(), consumer.position(tp, Duration.ofSeconds(5)));
                        }
                    } catch (org.apache.kafka.common.errors.WakeupException e) {
                        return;
                    } catch (RuntimeException e) {
                        // a broker away or the registry restarting: the next poll goes on from the same position
                        System.err.println("chaos reader " + topic + ": " + e);
                    }
                }
            }
        });
        readers.add(t);
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    @Override
    public void close() {
        closing = true;
        for (Thread t : readers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.close();
    }
}
