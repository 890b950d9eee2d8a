package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Tokens managed in the token file while the gateway runs (created, scoped, expired, revoked: no restart), job
 * scopes enforced on every route that names a job or a run and on the lists, and the audit trail read back through
 * {@code GET /api/v1/audit} with its filters and cursor. Real broker, registry, coordinator; a fake agent.
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokensAndAuditEndToEndTest {
    static final String NOOP = """
            name: %s
            steps:
              - { key: one, noop: {} }
            """;

    Path tokens;
    Coordinator coordinator;
    FakeAgent agent;
    Gateway gateway;
    Rest rest;
    String admin;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        Topics topics = cluster.createTopics(cluster.newTopics("tokens"));
        Map<String, Object> cc = new HashMap<>(cluster.config(topics));
        cc.put(CoordinatorConfig.STATE_DIR, dir.resolve("coordinator").toString());
        coordinator = Coordinator.start(new CoordinatorConfig(cc), new SimpleMeterRegistry());
        agent = new FakeAgent(cluster, topics, "default", c -> FakeAgent.Outcome.SUCCEED);

        tokens = dir.resolve("etc").resolve("tokens"); // does not exist yet: the gateway must start anyway
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put(GatewayConfig.TOKENS_FILE, tokens.toString());
        gc.put(GatewayConfig.TOKENS_RELOAD_MS, 100L);
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
        rest = new Rest(vertx, gateway.port());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));

        admin = create("admin", Role.ADMIN, null, JobScope.ALL);
        for (String job : List.of("orders_daily", "orders_hourly", "billing_nightly")) {
            Rest.Response r = rest.post("/api/v1/jobs", admin, "application/yaml", NOOP.formatted(job));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {rest, gateway, agent, coordinator}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    /** Creates a token in the file and waits until the running gateway accepts it. */
    String create(String name, Role role, Instant expires, JobScope scope) {
        String token = TokenFile.create(tokens, name, role, expires, scope, Instant.now()).token();
        await().atMost(Duration.ofSeconds(30)).until(() -> rest.get("/api/v1/runs?limit=1", token).status() == 200);
        return token;
    }

    String trigger(String job, String token) {
        Rest.Response r = rest.postJson("/api/v1/jobs/" + job + "/runs", token, Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.json().get("runId").asText();
    }

    void awaitSucceeded(String runId) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Rest.Response r = rest.get("/api/v1/runs/" + runId, admin);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().get("status").asText()).isEqualTo("SUCCEEDED");
        });
    }

    static List<String> values(JsonNode page, String field) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(i -> out.add(i.path(field).asText()));
        return out;
    }

    /** The page's nextCursor, or null (JSON null or left out). */
    static String cursor(JsonNode page) {
        JsonNode c = page.path("nextCursor");
        return c.isTextual() ? c.asText() : null;
    }

    @Test
    void aViewerScopedToOneJobCannotSeeAnotherJobsRuns() {
        String daily = trigger("orders_daily", admin);
        String hourly = trigger("orders_hourly", admin);
        String billing = trigger("billing_nightly", admin);
        awaitSucceeded(daily);
        awaitSucceeded(hourly);
        awaitSucceeded(billing);
        String vera = create("vera", Role.VIEWER, null, JobScope.parse("orders_daily"));

        // lists leave other jobs out
        assertThat(values(rest.get("/api/v1/runs", admin).json(), "runId")).contains(daily, hourly, billing);
        assertThat(values(rest.get("/api/v1/runs", vera).json(), "runId")).containsExactly(daily);
        assertThat(values(rest.get("/api/v1/runs?status=SUCCEEDED", vera).json(), "runId")).containsExactly(daily);
        assertThat(values(rest.get("/api/v1/runs?job=billing_nightly", vera).json(), "runId")).isEmpty();
        assertThat(values(rest.get("/api/v1/jobs", vera).json(), "name")).containsExactly("orders_daily");

        // paths naming another job or its runs answer 404, as for something that does not exist
        assertThat(rest.get("/api/v1/runs/" + daily, vera).status()).isEqualTo(200);
        Rest.Response hidden = rest.get("/api/v1/runs/" + billing, vera);
        assertThat(hidden.status()).as(hidden.toString()).isEqualTo(404);
        assertThat(hidden.json().get("code").asText()).isEqualTo("not_found");
        assertThat(rest.get("/api/v1/runs/" + billing + "/events", vera).status()).isEqualTo(404);
        assertThat(rest.get("/api/v1/runs/" + hourly + "/logs", vera).status()).isEqualTo(404);
        assertThat(rest.get("/api/v1/jobs/billing_nightly", vera).status()).isEqualTo(404);
        assertThat(rest.get("/api/v1/jobs/orders_daily", vera).status()).isEqualTo(200);

        // a scoped operator acts on its jobs only; a glob scope pages across the unfiltered list
        String otto = create("otto", Role.OPERATOR, null, JobScope.parse("orders_*"));
        assertThat(rest.postJson("/api/v1/jobs/billing_nightly/runs", otto, Map.of()).status()).isEqualTo(404);
        assertThat(rest.postJson("/api/v1/runs/" + billing + "/retry", otto, Map.of()).status()).isEqualTo(404);
        String mine = trigger("orders_hourly", otto);
        awaitSucceeded(mine);
        JsonNode first = rest.get("/api/v1/runs?limit=2", otto).json();
        assertThat(values(first, "runId")).containsExactly(mine, hourly);
        JsonNode second = rest.get("/api/v1/runs?limit=2&cursor=" + cursor(first), otto).json();
        assertThat(values(second, "runId")).containsExactly(daily);
        assertThat(cursor(second)).isNull();
    }

    @Test
    void revokedAndExpiredTokensGet401SayingSoWithoutARestart() throws Exception {
        String rita = create("rita", Role.OPERATOR, null, JobScope.ALL);
        TokenFile.revoke(tokens, "rita", Instant.now());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Rest.Response r = rest.get("/api/v1/runs", rita);
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(r.json().get("reason").asText()).isEqualTo("revoked");
            assertThat(r.json().get("message").asText()).contains("rita").contains("revoked");
        });

        ApiTokens.NewToken old = ApiTokens.create("old", Role.ADMIN);
        Instant past = Instant.now().minusSeconds(60);
        Files.writeString(tokens, new TokenFile.Entry("old", Role.ADMIN, old.sha256(), past.minusSeconds(3600), past,
                JobScope.ALL, null).line() + "\n", StandardOpenOption.APPEND);
        String marker = create("marker", Role.VIEWER, null, JobScope.ALL); // the file was re-read after the line above
        assertThat(marker).isNotBlank();
        Rest.Response expired = rest.get("/api/v1/runs", old.token());
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.json().get("reason").asText()).isEqualTo("expired");
        assertThat(expired.json().get("code").asText()).isEqualTo("unauthorized");

        Rest.Response unknown = rest.get("/api/v1/runs", "baton_nope");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().get("reason").asText()).isEqualTo("unknown");
    }

    @Test
    void theAuditEndpointReturnsTheActionsJustPerformedWithFiltersAndACursor() {
        Instant from = Instant.now().minusSeconds(1);
        String ada = create("ada", Role.OPERATOR, null, JobScope.parse("orders_*"));
        String r1 = trigger("orders_daily", ada);
        String r2 = trigger("orders_hourly", ada);
        assertThat(rest.postJson("/api/v1/jobs/billing_nightly/runs", ada, Map.of()).status()).isEqualTo(404);
        assertThat(rest.postJson("/api/v1/jobs/orders_daily/runs", "baton_nope", Map.of()).status()).isEqualTo(401);

        String q = "/api/v1/audit?actor=ada&from=" + from;
        JsonNode all = rest.get(q, admin).json();
        assertThat(values(all, "action")).containsExactly("runs.trigger", "runs.trigger", "runs.trigger");
        assertThat(values(all, "status")).containsExactly("202", "202", "404");
        assertThat(values(all, "runId")).startsWith(r1, r2);
        assertThat(values(all, "resource")).containsExactly("jobs/orders_daily", "jobs/orders_hourly", "jobs/billing_nightly");
        assertThat(all.get("items").get(0).get("role").asText()).isEqualTo("operator");

        // paging: one record per page, in the same order, then no cursor
        List<String> paged = new ArrayList<>();
        String cursor = null;
        for (int i = 0; i < 10; i++) {
            JsonNode page = rest.get(q + "&limit=1" + (cursor == null ? "" : "&cursor=" + cursor), admin).json();
            paged.addAll(values(page, "eventId"));
            cursor = cursor(page);
            if (cursor == null) {
                break;
            }
        }
        assertThat(paged).isEqualTo(values(all, "eventId"));

        assertThat(values(rest.get("/api/v1/audit?action=runs.trigger&actor=anonymous&from=" + from, admin).json(), "status"))
                .containsExactly("401");
        assertThat(values(rest.get("/api/v1/audit?action=jobs.*&actor=ada&from=" + from, admin).json(), "eventId")).isEmpty();
        assertThat(values(rest.get("/api/v1/audit?actor=ada&to=" + from, admin).json(), "eventId")).isEmpty();
        assertThat(rest.get("/api/v1/audit?from=yesterday", admin).status()).isEqualTo(400);
        assertThat(rest.get("/api/v1/audit?cursor=bm9wZQ", admin).status()).isEqualTo(400);

        Rest.Response forbidden = rest.get("/api/v1/audit", ada);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().get("code").asText()).isEqualTo("forbidden");
    }
}
