package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.AgentConfig;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.kafka.embedded.ClusterNode;
import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.platform.config.BatonConfig;
import dev.baton.registry.EmbeddedSchemaRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-node KRaft cluster (three {@code baton broker} nodes with a static controller quorum, in this JVM):
 * every topic Baton creates (its own and the Kafka Streams changelogs) has replication factor 3 and
 * {@code min.insync.replicas} 2 without any replication setting, a run of orders_daily succeeds through the gateway,
 * and after one broker is stopped a second run still succeeds.
 */
class ThreeBrokerClusterTest {
    @TempDir Path dir;
    final GatewayHttp http = new GatewayHttp();

    @Test
    void topicsAreReplicatedThreeTimesAndRunsSurviveTheLossOfABroker() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            List<EmbeddedKafkaBroker> brokers = startCluster(3);
            open.addAll(brokers);
            String bootstrap = brokers.stream().map(EmbeddedKafkaBroker::bootstrapServers).collect(Collectors.joining(","));
            Topics topics = Topics.withDefaultPrefix();
            EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(bootstrap, topics.schemas(), 0);
            open.add(registry);

            // No replication setting anywhere: the default (0) means min(3, brokers).
            Map<String, Object> base = new HashMap<>();
            base.put(BatonConfig.BOOTSTRAP_SERVERS, bootstrap);
            base.put(BatonConfig.SCHEMA_REGISTRY_URL, registry.url());
            BatonConfig common = BatonConfig.of(base);
            assertThat(common.topicDefaults().replicationFactor()).isEqualTo((short) 3);
            try (Admin admin = Admin.create(common.kafkaClient())) {
                TopicBootstrapper b = new TopicBootstrapper(admin);
                b.ensure(topics.standard(common.topicDefaults())); // what `baton topics` does
                b.ensure(topics.pools(List.of("default"), common.topicDefaults()));
            }

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Map<String, Object> c = new HashMap<>(base);
            c.put(CoordinatorConfig.STATE_DIR, dir.resolve("coordinator").toString());
            open.add(Coordinator.start(new CoordinatorConfig(c), meters));
            Map<String, Object> a = new HashMap<>(base);
            a.put(AgentConfig.ID, "cluster-agent");
            a.put(AgentConfig.WORK_DIR, dir.resolve("work").toString());
            a.put(AgentConfig.SHUTDOWN_HOOK, "false");
            open.add(Agent.start(new AgentConfig(a), meters));
            Path tokens = dir.resolve("tokens");
            String token = ApiTokens.createInFiles(tokens, null, "admin", Role.ADMIN).token();
            Map<String, Object> g = new HashMap<>(base);
            g.put(GatewayConfig.PORT, "0");
            g.put(GatewayConfig.TOKENS_FILE, tokens.toString());
            g.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
            Gateway gateway = Gateway.start(new GatewayConfig(g), meters);
            open.add(gateway);

            try (Admin admin = Admin.create(common.kafkaClient())) {
                assertReplicated(admin, topics);
            }

            HttpResponse<String> reg = http.call(gateway.url(), token, "POST", "/api/v1/jobs", "application/yaml", DevStackEndToEndTest.ORDERS);
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
            assertThat(runOrders(gateway, token)).isEqualTo("SUCCEEDED");

            // One broker goes away without a controlled shutdown (leadership of its partitions moves after the broker
            // session times out; min.insync.replicas 2 of 3 still accepts writes).
            brokers.getFirst().close();
            assertThat(runOrders(gateway, token)).isEqualTo("SUCCEEDED");
        } finally {
            for (AutoCloseable c : open.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort: the next one still gets closed
                }
            }
        }
    }

    /** Every topic under the prefix, internal Streams topics included, has 3 replicas and min.insync.replicas 2. */
    private static void assertReplicated(Admin admin, Topics topics) throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Set<String> names = admin.listTopics().names().get().stream()
                    .filter(t -> t.startsWith("baton.")).collect(Collectors.toSet());
            assertThat(names).as("a Kafka Streams changelog is among them").anyMatch(t -> t.contains("changelog"));
            assertThat(names).contains(topics.runEvents(), topics.runRequests(), topics.commands("default"), topics.schemas());
            Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get();
            d.values().forEach(t -> assertThat(t.partitions().getFirst().replicas()).as(t.name()).hasSize(3));
            List<ConfigResource> rs = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(rs).all().get();
            configs.forEach((r, cfg) -> assertThat(cfg.get("min.insync.replicas").value()).as(r.name()).isEqualTo("2"));
        });
    }

    private String runOrders(Gateway gateway, String token) throws Exception {
        return http.runToEnd(gateway.url(), token, "orders_daily");
    }

    /** Starts {@code n} nodes of one cluster concurrently (a node's start waits for the controller quorum). */
    private List<EmbeddedKafkaBroker> startCluster(int n) throws Exception {
        List<Integer> controllerPorts = new ArrayList<>();
        List<Integer> clientPorts = new ArrayList<>();
        StringBuilder quorum = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            controllerPorts.add(freePort());
            clientPorts.add(freePort());
            quorum.append(i > 1 ? "," : "").append(i).append("@127.0.0.1:").append(controllerPorts.get(i - 1));
        }
        List<CompletableFuture<EmbeddedKafkaBroker>> starts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ClusterNode node = new ClusterNode(i, quorum.toString(), clientPorts.get(i - 1), null, null,
                    dir.resolve("kafka-" + i), null,
                    // A stopped node just goes (like a crash); and once the quorum is lost at teardown, the last nodes
                    // do not wait 5 minutes for a controller to approve their shutdown.
                    Map.of("controlled.shutdown.enable", "false"));
            starts.add(CompletableFuture.supplyAsync(() -> EmbeddedKafkaBroker.startNode(node)));
        }
        List<EmbeddedKafkaBroker> brokers = new ArrayList<>();
        for (var f : starts) {
            brokers.add(f.get());
        }
        brokers.getFirst().awaitReady(Duration.ofSeconds(60), n);
        return brokers;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
