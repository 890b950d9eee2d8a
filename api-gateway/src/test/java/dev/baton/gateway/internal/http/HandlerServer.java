package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.BackfillEvent;
import dev.baton.events.ControlCommand;
import dev.baton.events.RunRequest;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Secrets;
import dev.baton.gateway.internal.backfills.BackfillOutput;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.gateway.internal.readmodel.ReadStores;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The gateway's real router on a loopback port over in-memory stores (no Kafka), and a client that calls it with a token. */
final class HandlerServer implements AutoCloseable {

    record Reply(int status, JsonNode body) {}

    /** The Kafka side of backfills in memory: events folded into the stores as the read model would, requests and commands kept. */
    static final class RecordingOutput implements BackfillOutput {
        final List<BackfillEvent> events = new CopyOnWriteArrayList<>();
        final List<RunRequest> requests = new CopyOnWriteArrayList<>();
        final List<ControlCommand> controls = new CopyOnWriteArrayList<>();
        private final InMemoryReadStores stores;

        RecordingOutput(InMemoryReadStores stores) {
            this.stores = stores;
        }

        @Override
        public synchronized void append(BackfillEvent e) {
            events.add(e);
            stores.backfillEvent(e);
        }

        @Override
        public void appendAsync(BackfillEvent e, Consumer<Exception> onFailure) {
            append(e);
        }

        @Override
        public void request(RunRequest r, Consumer<Exception> done) {
            requests.add(r);
            done.accept(null);
        }

        @Override
        public void control(ControlCommand c) {
            controls.add(c);
        }

        @Override
        public void flush() {}

        List<BackfillEvent> of(String id) {
            return events.stream().filter(e -> e.getBackfillId().equals(id)).toList();
        }

        List<RunRequest> requestsOf(String id) {
            return requests.stream().filter(r -> id.equals(r.getTags().get(BackfillState.TAG))).toList();
        }
    }

    private final Vertx vertx;
    private final GatewayVerticle verticle;
    private final HttpClient client = HttpClient.newHttpClient();

    private HandlerServer(Vertx vertx, GatewayVerticle verticle) {
        this.vertx = vertx;
        this.verticle = verticle;
    }

    /** Deploys the router over {@code stores}, {@code out} (may be null) and {@code keys}; {@code tokens} may call it. */
    static HandlerServer start(ReadStores stores, BackfillOutput out, PartitionKeyStore keys, MeterRegistry meters,
                               ApiTokens.NewToken... tokens) throws Exception {
        Vertx vertx = Vertx.vertx();
        WorkerExecutor worker = vertx.createSharedWorkerExecutor("test-worker", 2);
        GatewayConfig config = new GatewayConfig(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "mock://none",
                GatewayConfig.PORT, "0", GatewayConfig.HOST, "127.0.0.1"));
        Path tokensFile = Files.createTempDirectory("handler-test").resolve("tokens");
        Map<String, String> configured = new LinkedHashMap<>();
        for (ApiTokens.NewToken t : tokens) {
            configured.put(t.name(), t.envValue());
        }
        TokenStore tokenStore = new TokenStore(tokensFile, configured, Map.of());
        Services services = new Services(config, config.topics(), vertx, worker, null, null, null, null, null, tokenStore, null,
                meters, null, null, Services.newPendingRuns(), Secrets.fromEnvironment(Map.of()));
        GatewayVerticle verticle = new GatewayVerticle(services, stores, out, keys);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new HandlerServer(vertx, verticle);
    }

    /** {@code method path} with {@code who}'s token and {@code body} as JSON (none when null). */
    Reply call(ApiTokens.NewToken who, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + path))
                .header("Authorization", "Bearer " + who.token());
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.body().length == 0 ? null : Json.tree(r.body()));
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
