package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.gateway.Secrets;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.AssetSummary;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.gateway.internal.readmodel.StepView;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resource handlers through the real router (routes, auth, errors, JSON) against an in-memory read model: each
 * endpoint's logic without Kafka. What the read model holds is put in directly; nothing here writes to Kafka.
 */
class ResourceHandlersTest {
    static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    static final ApiTokens.NewToken VIEWER = ApiTokens.create("watcher", Role.VIEWER);
    static final String WAREHOUSE = """
            name: warehouse
            description: the nightly load
            steps:
              - key: extract
                noop: {}
                produces:
                  - { key: lake/raw_orders, deps: [crm/customers], group: lake, owners: [team:data] }
              - key: publish
                needs: [extract]
                noop: {}
                produces:
                  - key: lake/orders_export
                    group: lake
                    description: Orders for the BI team
                    checks:
                      - { name: has_rows, expr: "rows > 0", severity: WARN }
                      - { name: fresh, expr: "age < 1h", severity: ERROR }
            """;
    static final String BI = """
            name: bi
            steps:
              - key: build
                noop: {}
                produces:
                  - { key: bi/dashboard, deps: [lake/orders_export], group: bi }
            """;

    static String scopedToken; // a viewer that sees job bi only
    static Vertx vertx;
    static WorkerExecutor worker;
    static GatewayVerticle verticle;
    static final InMemoryReadStores stores = new InMemoryReadStores();
    static final HttpClient client = HttpClient.newHttpClient();

    static JobDefinition job(String yaml, int version) {
        JobDefinition d = JobParser.parse(yaml, Format.YAML, Instant.ofEpochMilli(T0 + version));
        return JobDefinition.newBuilder(d).setVersion(version).setSource(yaml).build();
    }

    static RunView run(String id, String job, String status, long requestedAt) {
        RunView v = new RunView();
        v.runId = id;
        v.job = job;
        v.jobVersion = 1;
        v.status = status;
        v.requestedAt = requestedAt;
        v.updatedAt = requestedAt;
        v.lastSequence = 1;
        v.origin = "API";
        return v;
    }

    static StepView step(String key, int index, String status) {
        StepView s = new StepView();
        s.key = key;
        s.index = index;
        s.status = status;
        s.pool = "default";
        return s;
    }

    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @BeforeAll
    static void start() throws Exception {
        stores.job(job(WAREHOUSE.replace("the nightly load", "first cut"), 1)).job(job(WAREHOUSE, 2)).job(job(BI, 1));
        // five runs of warehouse, newest last; one of bi
        for (int i = 1; i <= 5; i++) {
            RunView w = run("w" + i, "warehouse", i == 5 ? "RUNNING" : "SUCCEEDED", T0 + i * 1000);
            w.origin = i == 2 ? "SCHEDULE" : i == 4 ? "SENSOR" : "API";
            stores.run(w);
        }
        RunView failed = run("b1", "bi", "FAILED", T0 + 500);
        failed.reason = "step build failed";
        failed.tags.put("team", "bi");
        failed.stepCounts.putAll(Map.of("FAILED", 1, "SKIPPED", 1, "DISPATCHED", 1)); // as the processor keeps them
        StepView build = step("build", 0, "FAILED");
        build.attempt = 2;
        build.error = new StepView.Error();
        build.error.errorClass = "ExitCode";
        build.error.exitCode = 3;
        build.error.attempt = 2;
        stores.run(failed, build, step("notify", 1, "SKIPPED"), step("archive", 2, "DISPATCHED"));
        RunView queued = run("q1", "bi", "REQUESTED", T0 + 100);
        queued.lastSequence = 0;
        stores.run(queued);
        for (int seq = 1; seq <= 3; seq++) {
            stores.event("b1", obj("sequence", seq, "type", seq == 3 ? "RunFailed" : "StepStarted", "runId", "b1"));
        }
        for (int i = 0; i < 5; i++) {
            stores.logLine("b1", T0 + i, "build", i < 3 ? 1 : 2, i, obj("step", "build", "line", "line " + i));
        }
        stores.logLine("b1", T0 + 10, "notify", 1, 0, obj("step", "notify", "line", "notify 0"));

        AssetSummary export = new AssetSummary();
        export.assetKey = "lake/orders_export";
        export.materializationCount = 2;
        export.lastMaterializedAt = T0 + 2000;
        export.lastMaterialization = obj("materializationId", "m2", "runId", "w2");
        AssetSummary.Check failing = new AssetSummary.Check();
        failing.eventId = "c1";
        failing.name = "has_rows";
        failing.severity = "WARN";
        failing.outcome = "FAILED";
        failing.materializationId = "m2";
        failing.atMs = T0 + 2100;
        export.checks.put("has_rows", failing);
        stores.asset(export);
        stores.materialization("lake/orders_export", T0 + 1000, "e1", obj("materializationId", "m1", "runId", "w1"));
        stores.materialization("lake/orders_export", T0 + 2000, "e2", obj("materializationId", "m2", "runId", "w2"));
        stores.check("lake/orders_export", T0 + 2100, "c1", "m2", obj("name", "has_rows", "outcome", "FAILED", "materializationId", "m2"));
        AssetSummary adHoc = new AssetSummary(); // materialized by a script, declared by no job
        adHoc.assetKey = "scratch/adhoc";
        adHoc.materializationCount = 1;
        adHoc.lastMaterializedAt = T0;
        stores.asset(adHoc);
        stores.agent("a1", obj("agentId", "a1", "lastHeartbeat", Instant.now().toString(), "pools", List.of("default")));
        stores.agent("a2", obj("agentId", "a2", "lastHeartbeat", Instant.ofEpochMilli(T0).toString(), "pools", List.of("eu")));

        vertx = Vertx.vertx();
        worker = vertx.createSharedWorkerExecutor("test-worker", 2);
        GatewayConfig config = new GatewayConfig(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "mock://none",
                GatewayConfig.PORT, "0", GatewayConfig.HOST, "127.0.0.1"));
        java.nio.file.Path tokensFile = java.nio.file.Files.createTempDirectory("handlers-test").resolve("tokens");
        scopedToken = dev.baton.gateway.TokenFile.create(tokensFile, "bi-only", Role.VIEWER, null,
                dev.baton.gateway.JobScope.parse("bi"), Instant.now()).token();
        TokenStore tokens = new TokenStore(tokensFile, Map.of(VIEWER.name(), "viewer:" + VIEWER.sha256()), Map.of());
        Services services = new Services(config, config.topics(), vertx, worker, null, null, null, null, null, tokens, null,
                new SimpleMeterRegistry(), null, null, Services.newPendingRuns(), Secrets.fromEnvironment(Map.of()));
        verticle = new GatewayVerticle(services, stores);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    record Reply(int status, JsonNode body) {}

    static Reply get(String pathAndQuery) throws Exception {
        return get(pathAndQuery, VIEWER.token());
    }

    static Reply get(String pathAndQuery, String token) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + pathAndQuery))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), Json.tree(r.body()));
    }

    static Reply ok(String pathAndQuery) throws Exception {
        Reply r = get(pathAndQuery);
        assertThat(r.status()).as("%s answered %s", pathAndQuery, r.body()).isEqualTo(200);
        return r;
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    static void badRequest(String pathAndQuery, String messagePart) throws Exception {
        Reply r = get(pathAndQuery);
        assertThat(r.status()).as(pathAndQuery).isEqualTo(400);
        assertThat(r.body().get("code").asText()).isEqualTo(ApiError.INVALID_REQUEST);
        assertThat(r.body().get("message").asText()).contains(messagePart);
    }

    static void notFound(String pathAndQuery, String messagePart) throws Exception {
        Reply r = get(pathAndQuery);
        assertThat(r.status()).as(pathAndQuery).isEqualTo(404);
        assertThat(r.body().get("code").asText()).isEqualTo(ApiError.NOT_FOUND);
        assertThat(r.body().get("message").asText()).contains(messagePart);
    }

    // ---- runs ----

    @Test
    void runListsAreNewestFirstAndPageWithTheCursorUntilTheLastPageHasNone() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = ok("/api/v1/runs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            assertThat(page.get("limit").asInt()).isEqualTo(3);
            seen.addAll(texts(page.get("items"), "runId"));
            cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactly("w5", "w4", "w3", "w2", "w1", "b1", "q1");
        assertThat(pages).isEqualTo(3);
        assertThat(ok("/api/v1/runs?limit=2&offset=5").body().get("items")).extracting(n -> n.get("runId").asText())
                .containsExactly("b1", "q1");
    }

    @Test
    void runListsFilterByJobAndByApiStatus() throws Exception {
        assertThat(texts(ok("/api/v1/runs?job=bi").body().get("items"), "runId")).containsExactly("b1", "q1");
        // REQUESTED shows, and filters, as QUEUED; several statuses by comma or repeated
        assertThat(texts(ok("/api/v1/runs?status=queued").body().get("items"), "runId")).containsExactly("q1");
        assertThat(texts(ok("/api/v1/runs?status=FAILED,running").body().get("items"), "runId")).containsExactly("w5", "b1");
        assertThat(texts(ok("/api/v1/runs?job=warehouse&status=SUCCEEDED&status=FAILED&limit=2").body().get("items"), "runId"))
                .containsExactly("w4", "w3");
        JsonNode b1 = ok("/api/v1/runs?job=bi&status=FAILED").body().get("items").get(0);
        assertThat(b1.get("status").asText()).isEqualTo("FAILED");
        assertThat(b1.get("tags").get("team").asText()).isEqualTo("bi");
        assertThat(b1.get("stepCounts").toString()).isEqualTo("{\"FAILED\":1,\"QUEUED\":1,\"SKIPPED\":1}");
        assertThat(b1.has("runKey")).as("absent values are left out").isFalse();
        assertThat(b1.get("requestedAt").asText()).isEqualTo(Instant.ofEpochMilli(T0 + 500).toString());
    }

    @Test
    void runListsFilterByOriginAndRequestTimeRange() throws Exception {
        assertThat(texts(ok("/api/v1/runs?origin=schedule").body().get("items"), "runId")).containsExactly("w2");
        assertThat(texts(ok("/api/v1/runs?origin=SCHEDULE,sensor").body().get("items"), "runId")).containsExactly("w4", "w2");
        assertThat(texts(ok("/api/v1/runs?origin=API&job=bi").body().get("items"), "runId")).containsExactly("b1", "q1");
        assertThat(texts(ok("/api/v1/runs?origin=API&status=SUCCEEDED").body().get("items"), "runId")).containsExactly("w3", "w1");
        String since = Instant.ofEpochMilli(T0 + 2000).toString(), until = Instant.ofEpochMilli(T0 + 4000).toString();
        // since inclusive, until exclusive
        assertThat(texts(ok("/api/v1/runs?since=" + since + "&until=" + until).body().get("items"), "runId")).containsExactly("w3", "w2");
        assertThat(texts(ok("/api/v1/runs?until=" + until + "&job=warehouse").body().get("items"), "runId")).containsExactly("w3", "w2", "w1");
        assertThat(texts(ok("/api/v1/runs?since=" + since + "&origin=api").body().get("items"), "runId")).containsExactly("w5", "w3");
        JsonNode first = ok("/api/v1/runs?since=" + Instant.ofEpochMilli(T0 + 500) + "&limit=3").body();
        assertThat(texts(first.get("items"), "runId")).containsExactly("w5", "w4", "w3");
        JsonNode second = ok("/api/v1/runs?since=" + Instant.ofEpochMilli(T0 + 500) + "&limit=3&cursor=" + first.get("nextCursor").asText()).body();
        assertThat(texts(second.get("items"), "runId")).as("the range holds across pages").containsExactly("w2", "w1", "b1");
        assertThat(second.has("nextCursor")).isFalse();
        assertThat(texts(get("/api/v1/runs?origin=SENSOR,API", scopedToken).body().get("items"), "runId")).containsExactly("b1", "q1");
    }

    @Test
    void runListFiltersAreChecked() throws Exception {
        badRequest("/api/v1/runs?origin=moon", "unknown origin 'moon'");
        badRequest("/api/v1/runs?since=yesterday", "since must be an ISO-8601 instant");
        badRequest("/api/v1/runs?until=2026-13-01T00:00:00Z", "until must be an ISO-8601 instant");
        badRequest("/api/v1/runs?since=2026-12-01T10:00:00Z&until=2026-12-01T10:00:00Z", "until must be after since");
    }

    @Test
    void theAllRunsStreamSendsChangedRunsThatMatchTheFiltersAndScope() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + verticle.actualPort() + "/api/v1/runs?origin=SCHEDULE,API&job=warehouse"))
                .header("Authorization", "Bearer " + VIEWER.token()).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        java.util.Iterator<String> lines = r.body().iterator();
        try {
            java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                assertThat(reader.submit(lines::next).get(30, TimeUnit.SECONDS)).isEqualTo(": baton runs");
                // w4 came from a sensor, b1 is another job: left out; w2 and w1 match
                for (String id : List.of("w4", "b1", "w2", "w1")) {
                    stores.publish(new dev.baton.gateway.internal.readmodel.LiveFeed.EventItem(id, 9, "StepStarted", new byte[0], false));
                }
                String data = reader.submit(() -> {
                    while (true) {
                        String line = lines.next();
                        if (line.startsWith("data: ")) {
                            return line.substring(6);
                        }
                        assertThat(line).isIn("", "event: runs", ": keep-alive");
                    }
                }).get(30, TimeUnit.SECONDS);
                JsonNode msg = Json.tree(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(texts(msg.get("items"), "runId")).containsExactlyInAnyOrder("w2", "w1");
                assertThat(texts(msg.get("items"), "origin")).containsExactlyInAnyOrder("SCHEDULE", "API");
                assertThat(msg.get("more").asBoolean()).isFalse();
            } finally {
                reader.shutdownNow();
            }
        } finally {
            r.body().close();
        }
    }

    @Test
    void runListsRefuseUnknownStatusesAndForeignCursors() throws Exception {
        badRequest("/api/v1/runs?status=DONE", "unknown status 'DONE'");
        badRequest("/api/v1/runs?cursor=bm90LWEtY3Vyc29y", "invalid cursor"); // "not-a-cursor"
        badRequest("/api/v1/runs?limit=0", "limit must be between 1 and");
        badRequest("/api/v1/runs?offset=-1", "offset must be between 0 and");
    }

    @Test
    void aTokenScopedToJobsSeesOnlyTheirRunsAndJobs() throws Exception {
        Reply first = get("/api/v1/runs?limit=1", scopedToken);
        assertThat(first.status()).isEqualTo(200);
        assertThat(texts(first.body().get("items"), "runId")).containsExactly("b1");
        Reply second = get("/api/v1/runs?limit=1&cursor=" + first.body().get("nextCursor").asText(), scopedToken);
        assertThat(texts(second.body().get("items"), "runId")).containsExactly("q1");
        assertThat(second.body().has("nextCursor")).isFalse();
        assertThat(texts(get("/api/v1/jobs", scopedToken).body().get("items"), "name")).containsExactly("bi");
        assertThat(get("/api/v1/runs/w1", scopedToken).status()).isEqualTo(404);
        assertThat(get("/api/v1/jobs/warehouse", scopedToken).status()).isEqualTo(404);
        assertThat(get("/api/v1/runs/b1", scopedToken).status()).isEqualTo(200);
    }

    @Test
    void runDetailShowsStatusesStepsAndPagesItsSteps() throws Exception {
        JsonNode r = ok("/api/v1/runs/b1").body();
        assertThat(r.get("runId").asText()).isEqualTo("b1");
        assertThat(r.get("status").asText()).isEqualTo("FAILED");
        assertThat(r.get("reason").asText()).isEqualTo("step build failed");
        assertThat(r.get("stepCount").asInt()).isEqualTo(3);
        assertThat(r.has("nextStepsCursor")).isFalse();
        assertThat(r.has("pending")).isFalse();
        assertThat(texts(r.get("steps"), "key")).containsExactly("build", "notify", "archive");
        assertThat(texts(r.get("steps"), "status")).containsExactly("FAILED", "SKIPPED", "QUEUED");
        JsonNode error = r.get("steps").get(0).get("error");
        assertThat(error.get("class").asText()).isEqualTo("ExitCode");
        assertThat(error.get("exitCode").asInt()).isEqualTo(3);
        assertThat(error.get("attempt").asInt()).isEqualTo(2);
        assertThat(error.has("message")).isFalse();

        JsonNode first = ok("/api/v1/runs/b1?stepsLimit=2").body();
        assertThat(texts(first.get("steps"), "key")).containsExactly("build", "notify");
        JsonNode second = ok("/api/v1/runs/b1?stepsLimit=2&stepsCursor=" + first.get("nextStepsCursor").asText()).body();
        assertThat(texts(second.get("steps"), "key")).containsExactly("archive");
        assertThat(second.has("nextStepsCursor")).isFalse();

        JsonNode queued = ok("/api/v1/runs/q1").body();
        assertThat(queued.get("status").asText()).isEqualTo("QUEUED");
        assertThat(queued.get("pending").asBoolean()).isTrue();
    }

    @Test
    void unknownRunsAre404OnEveryRunRoute() throws Exception {
        notFound("/api/v1/runs/nope", "no run nope");
        notFound("/api/v1/runs/nope/events", "no run nope");
        notFound("/api/v1/runs/nope/logs", "no run nope");
        badRequest("/api/v1/runs/b1?stepsCursor=eHl6", "invalid cursor"); // "xyz": not a step position
    }

    // ---- events and logs ----

    @Test
    void eventsPageAfterTheLastSequence() throws Exception {
        JsonNode first = ok("/api/v1/runs/b1/events?limit=2").body();
        assertThat(first.get("status").asText()).isEqualTo("FAILED");
        assertThat(first.get("items")).extracting(n -> n.get("sequence").asLong()).containsExactly(1L, 2L);
        assertThat(first.get("lastSequence").asLong()).isEqualTo(2);
        assertThat(first.get("truncated").asBoolean()).isTrue();
        JsonNode rest = ok("/api/v1/runs/b1/events?after=2").body();
        assertThat(rest.get("items")).extracting(n -> n.get("type").asText()).containsExactly("RunFailed");
        assertThat(rest.get("lastSequence").asLong()).isEqualTo(3);
        assertThat(rest.get("truncated").asBoolean()).isFalse();
        badRequest("/api/v1/runs/b1/events?after=-1", "after must not be negative");
    }

    @Test
    void logsTailAndFollowWithTheCursor() throws Exception {
        JsonNode tail = ok("/api/v1/runs/b1/logs?tail=2").body();
        assertThat(texts(tail.get("items"), "line")).containsExactly("line 4", "notify 0");
        assertThat(tail.get("total").asLong()).isEqualTo(6);
        assertThat(tail.get("limit").asInt()).isEqualTo(2);
        assertThat(tail.get("truncated").asBoolean()).isFalse();

        JsonNode first = ok("/api/v1/runs/b1/logs?limit=4").body();
        assertThat(texts(first.get("items"), "line")).containsExactly("line 0", "line 1", "line 2", "line 3");
        assertThat(first.get("truncated").asBoolean()).isTrue();
        String cursor = first.get("nextCursor").asText();
        JsonNode next = ok("/api/v1/runs/b1/logs?limit=4&cursor=" + cursor).body();
        assertThat(texts(next.get("items"), "line")).containsExactly("line 4", "notify 0");
        assertThat(next.get("truncated").asBoolean()).isFalse();
        // "after" is the cursor's alias; at the end of the log the cursor stays where it was
        JsonNode end = ok("/api/v1/runs/b1/logs?after=" + next.get("nextCursor").asText()).body();
        assertThat(end.get("items")).isEmpty();
        assertThat(end.get("nextCursor").asText()).isEqualTo(next.get("nextCursor").asText());

        JsonNode attempt2 = ok("/api/v1/runs/b1/logs?step=build&attempt=2").body();
        assertThat(texts(attempt2.get("items"), "line")).containsExactly("line 3", "line 4");
        assertThat(attempt2.get("total").asLong()).isEqualTo(2);
    }

    @Test
    void logRequestsAreCheckedBeforeAnyRead() throws Exception {
        badRequest("/api/v1/runs/b1/logs?attempt=1", "attempt needs step");
        badRequest("/api/v1/runs/b1/logs?tail=0", "tail must be between 1 and");
        badRequest("/api/v1/runs/b1/logs?cursor=eHl6", "invalid cursor"); // "xyz": not a log position
        String notifyCursor = ok("/api/v1/runs/b1/logs?step=notify").body().get("nextCursor").asText();
        badRequest("/api/v1/runs/b1/logs?step=build&cursor=" + notifyCursor, "invalid cursor"); // another step's position
    }

    // ---- jobs ----

    @Test
    void jobListsAreByNameWithTheLatestVersionAndPage() throws Exception {
        JsonNode first = ok("/api/v1/jobs?limit=1").body();
        assertThat(texts(first.get("items"), "name")).containsExactly("bi");
        JsonNode second = ok("/api/v1/jobs?limit=1&cursor=" + first.get("nextCursor").asText()).body();
        JsonNode warehouse = second.get("items").get(0);
        assertThat(warehouse.get("name").asText()).isEqualTo("warehouse");
        assertThat(warehouse.get("version").asInt()).isEqualTo(2);
        assertThat(warehouse.get("description").asText()).isEqualTo("the nightly load");
        assertThat(warehouse.get("steps").toString()).isEqualTo("[\"extract\",\"publish\"]");
        assertThat(warehouse.get("produces").toString()).isEqualTo("[\"lake/raw_orders\",\"lake/orders_export\"]");
        assertThat(warehouse.get("triggers").asInt()).isZero();
        assertThat(second.has("nextCursor")).isFalse();
        assertThat(first.get("items").get(0).has("description")).isFalse();
    }

    @Test
    void jobDetailShowsAnyVersionWithTheVersionsThereAre() throws Exception {
        JsonNode latest = ok("/api/v1/jobs/warehouse").body();
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("latestVersion").asInt()).isEqualTo(2);
        assertThat(latest.get("versions").toString()).isEqualTo("[1,2]");
        assertThat(latest.get("definition").get("name").asText()).isEqualTo("warehouse");
        assertThat(latest.get("source").asText()).isEqualTo(WAREHOUSE);
        JsonNode v1 = ok("/api/v1/jobs/warehouse?version=1").body();
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("latestVersion").asInt()).isEqualTo(2);
        assertThat(v1.get("description").asText()).isEqualTo("first cut");
        notFound("/api/v1/jobs/nope", "no job named 'nope' is registered");
        notFound("/api/v1/jobs/warehouse?version=7", "job 'warehouse' has no version 7");
        badRequest("/api/v1/jobs/warehouse?version=0", "version must be between 1 and");
    }

    // ---- assets and lineage ----

    @Test
    void assetListsHoldDeclaredAndMaterializedAssets() throws Exception {
        JsonNode items = ok("/api/v1/assets").body().get("items");
        assertThat(texts(items, "assetKey"))
                .containsExactly("bi/dashboard", "lake/orders_export", "lake/raw_orders", "scratch/adhoc");
        JsonNode export = items.get(1);
        assertThat(export.get("declaredBy").get("job").asText()).isEqualTo("warehouse");
        assertThat(export.get("declaredBy").get("checks").toString()).isEqualTo("[\"has_rows\",\"fresh\"]");
        assertThat(export.get("materializationCount").asLong()).isEqualTo(2);
        assertThat(export.get("lastMaterialization").get("materializationId").asText()).isEqualTo("m2");
        assertThat(export.get("failingChecks").asLong()).isEqualTo(1);
        JsonNode adHoc = items.get(3);
        assertThat(adHoc.has("declaredBy")).isFalse();
        assertThat(adHoc.get("materializationCount").asLong()).isEqualTo(1);
        JsonNode paged = ok("/api/v1/assets?limit=2&cursor=" + ok("/api/v1/assets?limit=2").body().get("nextCursor").asText()).body();
        assertThat(texts(paged.get("items"), "assetKey")).containsExactly("lake/raw_orders", "scratch/adhoc");
    }

    @Test
    void assetDetailShowsLatestChecksAndPagesMaterializationsNewestFirst() throws Exception {
        JsonNode a = ok("/api/v1/assets/lake/orders_export?limit=1").body();
        assertThat(a.has("lastMaterialization")).isFalse();
        assertThat(texts(a.get("checks"), "name")).containsExactly("has_rows", "fresh");
        JsonNode hasRows = a.get("checks").get(0);
        assertThat(hasRows.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(hasRows.get("expression").asText()).isEqualTo("rows > 0");
        JsonNode fresh = a.get("checks").get(1);
        assertThat(fresh.get("severity").asText()).isEqualTo("ERROR");
        assertThat(fresh.has("outcome")).as("never evaluated").isFalse();
        assertThat(texts(a.get("materializations"), "materializationId")).containsExactly("m2");
        assertThat(texts(a.get("materializations").get(0).get("checks"), "name")).containsExactly("has_rows");
        JsonNode older = ok("/api/v1/assets/lake/orders_export?limit=1&cursor=" + a.get("nextCursor").asText()).body();
        assertThat(texts(older.get("materializations"), "materializationId")).containsExactly("m1");
        assertThat(older.has("nextCursor")).isFalse();

        JsonNode checks = ok("/api/v1/assets/lake/orders_export/checks").body();
        assertThat(checks.get("assetKey").asText()).isEqualTo("lake/orders_export");
        assertThat(texts(checks.get("items"), "outcome")).containsExactly("FAILED");
        // percent-encoded keys are the same asset
        assertThat(ok("/api/v1/assets/lake%2Forders_export").body().get("assetKey").asText()).isEqualTo("lake/orders_export");
    }

    @Test
    void lineageWalksUpAndDownToTheAskedDepth() throws Exception {
        JsonNode both = ok("/api/v1/assets/lake/orders_export/lineage").body();
        assertThat(both.get("direction").asText()).isEqualTo("both");
        assertThat(both.get("depth").asInt()).isEqualTo(1);
        assertThat(texts(both.get("nodes"), "assetKey")).containsExactly("lake/raw_orders", "lake/orders_export", "bi/dashboard");
        assertThat(both.get("nodes")).extracting(n -> n.get("level").asInt()).containsExactly(-1, 0, 1);
        assertThat(both.get("truncated").asBoolean()).isTrue(); // crm/customers is beyond
        JsonNode root = both.get("nodes").get(1);
        assertThat(root.get("lastMaterializationId").asText()).isEqualTo("m2");
        assertThat(root.get("lastRunId").asText()).isEqualTo("w2");
        assertThat(root.get("failingChecks").asLong()).isEqualTo(1);
        assertThat(both.get("edges")).extracting(e -> e.get("upstream").asText() + ">" + e.get("downstream").asText())
                .containsExactly("lake/raw_orders>lake/orders_export", "lake/orders_export>bi/dashboard");

        JsonNode up = ok("/api/v1/assets/lake/orders_export/lineage?direction=up&depth=2").body();
        assertThat(texts(up.get("nodes"), "assetKey")).containsExactly("crm/customers", "lake/raw_orders", "lake/orders_export");
        assertThat(up.get("nodes").get(0).get("source").asBoolean()).isTrue();
        assertThat(up.get("truncated").asBoolean()).isFalse();
        assertThat(up.has("excludedJobs")).isFalse();
    }

    @Test
    void assetErrors() throws Exception {
        notFound("/api/v1/assets/no/such", "no asset no/such");
        notFound("/api/v1/assets/no/such/checks", "no asset no/such");
        notFound("/api/v1/assets/no/such/lineage", "no asset no/such");
        badRequest("/api/v1/assets/lake/orders_export/lineage?direction=sideways", "direction must be up, down or both");
        badRequest("/api/v1/assets/lake/orders_export/lineage?depth=11", "depth must be between 1 and 10");
    }

    // ---- agents ----

    @Test
    void agentsAreMarkedStaleAfterTheirLastHeartbeat() throws Exception {
        JsonNode items = ok("/api/v1/agents").body().get("items");
        assertThat(items).extracting(n -> n.get("agentId").asText() + ":" + n.get("stale").asBoolean())
                .containsExactly("a1:false", "a2:true");
    }

    @Test
    void poolsCountLiveAgentsAndLeaveTheBacklogUnknownWithoutKafka() throws Exception {
        JsonNode items = ok("/api/v1/pools").body().get("items");
        assertThat(items).extracting(n -> n.get("pool").asText() + ":" + n.get("liveAgents").asInt() + "/"
                        + n.get("staleAgents").asInt() + ":" + n.has("backlog") + ":" + n.get("unserved").asBoolean())
                .containsExactly("default:1/0:false:false", "eu:0/1:false:false");
    }
}
