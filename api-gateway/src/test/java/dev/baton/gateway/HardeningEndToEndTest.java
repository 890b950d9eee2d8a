package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.internal.json.Json;
import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.LogStream;
import dev.baton.events.Origin;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequested;
import dev.baton.events.RunStarted;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's gateway items against the real broker and registry: bounded log reads on a million-line run, per-token
 * limits, registration limits, strict input checks and JSON errors for what the HTTP decoder refuses. Runs are made by
 * writing their events and log batches straight to the topics (no coordinator or agent needed).
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HardeningEndToEndTest {
    static final int LINES = 1_000_000;
    static final int STREAMS_PER_TOKEN = 2;
    /** Fits the default page of 1,000 short lines (about 120 bytes each), not a page of 2,000. */
    static final int PAGE_MAX_BYTES = 192 << 10;

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final ApiTokens.NewToken operator = ApiTokens.create("ops", Role.OPERATOR);
    final ApiTokens.NewToken viewer = ApiTokens.create("watcher", Role.VIEWER);
    final ApiTokens.NewToken streamer = ApiTokens.create("streamer", Role.VIEWER);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    TestCluster cluster;
    Topics topics;
    Gateway gateway;
    Rest rest;
    Vertx vertx;
    KafkaProducer<String, byte[]> producer;
    final Map<Class<?>, AvroSerde<?>> serdes = new HashMap<>();

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        this.cluster = cluster;
        this.vertx = vertx;
        topics = cluster.createTopics(cluster.newTopics("hard"));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20), new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put(GatewayConfig.LIMIT_HEAVY_PER_TOKEN, 16);
        gc.put(GatewayConfig.LIMIT_STREAMS_PER_TOKEN, STREAMS_PER_TOKEN);
        gc.put(GatewayConfig.LOGS_PAGE_MAX_BYTES, PAGE_MAX_BYTES);
        gc.put("token.admin", admin.envValue());
        gc.put("token.ops", operator.envValue());
        gc.put("token.watcher", viewer.envValue());
        gc.put("token.streamer", streamer.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), meters);
        rest = new Rest(vertx, gateway.port(), 24);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
    }

    @AfterAll
    void stop() {
        if (rest != null) {
            rest.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (producer != null) {
            producer.close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void send(String topic, String key, SpecificRecord value) {
        AvroSerde serde = serdes.computeIfAbsent(value.getClass(),
                c -> AvroSerde.forValues((Class) c, Map.of("schema.registry.url", cluster.registryUrl())));
        producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value)));
    }

    /** A running run of a job with {@code steps} noop steps, from its events written to the run-events topic. */
    String runningRun(String job, int steps) {
        StringBuilder y = new StringBuilder("name: " + job + "\nsteps:\n");
        for (int i = 0; i < steps; i++) {
            y.append("  - {key: s").append(i).append(", noop: {}}\n");
        }
        JobDefinition def = JobParser.parse(y.toString(), Format.YAML, Instant.EPOCH);
        String runId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        send(topics.runEvents(), runId, RunEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                .setTimestamp(now).setTraceId("t").setJob(job).setSequence(1)
                .setPayload(RunRequested.newBuilder().setJob(job).setDefinition(def).setParams(Map.of()).setOrigin(Origin.API).build())
                .build());
        send(topics.runEvents(), runId, RunEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                .setTimestamp(now).setTraceId("t").setJob(job).setSequence(2).setPayload(new RunStarted()).build());
        producer.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> rest.get("/api/v1/runs/" + runId, viewer.token()).status() == 200);
        return runId;
    }

    /** Writes {@code n} lines of step {@code step}, 1 ms apart, in batches of 1,000 straight to the logs topic. */
    void writeLines(String runId, String step, int n) {
        Instant t0 = Instant.now();
        List<LogLine> batch = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            batch.add(new LogLine((long) i, LogStream.STDOUT, t0.plusMillis(i), "line " + i));
            if (batch.size() == 1000 || i == n) {
                send(topics.logs(), runId, LogBatch.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                        .setTimestamp(t0).setTraceId("t").setStepKey(step).setAttempt(1).setAttemptId("a1").setAgentId("test")
                        .setLines(batch).build());
                batch = new ArrayList<>();
            }
        }
        producer.flush();
    }

    double linesRead() {
        return meters.get("baton.gateway.logs.lines.read").functionCounter().count();
    }

    @Test
    void tailReadsOfAMillionLineRunAreBoundedAndTheGatewayStaysResponsive() throws Exception {
        String big = runningRun("big_logs", 1);
        String small = runningRun("small_logs", 1);
        writeLines(small, "s0", 20);
        writeLines(big, "s0", LINES);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(rest.get("/api/v1/runs/" + big + "/logs?tail=1", viewer.token()).json().get("total").asLong()).isEqualTo(LINES));

        JsonNode smallTail = rest.get("/api/v1/runs/" + small + "/logs?tail=10", viewer.token()).json();
        assertThat(smallTail.get("items")).extracting(l -> l.get("seq").asLong()).containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);

        double before = linesRead();
        int readers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            List<Future<Rest.Response>> reads = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                reads.add(pool.submit(() -> rest.get("/api/v1/runs/" + big + "/logs?tail=10", viewer.token())));
            }
            // meanwhile the gateway answers other calls
            assertThat(rest.get("/health", null).status()).isEqualTo(200);
            assertThat(rest.get("/api/v1/runs/" + small, viewer.token()).status()).isEqualTo(200);
            for (Future<Rest.Response> f : reads) {
                Rest.Response r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                JsonNode body = r.json();
                assertThat(body.get("total").asLong()).isEqualTo(LINES);
                assertThat(body.get("items")).extracting(l -> l.get("seq").asLong())
                        .containsExactly(999_991L, 999_992L, 999_993L, 999_994L, 999_995L, 999_996L, 999_997L, 999_998L, 999_999L, 1_000_000L);
            }
        } finally {
            pool.shutdownNow();
        }
        // Each tail read touches its 10 lines plus at most one more: never the run's million.
        assertThat(linesRead() - before).isLessThanOrEqualTo(readers * 11);
        assertThat(rest.get("/health", null).status()).isEqualTo(200);

        // paging forward with the cursor, and a page limit
        JsonNode first = rest.get("/api/v1/runs/" + big + "/logs?limit=5", viewer.token()).json();
        assertThat(first.get("items")).extracting(l -> l.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(first.get("truncated").asBoolean()).isTrue();
        JsonNode second = rest.get("/api/v1/runs/" + big + "/logs?limit=5&cursor=" + first.get("nextCursor").asText(), viewer.token()).json();
        assertThat(second.get("items")).extracting(l -> l.get("seq").asLong()).containsExactly(6L, 7L, 8L, 9L, 10L);
        JsonNode byStep = rest.get("/api/v1/runs/" + big + "/logs?step=s0&attempt=1&limit=3&cursor=" + second.get("nextCursor").asText(),
                viewer.token()).json();
        assertThat(byStep.get("items")).extracting(l -> l.get("seq").asLong()).containsExactly(11L, 12L, 13L);
        assertThat(byStep.get("total").asLong()).isEqualTo(LINES);
        JsonNode defaultPage = rest.get("/api/v1/runs/" + big + "/logs", viewer.token()).json();
        assertThat(defaultPage.get("items")).hasSize(1000);
        // a page ends at the byte cap whatever the limit asked for, and its cursor continues right after it
        JsonNode capped = rest.get("/api/v1/runs/" + big + "/logs?limit=2000", viewer.token()).json();
        int cappedLines = capped.get("items").size();
        assertThat(cappedLines).isBetween(1000, 1999);
        assertThat(capped.get("truncated").asBoolean()).isTrue();
        long cappedBytes = 0;
        for (JsonNode line : capped.get("items")) {
            cappedBytes += Json.bytes(line).length;
        }
        assertThat(cappedBytes).isLessThanOrEqualTo(PAGE_MAX_BYTES);
        JsonNode afterCap = rest.get("/api/v1/runs/" + big + "/logs?limit=2&cursor=" + capped.get("nextCursor").asText(), viewer.token()).json();
        assertThat(afterCap.get("items")).extracting(l -> l.get("seq").asLong()).containsExactly(cappedLines + 1L, cappedLines + 2L);
        JsonNode cappedTail = rest.get("/api/v1/runs/" + big + "/logs?tail=2000", viewer.token()).json();
        assertThat(cappedTail.get("items").size()).isBetween(1000, 1999);
        assertThat(cappedTail.get("truncated").asBoolean()).isTrue();
        assertThat(cappedTail.get("items").get(cappedTail.get("items").size() - 1).get("seq").asLong()).isEqualTo(LINES);
        Rest.Response tooMany = rest.get("/api/v1/runs/" + big + "/logs?limit=1000000", viewer.token());
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("message").asText()).contains("limit must be between 1 and 2000");
    }

    @Test
    void aTokenOverItsLiveStreamLimitGets429UntilAStreamCloses() throws Exception {
        String runId = runningRun("streamed", 1);
        HttpClient client = vertx.createHttpClient();
        List<HttpClientResponse> open = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS_PER_TOKEN; i++) {
                HttpClientResponse r = stream(client, runId);
                assertThat(r.statusCode()).isEqualTo(200);
                open.add(r);
            }
            Rest.Response refused = rest.get("/api/v1/runs/" + runId + "/logs", streamer.token(), Map.of("Accept", "text/event-stream"));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.headers().get("Retry-After")).isEqualTo("1");
            JsonNode body = refused.json();
            assertThat(body.get("code").asText()).isEqualTo("too_many_requests");
            assertThat(body.get("message").asText()).contains(GatewayConfig.LIMIT_STREAMS_PER_TOKEN);
            // another token is not affected; plain reads of the same token neither
            assertThat(rest.get("/api/v1/runs/" + runId + "/logs", streamer.token()).status()).isEqualTo(200);

            open.remove(0).request().connection().close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpClientResponse again = stream(client, runId);
                try {
                    assertThat(again.statusCode()).isEqualTo(200);
                    open.add(again);
                } finally {
                    if (again.statusCode() != 200) {
                        again.request().connection().close();
                    }
                }
            });
        } finally {
            open.forEach(r -> r.request().connection().close());
            client.close();
        }
    }

    HttpClientResponse stream(HttpClient client, String runId) throws Exception {
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/api/v1/runs/" + runId + "/logs").putHeader("Accept", "text/event-stream")
                        .putHeader("Authorization", "Bearer " + streamer.token()))
                .compose(req -> req.send()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRunOfManyStepsPagesItsStepsInDefinitionOrder() {
        String runId = runningRun("paged_steps", 5);
        JsonNode first = rest.get("/api/v1/runs/" + runId + "?stepsLimit=2", viewer.token()).json();
        assertThat(first.get("stepCount").asInt()).isEqualTo(5);
        assertThat(first.get("steps")).extracting(s -> s.get("key").asText()).containsExactly("s0", "s1");
        JsonNode next = rest.get("/api/v1/runs/" + runId + "?stepsLimit=2&stepsCursor=" + first.get("nextStepsCursor").asText(),
                viewer.token()).json();
        assertThat(next.get("steps")).extracting(s -> s.get("key").asText()).containsExactly("s2", "s3");
        JsonNode all = rest.get("/api/v1/runs/" + runId, viewer.token()).json();
        assertThat(all.get("steps")).extracting(s -> s.get("key").asText()).containsExactly("s0", "s1", "s2", "s3", "s4");
        assertThat(all.has("nextStepsCursor")).isFalse();
        JsonNode list = rest.get("/api/v1/runs?job=paged_steps", viewer.token()).json();
        assertThat(list.get("items").get(0).get("stepCounts").get("PENDING").asInt()).isEqualTo(5);
    }

    @Test
    void garbageCursorsAre400OnEveryPagedEndpoint() {
        String runId = runningRun("cursors", 1);
        String wrongForm = Base64.getUrlEncoder().withoutPadding().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
        for (String path : List.of("/api/v1/runs", "/api/v1/jobs", "/api/v1/assets", "/api/v1/schedules",
                "/api/v1/runs/" + runId + "/logs", "/api/v1/assets/some/asset/checks", "/api/v1/assets/some/asset")) {
            for (String cursor : List.of("garbage", "%25%25", wrongForm)) {
                if (cursor.equals(wrongForm) && (path.equals("/api/v1/jobs") || path.equals("/api/v1/assets")
                        || path.equals("/api/v1/schedules"))) {
                    continue; // "hello" is a valid name
                }
                Rest.Response r = rest.get(path + "?cursor=" + cursor, viewer.token());
                assertThat(r.status()).as(path + " cursor=" + cursor + ": " + r.text()).isEqualTo(400);
                assertThat(r.json().get("code").asText()).isEqualTo("invalid_request");
            }
        }
        Rest.Response steps = rest.get("/api/v1/runs/" + runId + "?stepsCursor=garbage", viewer.token());
        assertThat(steps.status()).isEqualTo(400);
    }

    @Test
    void overLongUrlsAndOversizedHeadersGetJsonErrors() {
        Rest.Response longUrl = rest.get("/api/v1/runs?job=" + "x".repeat(10_000), viewer.token());
        assertThat(longUrl.status()).isEqualTo(414);
        assertThat(longUrl.headers().get("Content-Type")).startsWith("application/json");
        assertThat(longUrl.json().get("code").asText()).isEqualTo("uri_too_long");

        Rest.Response bigHeader = rest.get("/api/v1/runs", viewer.token(), Map.of("X-Big", "y".repeat(20_000)));
        assertThat(bigHeader.status()).isEqualTo(431);
        assertThat(bigHeader.json().get("code").asText()).isEqualTo("headers_too_large");
        assertThat(rest.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void aJobFileThatIsNotUtf8Is400NamingTheByteOffset() {
        byte[] head = "name: latin1\nsteps:\n  - {key: a, run: \"echo caf".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + 4];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xE9; // é in ISO-8859-1: not UTF-8
        body[head.length + 1] = '"';
        body[head.length + 2] = '}';
        body[head.length + 3] = '\n';
        Rest.Response r = rest.postBytes("/api/v1/jobs", admin.token(), "application/yaml", body);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.json().get("code").asText()).isEqualTo("invalid_job");
        assertThat(r.json().get("message").asText()).contains("byte offset " + head.length);
        assertThat(rest.get("/api/v1/jobs/latin1", viewer.token()).status()).isEqualTo(404);
    }

    @Test
    void aRepeatedRunKeyOrIdempotencyKeyIsReportedAsADuplicate() {
        assertThat(rest.post("/api/v1/jobs", admin.token(), "application/yaml", "name: dup\nsteps:\n  - {key: a, noop: {}}\n").status())
                .isEqualTo(201);
        Rest.Response first = rest.postJson("/api/v1/jobs/dup/runs", operator.token(), Map.of("runKey", "k-1"));
        Rest.Response second = rest.postJson("/api/v1/jobs/dup/runs", operator.token(), Map.of("runKey", "k-1"));
        assertThat(first.status()).isEqualTo(202);
        assertThat(first.json().get("duplicate").asBoolean()).isFalse();
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json().get("duplicate").asBoolean()).isTrue();
        assertThat(second.json().get("runId").asText()).isEqualTo(first.json().get("runId").asText());

        Rest.Response hook1 = rest.call(HttpMethod.POST, "/api/v1/jobs/dup/trigger", operator.token(), null, null);
        assertThat(hook1.json().get("duplicate").asBoolean()).isFalse(); // no key: a new run each time
        Rest.Response keyed1 = webhook("idem-7");
        Rest.Response keyed2 = webhook("idem-7");
        assertThat(keyed1.json().get("duplicate").asBoolean()).isFalse();
        assertThat(keyed2.json().get("duplicate").asBoolean()).isTrue();
    }

    Rest.Response webhook(String key) {
        return rest.get("/api/v1/jobs/dup", viewer.token()).status() == 200
                ? postWithHeader("/api/v1/jobs/dup/trigger", "Idempotency-Key", key) : null;
    }

    Rest.Response postWithHeader(String path, String header, String value) {
        var client = io.vertx.ext.web.client.WebClient.create(vertx);
        try {
            var r = client.post(gateway.port(), "127.0.0.1", path).putHeader("Authorization", "Bearer " + operator.token())
                    .putHeader(header, value).send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Rest.Response(r.statusCode(), r.bodyAsString(), r.headers());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            client.close();
        }
    }

    @Test
    void aJobOverTheStepLimitAndParamsOverTheParamsLimitGet400NamingTheLimit() {
        StringBuilder y = new StringBuilder("name: huge\nsteps:\n");
        for (int i = 0; i < 20_000; i++) {
            y.append("  - {key: s").append(i).append(", noop: {}}\n");
        }
        Rest.Response r = rest.post("/api/v1/jobs", admin.token(), "application/yaml", y.toString());
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.json().get("code").asText()).isEqualTo("invalid_job");
        assertThat(r.json().get("message").asText()).contains("5000").contains("max_steps");
        assertThat(r.json().get("problems").get(0).get("path").asText()).isEqualTo("steps");

        assertThat(rest.post("/api/v1/jobs", admin.token(), "application/yaml",
                "name: params_job\nparams:\n  p: {}\nsteps:\n  - {key: a, noop: {}}\n").status()).isEqualTo(201);
        Rest.Response big = rest.postJson("/api/v1/jobs/params_job/runs", operator.token(), Map.of("params", Map.of("p", "x".repeat(70_000))));
        assertThat(big.status()).as(big.text()).isEqualTo(400);
        assertThat(big.json().get("message").asText()).contains("65536").contains("max_params_bytes");
    }
}
