package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.gateway.Secrets;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.gateway.internal.readmodel.PartitionIndex.AssetPartition;
import dev.baton.gateway.internal.readmodel.PartitionIndex.PartitionRun;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Partition status per job and per asset through the real router, over the in-memory read model. */
class PartitionHandlersTest {
    static final ApiTokens.NewToken VIEWER = ApiTokens.create("watcher", Role.VIEWER);
    static final long T0 = Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();
    static final String RAW = """
            name: raw_job
            partitions:
              daily: { start: "2026-01-01", end: "2026-01-06" }
            steps:
              - { key: load, noop: {}, produces: [raw_sales] }
            """;
    static final String SALES = """
            name: sales_job
            partitions:
              daily: { start: "2026-01-01", end: "2026-01-06" }
            steps:
              - key: build
                noop: {}
                produces:
                  - { key: sales, deps: [raw_sales] }
            """;

    static Vertx vertx;
    static GatewayVerticle verticle;
    static final InMemoryReadStores stores = new InMemoryReadStores();
    static final HttpClient client = HttpClient.newHttpClient();

    static JobDefinition job(String yaml) {
        JobDefinition d = JobParser.parse(yaml, Format.YAML, Instant.ofEpochMilli(T0));
        return JobDefinition.newBuilder(d).setVersion(1).setSource(yaml).build();
    }

    @BeforeAll
    static void start() throws Exception {
        stores.job(job(RAW)).job(job(SALES));
        vertx = Vertx.vertx();
        WorkerExecutor worker = vertx.createSharedWorkerExecutor("test-worker", 2);
        GatewayConfig config = new GatewayConfig(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "mock://none",
                GatewayConfig.PORT, "0", GatewayConfig.HOST, "127.0.0.1"));
        java.nio.file.Path tokensFile = java.nio.file.Files.createTempDirectory("partitions-test").resolve("tokens");
        TokenStore tokens = new TokenStore(tokensFile, Map.of(VIEWER.name(), "viewer:" + VIEWER.sha256()), Map.of());
        Services services = new Services(config, config.topics(), vertx, worker, null, null, null, null, null, tokens, null,
                new SimpleMeterRegistry(), null, null, Services.newPendingRuns(), Secrets.fromEnvironment(Map.of()));
        verticle = new GatewayVerticle(services, stores);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + path))
                .header("Authorization", "Bearer " + VIEWER.token()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("%s: %s", path, new String(r.body())).isEqualTo(200);
        return Json.tree(r.body());
    }

    static Map<String, String> statuses(JsonNode page) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        page.path("items").forEach(i -> out.put(i.path("partition").asText(), i.path("status").asText()));
        return out;
    }

    @Test
    void aPartitionIsStaleAfterItsUpstreamPartitionIsMaterializedAgain() throws Exception {
        String p = "2026-01-02";
        stores.assetPartition("raw_sales", p, new AssetPartition("r1", T0 + 1_000, "raw_job", List.of()));
        stores.assetPartition("sales", p, new AssetPartition("s1", T0 + 2_000, "sales_job", List.of("raw_sales")));
        stores.partitionRun("sales_job", p, new PartitionRun("s1", "SUCCEEDED", T0 + 1_500, T0 + 2_100));
        assertThat(statuses(get("/api/v1/assets/sales/partitions")).get(p)).isEqualTo("MATERIALIZED");
        assertThat(statuses(get("/api/v1/jobs/sales_job/partitions")).get(p)).isEqualTo("MATERIALIZED");

        // raw_sales of the same day materialized again, after sales was built from it
        stores.assetPartition("raw_sales", p, new AssetPartition("r2", T0 + 3_000, "raw_job", List.of()));
        JsonNode page = get("/api/v1/assets/sales/partitions");
        assertThat(statuses(page).get(p)).isEqualTo("STALE");
        JsonNode item = page.path("items").get(1);
        assertThat(item.path("staleBecause").path("asset").asText()).isEqualTo("raw_sales");
        assertThat(item.path("staleBecause").path("materializedAt").asLong()).isEqualTo(T0 + 3_000);
        assertThat(statuses(get("/api/v1/jobs/sales_job/partitions")).get(p)).isEqualTo("STALE");
        assertThat(statuses(get("/api/v1/jobs/raw_job/partitions")).get(p)).isEqualTo("MATERIALIZED");

        // built again from the new upstream: fresh
        stores.assetPartition("sales", p, new AssetPartition("s2", T0 + 4_000, "sales_job", List.of("raw_sales")));
        assertThat(statuses(get("/api/v1/assets/sales/partitions")).get(p)).isEqualTo("MATERIALIZED");
    }

    @Test
    void runningFailedAndMissingPartitionsAndPagingByPosition() throws Exception {
        stores.partitionRun("raw_job", "2026-01-04", new PartitionRun("f1", "FAILED", T0, T0 + 10));
        stores.partitionRun("raw_job", "2026-01-05", new PartitionRun("q1", "RUNNING", T0, T0 + 10));
        List<String> keys = new ArrayList<>();
        Map<String, String> all = new java.util.LinkedHashMap<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/v1/jobs/raw_job/partitions?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("items").forEach(i -> keys.add(i.path("partition").asText()));
            all.putAll(statuses(page));
            cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
            pages++;
        } while (cursor != null);
        assertThat(keys).containsExactly("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05");
        assertThat(pages).isEqualTo(3);
        assertThat(all).containsEntry("2026-01-01", "MISSING").containsEntry("2026-01-04", "FAILED")
                .containsEntry("2026-01-05", "RUNNING");
        assertThat(statuses(get("/api/v1/jobs/raw_job/partitions?status=FAILED")).keySet()).containsExactly("2026-01-04");
    }
}
