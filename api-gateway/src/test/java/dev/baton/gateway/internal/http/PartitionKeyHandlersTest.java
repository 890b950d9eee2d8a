package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.gateway.Secrets;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dynamic partition key endpoints through the real router (auth, validation, paging) with keys in memory. */
class PartitionKeyHandlersTest {
    static final ApiTokens.NewToken OPERATOR = ApiTokens.create("ops", Role.OPERATOR);
    static final ApiTokens.NewToken VIEWER = ApiTokens.create("watcher", Role.VIEWER);

    static Vertx vertx;
    static GatewayVerticle verticle;
    static final PartitionKeyStore keys = PartitionKeyStore.inMemory();
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        WorkerExecutor worker = vertx.createSharedWorkerExecutor("test-worker", 2);
        GatewayConfig config = new GatewayConfig(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "mock://none",
                GatewayConfig.PORT, "0", GatewayConfig.HOST, "127.0.0.1"));
        java.nio.file.Path tokensFile = java.nio.file.Files.createTempDirectory("partition-keys-test").resolve("tokens");
        TokenStore tokens = new TokenStore(tokensFile, Map.of(OPERATOR.name(), "operator:" + OPERATOR.sha256(),
                VIEWER.name(), "viewer:" + VIEWER.sha256()), Map.of());
        Services services = new Services(config, config.topics(), vertx, worker, null, null, null, null, null, tokens, null,
                new SimpleMeterRegistry(), null, null, Services.newPendingRuns(), Secrets.fromEnvironment(Map.of()));
        verticle = new GatewayVerticle(services, new InMemoryReadStores(), null, keys);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    record Reply(int status, JsonNode body) {}

    static Reply call(ApiTokens.NewToken who, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + path))
                .header("Authorization", "Bearer " + who.token());
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.body().length == 0 ? null : Json.tree(r.body()));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void keysAreAddedListedInOrderAndRemoved() throws Exception {
        Reply added = call(OPERATOR, "POST", "/api/v1/partitions/customers/keys", "{\"keys\":[\"globex\",\"acme\",\"acme\",\"initech\"]}");
        assertThat(added.status()).as("%s", added.body()).isEqualTo(200);
        assertThat(texts(added.body().path("keys"))).containsExactly("globex", "acme", "initech");
        assertThat(keys.contains("customers", "acme")).isTrue();
        call(OPERATOR, "POST", "/api/v1/partitions/other/keys", "{\"keys\":[\"zzz\"]}");

        Reply list = call(VIEWER, "GET", "/api/v1/partitions/customers/keys", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(texts(list.body().path("items"))).containsExactly("acme", "globex", "initech");
        assertThat(list.body().path("nextCursor").asText(null)).isNull();

        Reply removed = call(OPERATOR, "DELETE", "/api/v1/partitions/customers/keys/globex", null);
        assertThat(removed.status()).as("%s", removed.body()).isEqualTo(200);
        assertThat(texts(call(VIEWER, "GET", "/api/v1/partitions/customers/keys", null).body().path("items")))
                .containsExactly("acme", "initech");
        assertThat(call(OPERATOR, "DELETE", "/api/v1/partitions/customers/keys/globex", null).status()).isEqualTo(404);
        assertThat(texts(call(VIEWER, "GET", "/api/v1/partitions/other/keys", null).body().path("items"))).containsExactly("zzz");
    }

    @Test
    void listPagesWithACursor() throws Exception {
        call(OPERATOR, "POST", "/api/v1/partitions/paged/keys", "{\"keys\":[\"k1\",\"k2\",\"k3\",\"k4\",\"k5\"]}");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply r = call(VIEWER, "GET", "/api/v1/partitions/paged/keys?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
            seen.addAll(texts(r.body().path("items")));
            cursor = r.body().path("nextCursor").asText(null);
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).containsExactly("k1", "k2", "k3", "k4", "k5");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void badKeysAreRefusedAndNothingIsAdded() throws Exception {
        for (String body : List.of("{}", "{\"keys\":[]}", "{\"keys\":\"a\"}", "{\"keys\":[1]}", "{\"keys\":[\"\"]}",
                "{\"keys\":[\"ok\",\"a/b\"]}", "{\"keys\":[\"a\\u0001b\"]}", "{\"keys\":[\" pad\"]}",
                "{\"keys\":[\"" + "x".repeat(PartitionKeyStore.MAX_KEY_LENGTH + 1) + "\"]}")) {
            Reply r = call(OPERATOR, "POST", "/api/v1/partitions/strict/keys", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.body().path("message").asText()).as(body).isNotBlank();
        }
        assertThat(keys.keys("strict", null, 10)).isEmpty();
        assertThat(call(OPERATOR, "POST", "/api/v1/partitions/" + URLEncoder.encode("-bad", StandardCharsets.UTF_8) + "/keys",
                "{\"keys\":[\"a\"]}").status()).isEqualTo(400);
    }

    @Test
    void onlyOperatorsChangeKeys() throws Exception {
        assertThat(call(VIEWER, "POST", "/api/v1/partitions/guarded/keys", "{\"keys\":[\"a\"]}").status()).isEqualTo(403);
        keys.add("guarded", List.of("a"));
        assertThat(call(VIEWER, "DELETE", "/api/v1/partitions/guarded/keys/a", null).status()).isEqualTo(403);
        assertThat(keys.contains("guarded", "a")).isTrue();
    }
}
