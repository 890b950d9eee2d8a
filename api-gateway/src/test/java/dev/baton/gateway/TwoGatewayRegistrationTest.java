package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways (two Gateway starts in one JVM, own HTTP ports and read models) against one broker: job registration
 * is decided by the one shared job registry, so conflicting registrations at the same moment have exactly one
 * winner, and concurrent new versions of one job get distinct, increasing versions.
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoGatewayRegistrationTest {
    static final String PRODUCER_OF = """
            name: %s
            steps:
              - { key: load, noop: {}, produces: [%s] }
            """;

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final ExecutorService callers = Executors.newFixedThreadPool(2);

    Gateway a, b;
    Rest restA, restB;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        Topics topics = cluster.createTopics(cluster.newTopics("twogw"));
        a = gateway(cluster, topics, dir, "a");
        b = gateway(cluster, topics, dir, "b");
        restA = new Rest(vertx, a.port());
        restB = new Rest(vertx, b.port());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(restA.get("/health", null).status()).isEqualTo(200);
            assertThat(restB.get("/health", null).status()).isEqualTo(200);
        });
    }

    Gateway gateway(TestCluster cluster, Topics topics, Path dir, String name) {
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway-" + name).toString());
        // Each gateway keeps its own complete read model; the job registry's id is shared by design.
        gc.put(GatewayConfig.APPLICATION_ID, topics.applicationId("gateway-" + name));
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put("token.admin", admin.envValue());
        return Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
    }

    @AfterAll
    void stop() {
        callers.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {restA, restB, a, b}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing
            }
        }
    }

    Rest.Response register(Rest rest, String yaml) {
        return rest.post("/api/v1/jobs", admin.token(), "application/yaml", yaml);
    }

    /** Sends both registrations at the same moment, one per gateway. */
    List<Rest.Response> together(String viaA, String viaB) {
        CyclicBarrier start = new CyclicBarrier(2);
        CompletableFuture<Rest.Response> fa = CompletableFuture.supplyAsync(() -> {
            arrive(start);
            return register(restA, viaA);
        }, callers);
        CompletableFuture<Rest.Response> fb = CompletableFuture.supplyAsync(() -> {
            arrive(start);
            return register(restB, viaB);
        }, callers);
        return List.of(fa.join(), fb.join());
    }

    static void arrive(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(1)
    void twoJobsProducingTheSameAssetAtTheSameMomentHaveExactlyOneWinnerAndTheOtherGets409() {
        for (int round = 0; round < 3; round++) {
            String asset = "race/asset" + round;
            String left = "left" + round;
            String right = "right" + round;
            List<Rest.Response> answers = together(PRODUCER_OF.formatted(left, asset), PRODUCER_OF.formatted(right, asset));

            assertThat(answers).extracting(Rest.Response::status).as("%s", answers).containsExactlyInAnyOrder(201, 409);
            int winner = answers.get(0).status() == 201 ? 0 : 1;
            String winnerJob = winner == 0 ? left : right;
            String loserJob = winner == 0 ? right : left;
            JsonNode refused = answers.get(1 - winner).json();
            assertThat(refused.get("code").asText()).isEqualTo("conflict");
            assertThat(refused.get("reason").asText()).isEqualTo("asset_owned_by_other_job");
            assertThat(refused.get("problems").get(0).get("path").asText()).isEqualTo("steps[0].produces[0]");
            assertThat(refused.get("problems").get(0).get("message").asText())
                    .contains("asset '" + asset + "' is already produced by job '" + winnerJob + "'");

            Rest winnerRest = winner == 0 ? restA : restB;
            assertThat(winnerRest.get("/api/v1/jobs/" + winnerJob, admin.token()).status()).as("read-your-writes").isEqualTo(200);
            for (Rest rest : List.of(restA, restB)) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(rest.get("/api/v1/jobs/" + winnerJob, admin.token()).status()).isEqualTo(200));
                assertThat(rest.get("/api/v1/jobs/" + loserJob, admin.token()).status()).as("nothing registered").isEqualTo(404);
            }
        }
    }

    @Test
    @Order(2)
    void newVersionsOfOneJobThroughBothGatewaysAtOnceGetDistinctIncreasingVersions() {
        String job = """
                name: shared_job
                description: %s
                steps:
                  - { key: one, noop: {} }
                """;
        List<Integer> versions = new ArrayList<>();
        int lastRoundMax = 0;
        for (int round = 0; round < 4; round++) {
            List<Rest.Response> answers = together(job.formatted("a" + round), job.formatted("b" + round));
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Rest.Response r = answers.get(i);
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                int version = r.json().get("version").asInt();
                got.add(version);
                // read-your-writes: the gateway that answered shows at least that version at once
                Rest rest = i == 0 ? restA : restB;
                JsonNode shown = rest.get("/api/v1/jobs/shared_job", admin.token()).json();
                assertThat(shown.get("latestVersion").asInt()).isGreaterThanOrEqualTo(version);
            }
            assertThat(got).doesNotHaveDuplicates();
            assertThat(got).allSatisfy(v -> assertThat(v).isGreaterThan(0));
            int roundMin = Math.min(got.get(0), got.get(1));
            assertThat(roundMin).as("later rounds get later versions").isGreaterThan(lastRoundMax);
            lastRoundMax = Math.max(got.get(0), got.get(1));
            versions.addAll(got);
        }
        assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
        for (Rest rest : List.of(restA, restB)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode shown = rest.get("/api/v1/jobs/shared_job", admin.token()).json();
                assertThat(shown.get("latestVersion").asInt()).isEqualTo(8);
                assertThat(shown.get("versions")).extracting(JsonNode::asInt).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
            });
        }
        // the same definition again through the other gateway: unchanged, with the current version
        JsonNode latest = restA.get("/api/v1/jobs/shared_job", admin.token()).json();
        String description = latest.get("description").asText();
        Rest.Response again = register(restB, job.formatted(description));
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("changed").asBoolean()).isFalse();
        assertThat(again.json().get("version").asInt()).isEqualTo(8);
    }

    @Test
    @Order(3)
    void exactlyOneGatewayDrivesEachBackfillWhicheverGatewayAcceptedIt() {
        String daily = """
                name: bf_daily
                partitions:
                  daily: { start: "2026-01-01", timezone: UTC }
                steps:
                  - { key: load, noop: {} }
                """;
        assertThat(register(restA, daily).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(restB.get("/api/v1/jobs/bf_daily", admin.token()).status()).isEqualTo(200));
        for (String via : List.of("a", "b")) {
            Rest rest = via.equals("a") ? restA : restB;
            Rest.Response r = rest.postJson("/api/v1/jobs/bf_daily/backfills", admin.token(),
                    Map.of("backfillId", "via-" + via, "from", "2026-01-01", "to", "2026-01-09", "maxConcurrent", 2));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
        }
        // No coordinator here: no run ends, so one driver launches exactly maxConcurrent partitions of each backfill and
        // stops. Were both gateways driving (as before: each throttled on its own), each backfill would get 4.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(launched("via-a")).isEqualTo(2);
            assertThat(launched("via-b")).isEqualTo(2);
        });
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(launched("via-a")).as("via-a stays at maxConcurrent").isEqualTo(2);
            assertThat(launched("via-b")).as("via-b stays at maxConcurrent").isEqualTo(2);
        });
    }

    long launched(String backfillId) {
        Rest.Response r = restB.get("/api/v1/backfills/" + backfillId, admin.token());
        return r.status() == 200 ? r.json().path("backfill").path("progress").path("launched").asLong() : -1;
    }

    @Test
    @Order(4)
    void whenOneGatewayStopsTheOtherStillRegisters() {
        assertThat(register(restA, PRODUCER_OF.formatted("before_stop", "stop/x")).status()).isEqualTo(201);
        a.close(); // leaves the registry's group: its task, if it had it, moves to b
        Rest.Response after = register(restB, PRODUCER_OF.formatted("after_stop", "stop/y"));
        assertThat(after.status()).as(after.toString()).isEqualTo(201);
        Rest.Response taken = register(restB, PRODUCER_OF.formatted("thief", "stop/x"));
        assertThat(taken.status()).as("the rules hold after the move").isEqualTo(409);
    }
}
