package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.agent.AgentConfig;
import dev.baton.alerting.Alerting;
import dev.baton.alerting.AlertingConfig;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import dev.baton.platform.KafkaAccess;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.platform.config.BatonConfig;
import dev.baton.registry.EmbeddedSchemaRegistry;
import dev.baton.scheduler.Scheduler;
import dev.baton.scheduler.SchedulerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka security pass-through, proven against a real broker: one SASL_SSL listener (SCRAM-SHA-512 over TLS with a
 * certificate made here by the JDK's keytool), Kafka's StandardAuthorizer, an admin super user, a SCRAM credential per
 * component made through the Admin API, and the ACLs of docs/operations.md ("Kafka ACLs"), read from that very table.
 * Every component (registry, coordinator, scheduler, agent, alerting, gateway) runs with its own credentials, given
 * only through the {@code kafka.*} pass-through, and a run of orders_daily succeeds through the gateway. Then single
 * ACLs are taken away: a component started without one fails at once, naming the missing permission.
 */
class KafkaSecurityEndToEndTest {
    static final String STORE_PASSWORD = "test-store-secret";
    static final Path OPERATIONS = Path.of("..", "docs", "operations.md");
    static final List<String> COMPONENTS = List.of("coordinator", "scheduler", "agent", "gateway", "alerting", "registry");

    @TempDir Path dir;
    final GatewayHttp http = new GatewayHttp();

    @Test
    void everyComponentRunsWithItsOwnCredentialsAndAMissingAclStopsItsStartNamingIt() throws Exception {
        EmbeddedKafkaBroker.SaslSsl security = tls();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startSecured(dir.resolve("kafka"), 0, security, Map.of());
            open.add(broker);
            Topics topics = Topics.withDefaultPrefix();
            List<AclBinding> acls = documentedAcls(topics.prefix());
            Map<String, Object> adminClient = new HashMap<>(broker.adminClientProperties());
            adminClient.put(BatonConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            Admin admin = Admin.create(adminClient);
            open.add(admin);

            // A component without credentials is refused by the broker (the listener really authenticates).
            Map<String, Object> anonymous = new HashMap<>(security.clientProperties("nobody", "wrong"));
            anonymous.put(BatonConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            try (Admin nobody = Admin.create(anonymous)) {
                assertThatThrownBy(() -> nobody.listTopics().names().get(30, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
            }

            List<UserScramCredentialUpsertion> users = COMPONENTS.stream()
                    .map(c -> new UserScramCredentialUpsertion(c, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password(c)))
                    .toList();
            admin.alterUserScramCredentials(List.copyOf(users)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);

            // What `baton topics --pool default` does, as the admin (the components may not create Baton's topics).
            BatonConfig adminConfig = BatonConfig.of(withKafka(Map.of(BatonConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                    BatonConfig.SCHEMA_REGISTRY_URL, "http://unused"), broker.adminClientProperties()));
            TopicBootstrapper bootstrapper = new TopicBootstrapper(admin);
            bootstrapper.ensure(topics.standard(adminConfig.topicDefaults()));
            bootstrapper.ensure(topics.pools(List.of("default"), adminConfig.topicDefaults()));

            EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), topics.schemas(), 0,
                    security.clientProperties("registry", password("registry")));
            open.add(registry);

            // Each component as `baton <component>` would run it: its credentials only through the kafka.* pass-through.
            Function<String, Map<String, Object>> config = user -> {
                Map<String, Object> m = new HashMap<>();
                m.put(BatonConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
                m.put(BatonConfig.SCHEMA_REGISTRY_URL, registry.url());
                security.clientProperties(user, password(user)).forEach((k, v) -> m.put(BatonConfig.KAFKA_PREFIX + k, v));
                return m;
            };
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Path tokens = dir.resolve("tokens");
            String token = ApiTokens.createInFiles(tokens, null, "admin", Role.ADMIN).token();
            Map<String, Function<String, AutoCloseable>> starts = Map.of(
                    "coordinator", user -> Coordinator.start(new CoordinatorConfig(with(config.apply(user),
                            CoordinatorConfig.STATE_DIR, dir.resolve("coordinator-" + System.nanoTime()).toString())), meters),
                    "scheduler", user -> Scheduler.start(new SchedulerConfig(with(config.apply(user),
                            SchedulerConfig.STATE_DIR, dir.resolve("scheduler-" + System.nanoTime()).toString())), meters),
                    "agent", user -> Agent.start(new AgentConfig(with(with(with(config.apply(user),
                            AgentConfig.WORK_DIR, dir.resolve("work").toString()), AgentConfig.SHUTDOWN_HOOK, "false"),
                            AgentConfig.ID, "secure-agent-" + System.nanoTime())), meters),
                    "alerting", user -> Alerting.start(new AlertingConfig(with(config.apply(user),
                            AlertingConfig.STATE_DIR, dir.resolve("alerting-" + System.nanoTime()).toString())), meters),
                    "gateway", user -> Gateway.start(new GatewayConfig(with(with(with(config.apply(user),
                            GatewayConfig.PORT, "0"), GatewayConfig.TOKENS_FILE, tokens.toString()),
                            GatewayConfig.STATE_DIR, dir.resolve("gateway-" + System.nanoTime()).toString())), meters));
            for (String c : List.of("coordinator", "scheduler", "agent", "alerting")) {
                open.add(starts.get(c).apply(c));
            }
            Gateway gateway = (Gateway) starts.get("gateway").apply("gateway");
            open.add(gateway);
            List<dev.baton.platform.BatonService> services = open.stream()
                    .filter(c -> c instanceof dev.baton.platform.BatonService).map(c -> (dev.baton.platform.BatonService) c).toList();
            assertThat(services).hasSize(5);
            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> services.stream().allMatch(dev.baton.platform.BatonService::ready));

            HttpResponse<String> reg = http.call(gateway.url(), token, "POST", "/api/v1/jobs", "application/yaml", DevStackEndToEndTest.ORDERS);
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
            assertThat(runOrders(gateway, token)).isEqualTo("SUCCEEDED");
            services.forEach(s -> assertThat(s.ready()).as(s.name() + " is still up").isTrue());

            // One ACL away at a time: a principal holding every documented ACL of a component but one cannot start that
            // component; the refusal names exactly what is missing. (A second principal, so the running ones keep theirs.)
            assertStartRefused(admin, acls, starts.get("coordinator"), "coordinator", ResourceType.TOPIC, topics.runRequests(),
                    AclOperation.READ, "READ on topic " + topics.runRequests());
            assertStartRefused(admin, acls, starts.get("agent"), "agent", ResourceType.TOPIC, topics.agentReports(),
                    AclOperation.WRITE, "WRITE on topic " + topics.agentReports());
            assertStartRefused(admin, acls, starts.get("scheduler"), "scheduler", ResourceType.GROUP, topics.applicationId("scheduler"),
                    AclOperation.READ, "READ on group " + topics.applicationId("scheduler"));
            assertStartRefused(admin, acls, starts.get("alerting"), "alerting", ResourceType.TRANSACTIONAL_ID,
                    topics.applicationId("alerting") + "-", AclOperation.WRITE,
                    "WRITE on transactional ids prefixed " + topics.applicationId("alerting") + "-");
            assertStartRefused(admin, acls, starts.get("gateway"), "gateway", ResourceType.TOPIC, topics.runRequests(),
                    AclOperation.WRITE, "WRITE on topic " + topics.runRequests());

            // The components with every ACL were not disturbed by the refused ones.
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

    /**
     * Gives a new principal {@code <component>-partial} every documented ACL of {@code component} but the one on that
     * resource and operation, and checks that the component, started as that principal, refuses to start naming it.
     */
    private void assertStartRefused(Admin admin, List<AclBinding> acls, Function<String, AutoCloseable> start, String component,
                                    ResourceType type, String name, AclOperation op, String expected) throws Exception {
        String user = component + "-partial";
        List<AclBinding> own = acls.stream().filter(b -> b.entry().principal().equals("User:" + component)).toList();
        List<AclBinding> partial = own.stream()
                .filter(b -> !(b.pattern().resourceType() == type && b.pattern().name().equals(name) && b.entry().operation() == op))
                .map(b -> new AclBinding(b.pattern(), new AccessControlEntry("User:" + user, b.entry().host(),
                        b.entry().operation(), b.entry().permissionType())))
                .toList();
        assertThat(partial).as("docs/operations.md grants " + component + " " + op + " on " + name).hasSize(own.size() - 1);
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password(user)))).all().get(30, TimeUnit.SECONDS);
        admin.createAcls(partial).all().get(30, TimeUnit.SECONDS);
        // ACLs and credentials reach the broker's authorizer through the metadata log: retry until they all show.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().untilAsserted(() -> {
                    AutoCloseable started = null;
                    try {
                        started = start.apply(user);
                    } catch (KafkaAccess.AccessDeniedException e) {
                        assertThat(e.missing()).containsExactly(expected);
                        assertThat(e.getMessage()).startsWith(component)
                                .contains(" cannot start: its Kafka principal lacks " + expected + " (");
                        return;
                    } finally {
                        if (started != null) {
                            started.close();
                        }
                    }
                    throw new AssertionError(component + " started without " + expected);
                });
    }

    /** The ACL table of docs/operations.md, one binding per principal, resource name and operation. */
    static List<AclBinding> documentedAcls(String prefix) throws IOException {
        String doc = Files.readString(OPERATIONS);
        String section = doc.substring(doc.indexOf("### Kafka ACLs"));
        Pattern row = Pattern.compile("^\\| (\\w+) \\| (topic|group|transactional-id) \\| (literal|prefixed) \\| (.+?) \\| ([A-Z_, ]+) \\|$",
                Pattern.MULTILINE);
        Matcher m = row.matcher(section.substring(0, section.indexOf("\nNotes:")));
        List<AclBinding> out = new ArrayList<>();
        while (m.find()) {
            ResourceType type = switch (m.group(2)) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                default -> ResourceType.TRANSACTIONAL_ID;
            };
            PatternType pattern = m.group(3).equals("literal") ? PatternType.LITERAL : PatternType.PREFIXED;
            for (String name : m.group(4).split(",")) {
                String n = name.strip().replace("`", "").replace("<prefix>", prefix);
                for (String op : m.group(5).split(",")) {
                    out.add(new AclBinding(new ResourcePattern(type, n, pattern),
                            new AccessControlEntry("User:" + m.group(1), "*", AclOperation.valueOf(op.strip()), AclPermissionType.ALLOW)));
                }
            }
        }
        assertThat(out).as("the ACL table of docs/operations.md").hasSizeGreaterThan(30);
        assertThat(out.stream().map(b -> b.entry().principal()).distinct())
                .containsExactlyInAnyOrderElementsOf(COMPONENTS.stream().map(c -> "User:" + c).toList());
        return out;
    }

    /** A self-signed certificate for 127.0.0.1 in a PKCS12 key store, and a trust store with it, by the JDK's keytool. */
    private EmbeddedKafkaBroker.SaslSsl tls() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        Path cert = dir.resolve("broker.pem");
        Path truststore = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", STORE_PASSWORD);
        return new EmbeddedKafkaBroker.SaslSsl(keystore, STORE_PASSWORD, truststore, STORE_PASSWORD, "admin", password("admin"));
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("keytool " + String.join(" ", args) + ": " + out).isZero();
    }

    private static String password(String user) {
        return user + "-scram-secret";
    }

    private static Map<String, Object> with(Map<String, Object> m, String key, String value) {
        Map<String, Object> out = new HashMap<>(m);
        out.put(key, value);
        return out;
    }

    private static Map<String, Object> withKafka(Map<String, Object> base, Map<String, Object> client) {
        Map<String, Object> out = new HashMap<>(base);
        client.forEach((k, v) -> out.put(BatonConfig.KAFKA_PREFIX + k, v));
        return out;
    }

    private String runOrders(Gateway gateway, String token) throws Exception {
        return http.runToEnd(gateway.url(), token, "orders_daily");
    }
}
