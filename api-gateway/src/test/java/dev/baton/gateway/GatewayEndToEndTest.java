package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.events.AuditRecord;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The gateway against the real broker and registry, a real coordinator and a fake agent: the REST API end to end.
 * One gateway serves every test of the class (each test uses its own jobs or run keys); the last test restarts it.
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayEndToEndTest {
    static final String ORDERS_DAILY = """
            name: orders_daily
            description: Load raw orders and clean them
            params:
              day: { default: "2026-01-01" }
            steps:
              - key: extract
                run: |
                  echo "extracting orders for ${{ params.day }}"
                  echo "rows=42" >> "$BATON_OUTPUT"
                produces: [raw_orders]
              - key: clean
                needs: [extract]
                run: |
                  test "${{ steps.extract.outputs.rows }}" = "42"
                  echo "cleaned=42" >> "$BATON_OUTPUT"
                retry: { maxAttempts: 3, backoff: PT1S }
                timeout: PT5M
                produces: [clean_orders]
            """;
    static final String NOOP = """
            name: %s
            steps:
              - { key: one, noop: {} }
            """;
    static final String HANGING = """
            name: hanging
            steps:
              - { key: wait, noop: {} }
            """;
    static final String FLAKY = """
            name: flaky
            steps:
              - { key: a, noop: {} }
              - { key: b, needs: [a], noop: {} }
            """;

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final ApiTokens.NewToken operator = ApiTokens.create("ops", Role.OPERATOR);
    final ApiTokens.NewToken viewer = ApiTokens.create("watcher", Role.VIEWER);
    final AtomicBoolean flakyFailed = new AtomicBoolean();

    Path dir;
    TestCluster cluster;
    Topics topics;
    Coordinator coordinator;
    FakeAgent agent;
    Gateway gateway;
    Rest rest;
    Vertx vertx;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        this.dir = dir;
        this.cluster = cluster;
        this.vertx = vertx;
        // "gpu" has a command topic and no agent: the pools endpoint must flag it (a step there waits).
        topics = cluster.createTopics(cluster.newTopics("gateway"), List.of("default", "gpu"));
        Map<String, Object> cc = new HashMap<>(cluster.config(topics));
        cc.put(CoordinatorConfig.STATE_DIR, dir.resolve("coordinator").toString());
        coordinator = Coordinator.start(new CoordinatorConfig(cc), new SimpleMeterRegistry());
        agent = new FakeAgent(cluster, topics, "default", c -> switch (c.getStepKey()) {
            case "wait" -> FakeAgent.Outcome.HANG;
            case "b" -> flakyFailed.compareAndSet(false, true) ? FakeAgent.Outcome.FAIL : FakeAgent.Outcome.SUCCEED;
            default -> FakeAgent.Outcome.SUCCEED;
        });
        startGateway();
    }

    void startGateway() {
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put(GatewayConfig.SSE_LOGS_LINGER_MS, 200L);
        gc.put("token.admin", admin.envValue());
        gc.put("token.ops", operator.envValue());
        gc.put("token.watcher", viewer.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
        rest = new Rest(vertx, gateway.port());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
    }

    @AfterAll
    void stop() throws Exception {
        if (rest != null) {
            rest.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
    }

    // ---- helpers ----

    Rest.Response register(String yaml) {
        return rest.post("/api/v1/jobs", admin.token(), "application/yaml", yaml);
    }

    String trigger(String job, Map<String, Object> body) {
        Rest.Response r = rest.postJson("/api/v1/jobs/" + job + "/runs", operator.token(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.json().get("runId").asText();
    }

    JsonNode awaitRun(String runId, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Rest.Response r = rest.get("/api/v1/runs/" + runId, viewer.token());
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            last[0] = r.json();
            assertThat(last[0].get("status").asText()).as(r.toString()).isEqualTo(status);
        });
        return last[0];
    }

    static JsonNode step(JsonNode run, String key) {
        for (JsonNode s : run.get("steps")) {
            if (s.get("key").asText().equals(key)) {
                return s;
            }
        }
        throw new AssertionError("no step " + key + " in " + run);
    }

    // ---- tests ----

    @Test
    @Order(1)
    void registersTheOrdersDailyYamlWithVersionsAndListsIt() {
        Rest.Response created = register(ORDERS_DAILY);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo("orders_daily");
        assertThat(created.json().get("version").asInt()).isEqualTo(1);
        assertThat(created.headers().get("Location")).isEqualTo("/api/v1/jobs/orders_daily");

        // the same file again changes nothing; a changed file is the next version
        Rest.Response same = register(ORDERS_DAILY);
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("version").asInt()).isEqualTo(1);
        assertThat(same.json().get("changed").asBoolean()).isFalse();
        Rest.Response v2 = register(ORDERS_DAILY.replace("Load raw orders and clean them", "Load and clean orders"));
        assertThat(v2.status()).isEqualTo(201);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode job = rest.get("/api/v1/jobs/orders_daily", viewer.token()).json();
            assertThat(job.get("version").asInt()).isEqualTo(2);
            assertThat(job.get("versions")).extracting(JsonNode::asInt).containsExactly(1, 2);
            assertThat(job.get("definition").get("steps").get(1).get("key").asText()).isEqualTo("clean");
            assertThat(job.get("produces")).extracting(JsonNode::asText).containsExactly("raw_orders", "clean_orders");
        });
        JsonNode v1 = rest.get("/api/v1/jobs/orders_daily?version=1", viewer.token()).json();
        assertThat(v1.get("description").asText()).isEqualTo("Load raw orders and clean them");
        JsonNode list = rest.get("/api/v1/jobs", viewer.token()).json();
        assertThat(list.get("items")).extracting(j -> j.get("name").asText()).contains("orders_daily");
        assertThat(rest.get("/api/v1/jobs/nope", viewer.token()).json().get("code").asText()).isEqualTo("not_found");

        // JSON by Content-Type
        Rest.Response json = rest.post("/api/v1/jobs", admin.token(), "application/json",
                "{\"name\": \"json_job\", \"steps\": [{\"key\": \"one\", \"noop\": {}}]}");
        assertThat(json.status()).as(json.toString()).isEqualTo(201);
    }

    @Test
    @Order(2)
    void invalidJobIsRejectedWith400NamingEachProblemPath() {
        Rest.Response r = register("""
                name: broken
                steps:
                  - key: extract
                    run: echo hi
                    retry: { maxAttempts: lots }
                  - key: clean
                    needs: [missing_step]
                    run: echo there
                """);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        JsonNode body = r.json();
        assertThat(body.get("code").asText()).isEqualTo("invalid_job");
        assertThat(body.get("path").asText()).isEqualTo("/api/v1/jobs");
        List<String> paths = new ArrayList<>();
        body.get("problems").forEach(p -> paths.add(p.get("path").asText()));
        assertThat(paths).anyMatch(p -> p.startsWith("steps[0].retry.maxAttempts"));
        assertThat(paths).anyMatch(p -> p.startsWith("steps[1].needs"));

        Rest.Response notYaml = register("name: [unclosed");
        assertThat(notYaml.status()).isEqualTo(400);
        assertThat(notYaml.json().get("problems").size()).isPositive();
        Rest.Response unsupported = rest.post("/api/v1/jobs", admin.token(), "application/xml", "<job/>");
        assertThat(unsupported.status()).isEqualTo(415);
        assertThat(unsupported.json().get("code").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    @Order(3)
    void triggeredRunSucceedsWithTheExtractOutputsLogsAndMaterializations() {
        String runId = trigger("orders_daily", Map.of("params", Map.of("day", "2026-02-03"), "tags", Map.of("team", "data")));
        JsonNode run = awaitRun(runId, "SUCCEEDED");
        assertThat(run.get("job").asText()).isEqualTo("orders_daily");
        assertThat(run.get("jobVersion").asInt()).isEqualTo(2);
        assertThat(run.get("params").get("day").asText()).isEqualTo("2026-02-03");
        assertThat(run.get("tags").get("team").asText()).isEqualTo("data");
        assertThat(run.get("origin").asText()).isEqualTo("API");
        assertThat(run.get("requestedBy").asText()).isEqualTo("ops");
        JsonNode extract = step(run, "extract");
        assertThat(extract.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(extract.get("attempts").asInt()).isEqualTo(1);
        assertThat(extract.get("outputs").get("rows").asText()).isEqualTo("42");
        assertThat(extract.get("startedAt").asText()).isNotBlank();
        assertThat(extract.get("endedAt").asText()).isNotBlank();
        assertThat(step(run, "clean").get("outputs").get("cleaned").asText()).isEqualTo("42");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode logs = rest.get("/api/v1/runs/" + runId + "/logs", viewer.token()).json();
            assertThat(logs.get("items")).extracting(l -> l.get("text").asText())
                    .contains("hello from extract", "done extract", "hello from clean");
        });
        JsonNode cleanLogs = rest.get("/api/v1/runs/" + runId + "/logs?step=clean", viewer.token()).json();
        assertThat(cleanLogs.get("items")).extracting(l -> l.get("step").asText()).containsOnly("clean");

        JsonNode events = rest.get("/api/v1/runs/" + runId + "/events", viewer.token()).json();
        assertThat(events.get("items")).extracting(e -> e.get("type").asText())
                .startsWith("RunRequested", "RunQueued", "RunStarted").contains("StepSucceeded").endsWith("RunSucceeded");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode assets = rest.get("/api/v1/assets", viewer.token()).json();
            Map<String, JsonNode> byKey = new HashMap<>();
            assets.get("items").forEach(a -> byKey.put(a.get("assetKey").asText(), a));
            assertThat(byKey).containsKeys("raw_orders", "clean_orders");
            assertThat(byKey.get("raw_orders").get("materializationCount").asLong()).isPositive();
            assertThat(byKey.get("clean_orders").get("lastMaterialization").get("runId").asText()).isNotBlank();
        });
    }

    @Test
    @Order(4)
    void assetDetailListsMaterializationsNewestFirstWithMetadataAndUpstream() {
        String second = trigger("orders_daily", Map.of());
        awaitRun(second, "SUCCEEDED");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode raw = rest.get("/api/v1/assets/raw_orders", viewer.token()).json();
            assertThat(raw.get("materializationCount").asLong()).isGreaterThanOrEqualTo(2);
            JsonNode newest = raw.get("materializations").get(0);
            assertThat(newest.get("runId").asText()).isEqualTo(second);
            assertThat(newest.get("metadata").get("rows").get("type").asText()).isEqualTo("int");
            assertThat(newest.get("metadata").get("rows").get("value").asLong()).isEqualTo(42);
            assertThat(raw.get("declaredBy").get("job").asText()).isEqualTo("orders_daily");
            List<java.time.Instant> times = new ArrayList<>(); // as instants, not text (a zero fraction is dropped)
            raw.get("materializations").forEach(m -> times.add(java.time.Instant.parse(m.get("timestamp").asText())));
            assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());

            JsonNode clean = rest.get("/api/v1/assets/clean_orders", viewer.token()).json();
            JsonNode upstream = clean.get("materializations").get(0).get("upstream");
            assertThat(upstream).extracting(u -> u.get("assetKey").asText()).contains("raw_orders");
            assertThat(upstream.get(0).get("materializationId").asText()).isEqualTo(newest.get("materializationId").asText());
        });
        JsonNode page = rest.get("/api/v1/assets/raw_orders?limit=1", viewer.token()).json();
        assertThat(page.get("materializations").size()).isEqualTo(1);
        String cursor = page.get("nextCursor").asText();
        JsonNode next = rest.get("/api/v1/assets/raw_orders?limit=1&cursor=" + cursor, viewer.token()).json();
        assertThat(next.get("materializations").get(0).get("materializationId").asText())
                .isNotEqualTo(page.get("materializations").get(0).get("materializationId").asText());
        assertThat(rest.get("/api/v1/assets/nothing_here", viewer.token()).status()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void runListFiltersByJobAndStatusNewestFirstWithCursorAndOffsetPaging() {
        assertThat(register(NOOP.formatted("paged")).status()).isEqualTo(201);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(trigger("paged", Map.of()));
        }
        for (String id : ids) {
            awaitRun(id, "SUCCEEDED");
        }
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = rest.get("/api/v1/runs?job=paged&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), viewer.token()).json();
            page.get("items").forEach(r -> seen.add(r.get("runId").asText()));
            cursor = page.get("nextCursor") == null || page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        assertThat(pages).isEqualTo(3);

        JsonNode offset = rest.get("/api/v1/runs?job=paged&offset=3&limit=10", viewer.token()).json();
        assertThat(offset.get("items")).extracting(r -> r.get("runId").asText()).containsExactlyElementsOf(newestFirst.subList(3, 5));

        JsonNode succeeded = rest.get("/api/v1/runs?status=SUCCEEDED&limit=1000", viewer.token()).json();
        assertThat(succeeded.get("items")).extracting(r -> r.get("runId").asText()).containsAll(ids);
        assertThat(succeeded.get("items")).extracting(r -> r.get("status").asText()).containsOnly("SUCCEEDED");
        JsonNode jobAndStatus = rest.get("/api/v1/runs?job=paged&status=failed,canceled", viewer.token()).json();
        assertThat(jobAndStatus.get("items")).isEmpty();
        JsonNode all = rest.get("/api/v1/runs?limit=1000", viewer.token()).json();
        // Compared as instants: ISO-8601 text drops a zero fraction ("…:04Z"), which sorts after "…:04.014Z" as text.
        List<java.time.Instant> everything = new ArrayList<>();
        all.get("items").forEach(r -> everything.add(java.time.Instant.parse(r.get("requestedAt").asText())));
        assertThat(everything).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        Rest.Response bad = rest.get("/api/v1/runs?status=DONE", viewer.token());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    @Order(6)
    void runKeyAndWebhookRequestsCollapseIntoOneRun() {
        Rest.Response first = rest.postJson("/api/v1/jobs/paged/trigger", operator.token(),
                Map.of("runKey", "order-1001", "params", Map.of()));
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        String runId = first.json().get("runId").asText();
        awaitRun(runId, "SUCCEEDED");
        Rest.Response again = rest.postJson("/api/v1/jobs/paged/trigger", operator.token(), Map.of("runKey", "order-1001"));
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("runId").asText()).isEqualTo(runId);
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(rest.get("/api/v1/runs/" + runId, viewer.token()).json().path("duplicateRequests").asInt()).isEqualTo(1));
        JsonNode run = rest.get("/api/v1/runs/" + runId, viewer.token()).json();
        assertThat(run.get("origin").asText()).isEqualTo("WEBHOOK");
        assertThat(run.get("runKey").asText()).isEqualTo("order-1001");

        Rest.Response unknownParam = rest.postJson("/api/v1/jobs/paged/runs", operator.token(), Map.of("params", Map.of("nope", 1)));
        assertThat(unknownParam.status()).isEqualTo(400);
        assertThat(unknownParam.json().get("problems").get(0).get("path").asText()).isEqualTo("params.nope");
        assertThat(rest.postJson("/api/v1/jobs/ghost/runs", operator.token(), Map.of()).status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void cancelStopsARunningRunAndRetryReExecutesAFailedOne() {
        assertThat(register(HANGING).status()).isEqualTo(201);
        String runId = trigger("hanging", Map.of());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(step(rest.get("/api/v1/runs/" + runId, viewer.token()).json(), "wait").get("status").asText())
                        .isEqualTo("RUNNING"));
        Rest.Response cancel = rest.postJson("/api/v1/runs/" + runId + "/cancel", operator.token(),
                Map.of("reason", "test says stop", "graceMs", 200));
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        JsonNode canceled = awaitRun(runId, "CANCELED");
        assertThat(step(canceled, "wait").get("status").asText()).isEqualTo("CANCELED");
        assertThat(canceled.get("cancelRequestedBy").asText()).isEqualTo("ops");
        Rest.Response again = rest.postJson("/api/v1/runs/" + runId + "/cancel", operator.token(), null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("conflict");

        assertThat(register(FLAKY).status()).isEqualTo(201);
        String failedId = trigger("flaky", Map.of());
        JsonNode failed = awaitRun(failedId, "FAILED");
        assertThat(step(failed, "b").get("error").get("message").asText()).isEqualTo("boom");
        assertThat(step(failed, "b").get("error").get("exitCode").asInt()).isEqualTo(3);
        Rest.Response retry = rest.postJson("/api/v1/runs/" + failedId + "/retry", operator.token(), null);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(202);
        String childId = retry.json().get("runId").asText();
        assertThat(childId).isNotEqualTo(failedId);
        JsonNode child = awaitRun(childId, "SUCCEEDED");
        assertThat(child.get("parentRunId").asText()).isEqualTo(failedId);
        assertThat(child.get("origin").asText()).isEqualTo("RETRY");
        assertThat(step(child, "a").get("reusedFrom").asText()).isEqualTo(failedId);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(rest.get("/api/v1/runs/" + failedId, viewer.token()).json().get("retriedAs"))
                        .extracting(JsonNode::asText).containsExactly(childId));

        assertThat(rest.postJson("/api/v1/runs/" + childId + "/retry", operator.token(), null).status()).isEqualTo(409);
        assertThat(rest.postJson("/api/v1/runs/no-such-run/retry", operator.token(), null).status()).isEqualTo(404);
        assertThat(rest.postJson("/api/v1/runs/no-such-run/cancel", operator.token(), null).status()).isEqualTo(404);
    }

    @Test
    @Order(8)
    void eventStreamDeliversTheRunsEventsLiveAndEnds(VertxTestContext tc) throws Exception {
        String runId = trigger("orders_daily", Map.of("params", Map.of("day", "2026-03-01")));
        List<String> types = new CopyOnWriteArrayList<>();
        List<Long> ids = new CopyOnWriteArrayList<>();
        Checkpoint requested = tc.checkpoint();
        Checkpoint stepSucceeded = tc.checkpoint();
        Checkpoint runSucceeded = tc.checkpoint();
        Checkpoint ended = tc.checkpoint();
        HttpClient client = vertx.createHttpClient();
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/api/v1/runs/" + runId + "/events")
                        .putHeader("Accept", "text/event-stream").putHeader("Authorization", "Bearer " + viewer.token()))
                .compose(req -> req.send())
                .onComplete(tc.succeeding(resp -> {
                    tc.verify(() -> {
                        assertThat(resp.statusCode()).isEqualTo(200);
                        assertThat(resp.getHeader("Content-Type")).startsWith("text/event-stream");
                    });
                    resp.handler(RecordParser.newDelimited("\n\n", frame -> {
                        String event = null;
                        for (String line : frame.toString().split("\n")) {
                            if (line.startsWith("event: ")) {
                                event = line.substring(7);
                            } else if (line.startsWith("id: ")) {
                                ids.add(Long.parseLong(line.substring(4)));
                            }
                        }
                        if (event == null) {
                            return; // a comment (keep-alive)
                        }
                        types.add(event);
                        switch (event) {
                            case "RunRequested" -> requested.flag();
                            case "RunSucceeded" -> runSucceeded.flag();
                            case "end" -> ended.flag();
                            case "StepSucceeded" -> {
                                if (types.stream().filter("StepSucceeded"::equals).count() == 1) {
                                    stepSucceeded.flag();
                                }
                            }
                            default -> { }
                        }
                    }));
                }));
        assertThat(tc.awaitCompletion(30, TimeUnit.SECONDS)).as("events seen: %s", types).isTrue();
        assertThat(types).startsWith("RunRequested").endsWith("RunSucceeded", "end");
        assertThat(ids).as("each event once, in sequence order").doesNotHaveDuplicates().isSorted().startsWith(1L);
        client.close();
    }

    @Test
    @Order(9)
    void logStreamDeliversLinesAndEndsAfterTheRun(VertxTestContext tc) throws Exception {
        String runId = trigger("orders_daily", Map.of());
        Set<String> lines = new LinkedHashSet<>();
        Checkpoint ended = tc.checkpoint();
        HttpClient client = vertx.createHttpClient();
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/api/v1/runs/" + runId + "/logs")
                        .putHeader("Accept", "text/event-stream").putHeader("Authorization", "Bearer " + viewer.token()))
                .compose(req -> req.send())
                .onComplete(tc.succeeding(resp -> resp.handler(RecordParser.newDelimited("\n\n", frame -> {
                    String text = frame.toString();
                    if (text.startsWith("event: log")) {
                        lines.add(Rest.of(text.substring(text.indexOf("data: ") + 6)).get("text").asText());
                    } else if (text.startsWith("event: end")) {
                        tc.verify(() -> assertThat(lines).contains("hello from extract", "hello from clean"));
                        ended.flag();
                    }
                }))));
        assertThat(tc.awaitCompletion(30, TimeUnit.SECONDS)).as("lines seen: %s", lines).isTrue();
        client.close();
    }

    @Test
    @Order(10)
    void callsNeedATokenOfTheRightRoleAndMutatingCallsAreAudited() {
        try (TopicProbe<AuditRecord> audit = TopicProbe.avro(cluster, topics.audit(), AuditRecord.class)) {
            Rest.Response none = rest.postJson("/api/v1/jobs/orders_daily/runs", null, Map.of());
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.json().get("code").asText()).isEqualTo("unauthorized");
            assertThat(none.headers().get("WWW-Authenticate")).startsWith("Bearer");
            assertThat(rest.get("/api/v1/runs", "not-a-token").status()).isEqualTo(401);
            assertThat(rest.get("/api/v1/openapi.yaml", null).status()).isEqualTo(401);

            Rest.Response forbidden = rest.postJson("/api/v1/jobs/orders_daily/runs", viewer.token(), Map.of());
            assertThat(forbidden.status()).isEqualTo(403);
            assertThat(forbidden.json().get("code").asText()).isEqualTo("forbidden");
            assertThat(register(NOOP.formatted("by_operator")).status()).isEqualTo(201);
            assertThat(rest.post("/api/v1/jobs", operator.token(), "application/yaml", NOOP.formatted("nope")).status()).isEqualTo(403);
            assertThat(rest.get("/api/v1/runs", viewer.token()).status()).isEqualTo(200);
            String runId = trigger("orders_daily", Map.of());

            AuditRecord denied = audit.await(a -> a.getStatus() == 401 && a.getAction().equals("runs.trigger"));
            assertThat(denied.getActor()).isEqualTo("anonymous");
            assertThat(denied.getResource()).isEqualTo("jobs/orders_daily");
            assertThat(denied.getSourceAddress()).isEqualTo("127.0.0.1");
            AuditRecord refused = audit.await(a -> a.getStatus() == 403 && a.getAction().equals("runs.trigger"));
            assertThat(refused.getActor()).isEqualTo("watcher");
            assertThat(refused.getRole()).isEqualTo("viewer");
            AuditRecord accepted = audit.await(a -> a.getStatus() == 202 && runId.equals(a.getRunId()));
            assertThat(accepted.getActor()).isEqualTo("ops");
            assertThat(accepted.getRole()).isEqualTo("operator");
            assertThat(accepted.getDetails()).containsEntry("job", "orders_daily");
            AuditRecord registered = audit.await(a -> a.getAction().equals("jobs.register") && a.getStatus() == 201);
            assertThat(registered.getActor()).isEqualTo("admin");
            assertThat(audit.values()).as("reads are not audited").noneMatch(a -> a.getResource().startsWith("/api/v1/runs"));
        }
    }

    @Test
    @Order(11)
    void healthMetricsAgentsAndUnknownRoutes() {
        Rest.Response health = rest.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("checks").get("kafka").get("status").asText()).isEqualTo("UP");
        assertThat(health.json().get("checks").get("registry").get("status").asText()).isEqualTo("UP");
        assertThat(health.json().get("checks").get("readModel").get("status").asText()).isEqualTo("UP");

        Rest.Response metrics = rest.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("vertx_http_server_requests_total").contains("route=\"/api/v1/runs/:id\"")
                .contains("baton_gateway_jobs_registered_total");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode agents = rest.get("/api/v1/agents", viewer.token()).json();
            assertThat(agents.get("items")).extracting(a -> a.get("agentId").asText()).contains(FakeAgent.AGENT_ID);
            assertThat(agents.get("items").get(0).get("pools").get(0).asText()).isEqualTo("default");
        });
        Rest.Response unknown = rest.get("/api/v1/nothing", viewer.token());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("code").asText()).isEqualTo("not_found");
        assertThat(rest.get("/api/v1/openapi.yaml", viewer.token()).text()).startsWith("openapi: 3");
    }

    @Test
    @Order(12)
    void aPoolWithQueuedCommandsAndNoLiveAgentIsFlaggedUnserved() {
        assertThat(register("""
                name: on_gpu
                steps:
                  - { key: train, pool: gpu, noop: {} }
                """).status()).isEqualTo(201);
        String runId = trigger("on_gpu", Map.of());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Rest.Response r = rest.get("/api/v1/pools", viewer.token());
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            Map<String, JsonNode> pools = new HashMap<>();
            r.json().get("items").forEach(p -> pools.put(p.get("pool").asText(), p));
            assertThat(pools.get("gpu")).as(r.toString()).isNotNull();
            assertThat(pools.get("gpu").get("liveAgents").asInt()).isZero();
            // One command; a pool no agent ever served is counted from offsets, with the transaction marker.
            assertThat(pools.get("gpu").get("backlog").asLong()).isBetween(1L, 2L);
            assertThat(pools.get("gpu").get("unserved").asBoolean()).isTrue();
        });
        assertThat(rest.postJson("/api/v1/runs/" + runId + "/cancel", operator.token(), Map.of("graceMs", 200)).status())
                .isEqualTo(202);
        awaitRun(runId, "CANCELED");
    }

    @Test
    @Order(20)
    void readModelSurvivesAGatewayRestart() {
        JsonNode before = rest.get("/api/v1/runs?job=orders_daily&limit=100", viewer.token()).json();
        List<String> ids = new ArrayList<>();
        before.get("items").forEach(r -> ids.add(r.get("runId").asText()));
        assertThat(ids).isNotEmpty();
        rest.close();
        gateway.close();

        startGateway();
        JsonNode after = rest.get("/api/v1/runs?job=orders_daily&limit=100", viewer.token()).json();
        List<String> again = new ArrayList<>();
        after.get("items").forEach(r -> again.add(r.get("runId").asText()));
        assertThat(again).containsExactlyElementsOf(ids);
        assertThat(rest.get("/api/v1/jobs/orders_daily", viewer.token()).json().get("version").asInt()).isEqualTo(2);
        String runId = trigger("orders_daily", Map.of());
        awaitRun(runId, "SUCCEEDED");
    }
}
