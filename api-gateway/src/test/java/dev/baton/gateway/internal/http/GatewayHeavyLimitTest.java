package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.gateway.Secrets;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway-wide cap on heavy reads: whatever the number of tokens, at most {@code gateway.limits.heavy.total} are
 * served at once; the next one is refused at once with 503 and Retry-After (the cap that, with a log page's byte cap,
 * bounds the heap responses in flight can hold), and the slots come back when the reads end.
 */
class GatewayHeavyLimitTest {
    static final int TOTAL = 3;

    Vertx vertx;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void readsBeyondTheGatewayWideLimitAreRefusedWith503UntilSlotsComeBack() throws Exception {
        List<ApiTokens.NewToken> viewers = new ArrayList<>();
        Map<String, String> configured = new java.util.HashMap<>();
        for (int i = 0; i < TOTAL + 1; i++) {
            ApiTokens.NewToken t = ApiTokens.create("viewer" + i, Role.VIEWER);
            viewers.add(t);
            configured.put(t.name(), "viewer:" + t.sha256());
        }
        CountDownLatch release = new CountDownLatch(1);
        InMemoryReadStores stores = new InMemoryReadStores();
        RunView run = new RunView();
        run.runId = "r1";
        run.job = "j";
        run.jobVersion = 1;
        run.status = "RUNNING";
        run.origin = "API";
        stores.run(run);
        stores.logLine("r1", 1, "s", 1, 1, Map.of("text", "hello"));
        stores.beforeLogRead(() -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        vertx = Vertx.vertx();
        WorkerExecutor worker = vertx.createSharedWorkerExecutor("limit-test-worker", TOTAL + 2);
        GatewayConfig config = new GatewayConfig(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "mock://none",
                GatewayConfig.PORT, "0", GatewayConfig.HOST, "127.0.0.1", GatewayConfig.LIMIT_HEAVY_TOTAL, String.valueOf(TOTAL),
                GatewayConfig.LIMIT_RETRY_AFTER_S, "7"));
        TokenStore tokens = new TokenStore(java.nio.file.Files.createTempDirectory("limit-test").resolve("tokens"), configured, Map.of());
        Services services = new Services(config, config.topics(), vertx, worker, null, null, null, null, null, tokens, null,
                meters, null, null, Services.newPendingRuns(), Secrets.fromEnvironment(Map.of()));
        GatewayVerticle verticle = new GatewayVerticle(services, stores);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        URI logs = URI.create("http://127.0.0.1:" + verticle.actualPort() + "/api/v1/runs/r1/logs");

        // TOTAL reads held in flight, each by a different token (so no per-token limit is involved)
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            held.add(client.sendAsync(HttpRequest.newBuilder(logs).header("Authorization", "Bearer " + viewers.get(i).token()).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("baton.gateway.heavy.in.flight").gauge().value() == TOTAL);

        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(logs)
                .header("Authorization", "Bearer " + viewers.get(TOTAL).token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("7");
        JsonNode body = Json.tree(refused.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(body.path("code").asText()).isEqualTo("unavailable");
        assertThat(body.path("limit").path("name").asText()).isEqualTo(GatewayConfig.LIMIT_HEAVY_TOTAL);

        release.countDown();
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("baton.gateway.heavy.in.flight").gauge().value() == 0);
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(logs)
                .header("Authorization", "Bearer " + viewers.get(TOTAL).token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }
}
