package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.AcknowledgeIncident;
import dev.baton.events.AlertCondition;
import dev.baton.events.AlertDestination;
import dev.baton.events.AlertSeverity;
import dev.baton.events.AlertWebhook;
import dev.baton.events.Incident;
import dev.baton.events.IncidentCommand;
import dev.baton.events.IncidentStatus;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incident endpoints against the real broker: incidents as the alerting component publishes them on
 * {@code incidents-latest}, listed with filters and scopes, shown, and acknowledged through {@code incident-control}
 * (no alerting component here: the command on the topic is what the gateway does).
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentApiEndToEndTest {
    static final Instant T0 = Instant.parse("2026-12-06T01:00:00Z");
    final ApiTokens.NewToken operator = ApiTokens.create("ops", Role.OPERATOR);
    final ApiTokens.NewToken viewer = ApiTokens.create("watcher", Role.VIEWER);

    Topics topics;
    TestCluster cluster;
    Gateway gateway;
    Rest rest;
    TopicProbe<IncidentCommand> commands;

    static Incident incident(String id, String job, IncidentStatus status, Instant openedAt) {
        return Incident.newBuilder().setIncidentId(id).setRuleId(job == null ? "global:lost" : "job:" + job + "/run_failed")
                .setRuleName(job == null ? "lost" : "run_failed")
                .setCondition(job == null ? AlertCondition.AGENT_LOST : AlertCondition.RUN_FAILED)
                .setSeverity(AlertSeverity.WARNING).setJob(job).setSubject(job == null ? "agent-1" : null).setStatus(status)
                .setOccurrences(3).setOpenedAt(openedAt).setLastOccurredAt(openedAt.plusSeconds(60)).setMessage("Run r3 failed")
                .setLastRunId("r3").setEscalated(false).setAcknowledgedAt(null).setAcknowledgedBy(null)
                .setResolvedAt(status == IncidentStatus.RESOLVED ? openedAt.plusSeconds(120) : null)
                .setResolution(status == IncidentStatus.RESOLVED ? "run r4 succeeded" : null)
                .setDestinations(List.of(new AlertDestination(new AlertWebhook("http://127.0.0.1:1/secret-path", Map.of()))))
                .build();
    }

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        this.cluster = cluster;
        topics = cluster.createTopics(cluster.newTopics("incidentapi"));
        try (TestProducer p = new TestProducer(cluster)) {
            for (Incident i : List.of(
                    incident("inc-0000000000000001", "orders_daily", IncidentStatus.OPEN, T0),
                    incident("inc-0000000000000002", "billing", IncidentStatus.RESOLVED, T0.plusSeconds(10)),
                    incident("inc-0000000000000003", null, IncidentStatus.OPEN, T0.plusSeconds(20)),
                    incident("inc-0000000000000004", "orders_daily", IncidentStatus.RESOLVED, T0.minusSeconds(100)))) {
                p.send(topics.incidentsLatest(), i.getIncidentId(), i);
            }
        }
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put("token.ops", operator.envValue());
        gc.put("token.watcher", viewer.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
        rest = new Rest(vertx, gateway.port());
        commands = TopicProbe.avro(cluster, topics.incidentControl(), IncidentCommand.class);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {commands, rest, gateway}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(i -> out.add(i.get("incidentId").asText()));
        return out;
    }

    @Test
    void listsNewestFirstWithFiltersAndPages() {
        Rest.Response all = rest.get("/api/v1/incidents", viewer.token());
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(ids(all.json())).containsExactly("inc-0000000000000003", "inc-0000000000000002", "inc-0000000000000001",
                "inc-0000000000000004");
        assertThat(ids(rest.get("/api/v1/incidents?status=OPEN", viewer.token()).json()))
                .containsExactly("inc-0000000000000003", "inc-0000000000000001");
        assertThat(ids(rest.get("/api/v1/incidents?status=resolved&job=orders_daily", viewer.token()).json()))
                .containsExactly("inc-0000000000000004");
        JsonNode first = rest.get("/api/v1/incidents?limit=3", viewer.token()).json();
        assertThat(ids(first)).hasSize(3);
        JsonNode second = rest.get("/api/v1/incidents?limit=3&cursor=" + first.get("nextCursor").asText(), viewer.token()).json();
        assertThat(ids(second)).containsExactly("inc-0000000000000004");
        assertThat(second.get("nextCursor")).isNull();
        Rest.Response bad = rest.get("/api/v1/incidents?status=CLOSED", viewer.token());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("message").asText()).contains("status must be OPEN, ACKNOWLEDGED or RESOLVED");
    }

    @Test
    void showsOneIncidentWithoutDestinationURLs() {
        Rest.Response r = rest.get("/api/v1/incidents/inc-0000000000000001", viewer.token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode i = r.json();
        assertThat(i.get("job").asText()).isEqualTo("orders_daily");
        assertThat(i.get("condition").asText()).isEqualTo("run_failed");
        assertThat(i.get("status").asText()).isEqualTo("OPEN");
        assertThat(i.get("occurrences").asInt()).isEqualTo(3);
        assertThat(i.get("openedAt").asText()).isEqualTo("2026-12-06T01:00:00Z");
        assertThat(i.get("destinations").toString()).isEqualTo("[\"webhook\"]");
        assertThat(r.text()).doesNotContain("secret-path");
        assertThat(rest.get("/api/v1/incidents/inc-nope", viewer.token()).status()).isEqualTo(404);
    }

    @Test
    void acknowledgingSendsACommandForOpenIncidentsOnly() {
        assertThat(rest.postJson("/api/v1/incidents/inc-0000000000000001/ack", viewer.token(), Map.of()).status())
                .isEqualTo(403);
        Rest.Response ok = rest.postJson("/api/v1/incidents/inc-0000000000000001/ack", operator.token(), Map.of("note", "looking"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(202);
        assertThat(ok.json().get("acknowledgedBy").asText()).isEqualTo("ops");
        IncidentCommand c = commands.await(x -> x.getIncidentId().equals("inc-0000000000000001"));
        assertThat(c.getActor()).isEqualTo("ops");
        assertThat(c.getCommand()).isEqualTo(new AcknowledgeIncident("looking"));

        Rest.Response resolved = rest.postJson("/api/v1/incidents/inc-0000000000000002/ack", operator.token(), Map.of());
        assertThat(resolved.status()).isEqualTo(409);
        assertThat(resolved.json().get("message").asText()).isEqualTo("incident inc-0000000000000002 is already resolved");
        assertThat(rest.postJson("/api/v1/incidents/inc-nope/ack", operator.token(), Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aJobScopedTokenSeesOnlyItsJobsIncidents() throws Exception {
        Path file = java.nio.file.Files.createTempFile("tokens", "");
        // A scoped viewer through a second gateway with a token file.
        String token = TokenFile.create(file, "vera", Role.VIEWER, null, JobScope.parse("orders_*"), Instant.now()).token();
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, java.nio.file.Files.createTempDirectory("gw").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put(GatewayConfig.TOKENS_FILE, file.toString());
        Vertx own = Vertx.vertx();
        try (Gateway g = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
             Rest r = new Rest(own, g.port())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> r.get("/api/v1/incidents", token).status() == 200);
            assertThat(ids(r.get("/api/v1/incidents", token).json()))
                    .containsExactly("inc-0000000000000001", "inc-0000000000000004");
            assertThat(r.get("/api/v1/incidents/inc-0000000000000002", token).status()).isEqualTo(404);
        } finally {
            own.close();
        }
    }
}
