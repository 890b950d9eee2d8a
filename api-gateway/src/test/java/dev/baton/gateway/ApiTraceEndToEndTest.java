package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.RunRequest;
import dev.baton.platform.Topics;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With tracing on ({@code otel.traces.exporter=logging-otlp}), an API request that starts a run is a SERVER span, child
 * of the client's {@code traceparent} header when sent, and the run request carries that span as its traceparent.
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTraceEndToEndTest {
    static final String CLIENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String EXPORTER_LOGGER = "io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter";

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final List<String> exported = new CopyOnWriteArrayList<>();
    final Logger exporterLogger = Logger.getLogger(EXPORTER_LOGGER);
    final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) { exported.add(r.getMessage()); }
        @Override public void flush() {}
        @Override public void close() {}
    };

    Gateway gateway;
    Rest rest;
    WebClient client;
    TopicProbe<RunRequest> requests;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        System.setProperty("otel.traces.exporter", "logging-otlp");
        Tracing.reload();
        exporterLogger.setLevel(Level.INFO);
        exporterLogger.addHandler(capture);
        Topics topics = cluster.createTopics(cluster.newTopics("apitrace"));
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put("token.admin", admin.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
        rest = new Rest(vertx, gateway.port());
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port()));
        requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
        Rest.Response r = rest.post("/api/v1/jobs", admin.token(), "application/yaml", """
                name: traced_api
                steps:
                  - { key: one, noop: true }
                """);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        exporterLogger.removeHandler(capture);
        System.clearProperty("otel.traces.exporter");
        Tracing.reload();
        if (requests != null) requests.close();
        if (client != null) client.close();
        if (rest != null) rest.close();
        if (gateway != null) gateway.close();
    }

    String trigger(String runKey, Map<String, String> headers) throws Exception {
        var req = client.post("/api/v1/jobs/traced_api/runs")
                .putHeader("Authorization", "Bearer " + admin.token())
                .putHeader("Content-Type", "application/json");
        headers.forEach(req::putHeader);
        HttpResponse<Buffer> r = req.sendBuffer(Buffer.buffer("{\"runKey\": \"" + runKey + "\"}"))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
        return new ObjectMapper().readTree(r.bodyAsString()).get("runId").asText();
    }

    List<JsonNode> spans() throws Exception {
        Tracing.get().flush();
        List<JsonNode> out = new ArrayList<>();
        for (String line : exported) {
            for (JsonNode scope : new ObjectMapper().readTree(line).path("scopeSpans")) {
                scope.path("spans").forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void theRequestSpanIsTheClientsChildAndTheRunRequestCarriesIt() throws Exception {
        String runId = trigger("with-client-trace", Map.of("traceparent", CLIENT));
        RunRequest request = requests.await(q -> q.getRunId().equals(runId));
        SpanContext carried = TraceContext.parse(request.getTraceparent(), null);
        assertThat(carried.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(carried.getSpanId()).isNotEqualTo("00f067aa0ba902b7");
        assertThat(request.getTraceId()).as("the old field keeps the request id").doesNotContain("4bf92f35");

        await().atMost(Duration.ofSeconds(10)).until(() -> spans().stream()
                .anyMatch(s -> s.path("spanId").asText().equals(carried.getSpanId())));
        JsonNode span = spans().stream().filter(s -> s.path("spanId").asText().equals(carried.getSpanId())).findFirst().orElseThrow();
        assertThat(span.path("name").asText()).isEqualTo("POST /api/v1/jobs/{name}/runs");
        assertThat(span.path("parentSpanId").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(span.path("kind").asText()).isIn("SPAN_KIND_SERVER", "2");
        assertThat(span.path("attributes").toString()).contains("baton.run.id").contains(runId);
    }

    @Test
    void withoutAClientTraceTheRequestStartsANewOne() throws Exception {
        String runId = trigger("new-trace", Map.of());
        RunRequest request = requests.await(q -> q.getRunId().equals(runId));
        SpanContext carried = TraceContext.parse(request.getTraceparent(), null);
        assertThat(carried.isValid()).isTrue();
        assertThat(carried.getTraceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        await().atMost(Duration.ofSeconds(10)).until(() -> spans().stream()
                .anyMatch(s -> s.path("spanId").asText().equals(carried.getSpanId()) && s.path("parentSpanId").asText("").isEmpty()));
    }
}
