package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook triggers of jobs with a {@code webhook} section, through HTTP against the real broker and registry: only a
 * correct HMAC-SHA256 of the raw body starts a run. The secret comes from an injected environment, not the process's.
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookSignatureEndToEndTest {
    static final String SECRET = "s3cr3t-for-the-test";
    static final String SIGNED = """
            name: hook_signed
            webhook: { secret: HOOK_SECRET }
            steps:
              - { key: one, noop: true }
            """;
    static final String GITHUB = """
            name: hook_github
            webhook: { secret: HOOK_SECRET, header: X-Hub-Signature-256 }
            steps:
              - { key: one, noop: true }
            """;
    static final String UNKNOWN_SECRET = """
            name: hook_unset
            webhook: NOT_CONFIGURED
            steps:
              - { key: one, noop: true }
            """;
    static final String UNSIGNED = """
            name: hook_plain
            steps:
              - { key: one, noop: true }
            """;

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final ApiTokens.NewToken operator = ApiTokens.create("ops", Role.OPERATOR);

    Topics topics;
    Gateway gateway;
    Rest rest;
    WebClient client;
    TopicProbe<RunRequest> requests;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        topics = cluster.createTopics(cluster.newTopics("webhook"));
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put("token.admin", admin.envValue());
        gc.put("token.ops", operator.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry(),
                Secrets.fromEnvironment(Map.of("BATON_SECRET_HOOK_SECRET", SECRET, "HOOK_SECRET", "not-this-one")));
        rest = new Rest(vertx, gateway.port());
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port()));
        requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
        for (String job : List.of(SIGNED, GITHUB, UNKNOWN_SECRET, UNSIGNED)) {
            Rest.Response r = rest.post("/api/v1/jobs", admin.token(), "application/yaml", job);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    @AfterAll
    void stop() {
        if (requests != null) {
            requests.close();
        }
        if (client != null) {
            client.close();
        }
        if (rest != null) {
            rest.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    static String sign(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** POST /api/v1/jobs/{job}/trigger with the operator token, a JSON body and the given extra headers. */
    Rest.Response webhook(String job, String body, Map<String, String> headers) throws Exception {
        var req = client.post("/api/v1/jobs/" + job + "/trigger")
                .putHeader("Authorization", "Bearer " + operator.token())
                .putHeader("Content-Type", "application/json");
        headers.forEach(req::putHeader);
        HttpResponse<Buffer> r = req.sendBuffer(Buffer.buffer(body)).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return new Rest.Response(r.statusCode(), r.bodyAsString() == null ? "" : r.bodyAsString(), r.headers());
    }

    @Test
    void aCorrectSignatureStartsTheRun() throws Exception {
        String body = "{\"runKey\": \"signed-ok\", \"tags\": {\"from\": \"hook\"}}";
        Rest.Response r = webhook("hook_signed", body, Map.of("X-Baton-Signature-256", sign(SECRET, body)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String runId = r.json().get("runId").asText();
        RunRequest request = requests.await(q -> q.getRunId().equals(runId));
        assertThat(request.getOrigin()).isEqualTo(Origin.WEBHOOK);
        assertThat(request.getDefinition().getWebhook().getSecret()).isEqualTo("HOOK_SECRET");
    }

    @Test
    void gitHubsHeaderFormatIsAccepted() throws Exception {
        String body = "{\"runKey\": \"gh-1\"}";
        Rest.Response r = webhook("hook_github", body, Map.of("X-Hub-Signature-256", sign(SECRET, body).toUpperCase()
                .replace("SHA256=", "sha256=")));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
    }

    @Test
    void aMissingSignatureIsRefusedAndStartsNothing() throws Exception {
        Rest.Response r = webhook("hook_signed", "{\"runKey\": \"unsigned-attempt\"}", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.json().get("code").asText()).isEqualTo("invalid_signature");
        assertThat(r.json().get("message").asText()).contains("X-Baton-Signature-256");
        assertNoRunRequestFor("hook_signed", "unsigned-attempt");
    }

    @Test
    void aWrongSignatureIsRefused() throws Exception {
        String body = "{\"runKey\": \"tampered\"}";
        String signedForAnotherBody = sign(SECRET, "{\"runKey\": \"other\"}");
        for (String signature : List.of(signedForAnotherBody, sign("wrong-secret", body), sign(SECRET, body).substring(7),
                "sha256=zz", "sha1=" + sign(SECRET, body).substring(7))) {
            Rest.Response r = webhook("hook_signed", body, Map.of("X-Baton-Signature-256", signature));
            assertThat(r.status()).as(signature + " -> " + r).isEqualTo(401);
            assertThat(r.json().get("code").asText()).isEqualTo("invalid_signature");
        }
        // the header of another job's configuration does not count
        Rest.Response wrongHeader = webhook("hook_github", body, Map.of("X-Baton-Signature-256", sign(SECRET, body)));
        assertThat(wrongHeader.status()).as(wrongHeader.toString()).isEqualTo(401);
        assertNoRunRequestFor("hook_signed", "tampered");
        assertNoRunRequestFor("hook_github", "tampered");
    }

    @Test
    void aSecretTheGatewayLacksIsAServerErrorNamingItButNoValue() throws Exception {
        String body = "{\"runKey\": \"no-secret\"}";
        Rest.Response r = webhook("hook_unset", body, Map.of("X-Baton-Signature-256", sign(SECRET, body)));
        assertThat(r.status()).as(r.toString()).isEqualTo(500);
        assertThat(r.json().get("code").asText()).isEqualTo("secret_missing");
        assertThat(r.json().get("message").asText()).contains("NOT_CONFIGURED").contains("BATON_SECRET_NOT_CONFIGURED")
                .doesNotContain(SECRET);
        assertNoRunRequestFor("hook_unset", "no-secret");
    }

    @Test
    void jobsWithoutAWebhookSectionAndTheRunsEndpointNeedNoSignature() throws Exception {
        Rest.Response plain = webhook("hook_plain", "{\"runKey\": \"plain\"}", Map.of());
        assertThat(plain.status()).as(plain.toString()).isEqualTo(202);
        // the signature guards the webhook endpoint only; the runs endpoint is the operator's own call
        Rest.Response api = rest.postJson("/api/v1/jobs/hook_signed/runs", operator.token(), Map.of("runKey", "api-call"));
        assertThat(api.status()).as(api.toString()).isEqualTo(202);
    }

    /** Nothing was produced for the run key: a later request (signed correctly) is the first one the topic sees. */
    void assertNoRunRequestFor(String job, String runKey) throws Exception {
        String marker = runKey + "-marker";
        String body = "{\"runKey\": \"" + marker + "\"}";
        String header = job.equals("hook_github") ? "X-Hub-Signature-256" : "X-Baton-Signature-256";
        if (!job.equals("hook_unset")) {
            Rest.Response r = webhook(job, body, Map.of(header, sign(SECRET, body)));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            requests.await(q -> q.getJob().equals(job) && marker.equals(q.getRunKey()));
        } else {
            Rest.Response r = rest.postJson("/api/v1/jobs/" + job + "/runs", operator.token(), Map.of("runKey", marker));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            requests.await(q -> q.getJob().equals(job) && marker.equals(q.getRunKey()));
        }
        assertThat(requests.values()).noneMatch(q -> q.getJob().equals(job) && runKey.equals(q.getRunKey()));
    }
}
