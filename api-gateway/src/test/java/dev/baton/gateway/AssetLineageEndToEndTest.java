package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetFreshnessChanged;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.CheckOutcome;
import dev.baton.events.CheckSeverity;
import dev.baton.events.IntValue;
import dev.baton.events.LineageEvent;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Assets end to end against the real broker and registry, a real coordinator and a fake agent: the lineage stream
 * decoded by a consumer that knows only the published schemas, the lineage graph across jobs, asset cycles refused
 * at registration, and the check and freshness views (fed with lineage events this test writes itself).
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssetLineageEndToEndTest {
    /** crm/customers (source) -> lake/raw_orders -(inferred)-> lake/orders_export -> bi/dashboard (job bi). */
    static final String WAREHOUSE = """
            name: warehouse
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
                    owners: [alice@example.com, team:data]
                    description: Orders for the BI team
                    checks:
                      - { name: has_rows, expr: "rows > 0", severity: WARN }
            """;
    static final String BI = """
            name: bi
            steps:
              - key: build
                noop: {}
                produces:
                  - { key: bi/dashboard, deps: [lake/orders_export], group: bi }
            """;

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final ApiTokens.NewToken viewer = ApiTokens.create("watcher", Role.VIEWER);

    TestCluster cluster;
    Topics topics;
    Coordinator coordinator;
    FakeAgent agent;
    Gateway gateway;
    Rest rest;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        this.cluster = cluster;
        topics = cluster.createTopics(cluster.newTopics("assets"));
        Map<String, Object> cc = new HashMap<>(cluster.config(topics));
        cc.put(CoordinatorConfig.STATE_DIR, dir.resolve("coordinator").toString());
        coordinator = Coordinator.start(new CoordinatorConfig(cc), new SimpleMeterRegistry());
        agent = new FakeAgent(cluster, topics, "default", c -> FakeAgent.Outcome.SUCCEED);
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put("token.admin", admin.envValue());
        gc.put("token.watcher", viewer.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
        rest = new Rest(vertx, gateway.port());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
        assertThat(register(WAREHOUSE).status()).isEqualTo(201);
        assertThat(register(BI).status()).isEqualTo(201);
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

    Rest.Response register(String yaml) {
        return rest.post("/api/v1/jobs", admin.token(), "application/yaml", yaml);
    }

    JsonNode get(String path) {
        Rest.Response r = rest.get(path, viewer.token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    String runToSuccess(String job) {
        Rest.Response r = rest.postJson("/api/v1/jobs/" + job + "/runs", admin.token(), Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String runId = r.json().get("runId").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("/api/v1/runs/" + runId).get("status").asText()).isEqualTo("SUCCEEDED"));
        return runId;
    }

    static String text(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }

    @Test
    void aConsumerWithOnlyThePublishedSchemasDecodesTheLineageStream() {
        String runId = runToSuccess("warehouse");
        Map<String, SchemaOnlyLineageConsumer.Decoded> byAsset = new HashMap<>();
        List<GenericRecord> exportEvents = new ArrayList<>(); // this run's events of lake/orders_export, in stream order
        try (SchemaOnlyLineageConsumer consumer = new SchemaOnlyLineageConsumer(cluster.bootstrapServers(), cluster.registryUrl(),
                topics.lineage())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (SchemaOnlyLineageConsumer.Decoded d : consumer.poll(Duration.ofMillis(200))) {
                    if (!runId.equals(text(d.value(), "runId"))) {
                        continue;
                    }
                    GenericRecord payload = (GenericRecord) d.value().get("payload");
                    if (payload.getSchema().getName().equals("AssetMaterialization")) {
                        byAsset.put(text(d.value(), "assetKey"), d);
                    }
                    if ("lake/orders_export".equals(d.key())) {
                        exportEvents.add(d.value());
                    }
                }
                return byAsset.keySet().containsAll(List.of("lake/raw_orders", "lake/orders_export")) && exportEvents.size() >= 2;
            });
        }
        SchemaOnlyLineageConsumer.Decoded raw = byAsset.get("lake/raw_orders");
        SchemaOnlyLineageConsumer.Decoded export = byAsset.get("lake/orders_export");
        assertThat(export.key()).as("records are keyed by asset key").isEqualTo("lake/orders_export");
        assertThat(export.value().getSchema().getFullName()).isEqualTo("dev.baton.events.LineageEvent");

        GenericRecord m = (GenericRecord) export.value().get("payload");
        assertThat(text(m, "job")).isEqualTo("warehouse");
        assertThat(text(m, "stepKey")).isEqualTo("publish");
        assertThat((Integer) m.get("attempt")).isEqualTo(1);
        assertThat(text(m, "dataVersion")).isNotBlank();

        // exact lineage: the upstream reference is the materialization the extract step wrote in this run
        @SuppressWarnings("unchecked")
        List<GenericRecord> upstream = (List<GenericRecord>) m.get("upstream");
        assertThat(upstream).hasSize(1);
        assertThat(text(upstream.get(0), "assetKey")).isEqualTo("lake/raw_orders");
        assertThat(text(upstream.get(0), "materializationId")).isEqualTo(text(raw.value(), "eventId"));

        // typed metadata: each value is a record whose schema name says its type
        @SuppressWarnings("unchecked")
        Map<Object, GenericRecord> metadata = (Map<Object, GenericRecord>) m.get("metadata");
        Map<String, String> types = new HashMap<>();
        Map<String, Object> values = new HashMap<>();
        metadata.forEach((k, v) -> {
            types.put(k.toString(), v.getSchema().getName());
            values.put(k.toString(), v.get("value") instanceof CharSequence cs ? cs.toString() : v.get("value"));
        });
        assertThat(types).containsEntry("rows", "IntValue").containsEntry("ratio", "FloatValue").containsEntry("complete", "BoolValue")
                .containsEntry("report", "UrlValue").containsEntry("schema", "JsonValue").containsEntry("note", "TextValue");
        assertThat(values).containsEntry("rows", 7L).containsEntry("ratio", 0.25).containsEntry("complete", true)
                .containsEntry("report", "https://example.com/reports/7").containsEntry("schema", "{\"columns\": 3}")
                .containsEntry("note", "all good");

        // the check result follows its materialization on the asset's partition
        assertThat(exportEvents).extracting(e -> ((GenericRecord) e.get("payload")).getSchema().getName())
                .containsExactly("AssetMaterialization", "AssetCheckEvaluated");
        GenericRecord check = (GenericRecord) exportEvents.get(1).get("payload");
        assertThat(text(check, "checkName")).isEqualTo("has_rows");
        assertThat(text(check, "severity")).isEqualTo("WARN");
        assertThat(text(check, "outcome")).isEqualTo("PASSED");
        assertThat(text(check, "materializationId")).isEqualTo(text(export.value(), "eventId"));

        // the compacted view holds the same materialization as the latest of the asset
        try (SchemaOnlyLineageConsumer latest = new SchemaOnlyLineageConsumer(cluster.bootstrapServers(), cluster.registryUrl(),
                topics.assetsLatest())) {
            Map<String, String> latestIds = new HashMap<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                latest.poll(Duration.ofMillis(200)).forEach(d -> latestIds.put(d.key(), text(d.value(), "eventId")));
                return text(export.value(), "eventId").equals(latestIds.get("lake/orders_export"));
            });
        }

        // and the gateway shows the same ids, the check on the materialization and as the latest result
        String exportId = text(export.value(), "eventId");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode detail = get("/api/v1/assets/lake/orders_export");
            JsonNode newest = detail.get("materializations").get(0);
            assertThat(newest.get("materializationId").asText()).isEqualTo(exportId);
            assertThat(newest.get("checks")).extracting(c -> c.get("name").asText() + "=" + c.get("outcome").asText())
                    .containsExactly("has_rows=PASSED");
            assertThat(detail.get("checks").get(0).get("materializationId").asText()).isEqualTo(exportId);
            assertThat(detail.get("checks").get(0).get("expression").asText()).isEqualTo("rows > 0");
        });
    }

    @Test
    void lineageWalksUpAndDownAcrossJobsWithEdgeKindsAndLatestMaterializations() {
        String runId = runToSuccess("warehouse");
        JsonNode up = await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/assets/lake/orders_export/lineage?direction=up"),
                l -> l.get("nodes").size() == 2 && runId.equals(l.get("nodes").get(1).path("lastRunId").asText()));
        assertThat(up.get("direction").asText()).isEqualTo("up");
        assertThat(up.get("depth").asInt()).isEqualTo(1);
        assertThat(up.get("truncated").asBoolean()).as("crm/customers is further up").isTrue();
        JsonNode raw = up.get("nodes").get(0);
        assertThat(raw.get("assetKey").asText()).isEqualTo("lake/raw_orders");
        assertThat(raw.get("level").asInt()).isEqualTo(-1);
        assertThat(raw.get("job").asText()).isEqualTo("warehouse");
        assertThat(raw.get("step").asText()).isEqualTo("extract");
        assertThat(raw.get("group").asText()).isEqualTo("lake");
        JsonNode self = up.get("nodes").get(1);
        assertThat(self.get("level").asInt()).isZero();
        String latestId = get("/api/v1/assets/lake/orders_export").get("materializations").get(0).get("materializationId").asText();
        assertThat(self.get("lastMaterializationId").asText()).isEqualTo(latestId);
        assertThat(self.get("lastMaterializedAt").asText()).isNotBlank();
        assertThat(up.get("edges")).singleElement().satisfies(e -> {
            assertThat(e.get("upstream").asText()).isEqualTo("lake/raw_orders");
            assertThat(e.get("downstream").asText()).isEqualTo("lake/orders_export");
            assertThat(e.get("kind").asText()).isEqualTo("INFERRED");
            assertThat(e.get("job").asText()).isEqualTo("warehouse");
        });

        JsonNode down = get("/api/v1/assets/lake/orders_export/lineage?direction=down");
        assertThat(down.get("nodes")).extracting(n -> n.get("assetKey").asText() + "@" + n.get("level").asInt())
                .containsExactly("lake/orders_export@0", "bi/dashboard@1");
        assertThat(down.get("nodes").get(1).get("job").asText()).isEqualTo("bi");
        assertThat(down.get("nodes").get(1).has("lastMaterializationId")).as("bi never ran").isFalse();
        assertThat(down.get("edges")).singleElement().satisfies(e -> {
            assertThat(e.get("kind").asText()).isEqualTo("EXPLICIT");
            assertThat(e.get("job").asText()).isEqualTo("bi");
        });
        assertThat(down.get("truncated").asBoolean()).isFalse();

        // both ways, two levels, from the other job's asset; the key may also be sent percent-encoded
        JsonNode both = get("/api/v1/assets/bi%2Fdashboard/lineage?depth=3");
        assertThat(both.get("assetKey").asText()).isEqualTo("bi/dashboard");
        assertThat(both.get("nodes")).extracting(n -> n.get("assetKey").asText() + "@" + n.get("level").asInt())
                .containsExactly("crm/customers@-3", "lake/raw_orders@-2", "lake/orders_export@-1", "bi/dashboard@0");
        assertThat(both.get("nodes").get(0).get("source").asBoolean()).isTrue();
        assertThat(both.get("edges")).extracting(e -> e.get("upstream").asText() + ">" + e.get("downstream").asText() + ":"
                + e.get("kind").asText()).containsExactly("crm/customers>lake/raw_orders:EXPLICIT",
                "lake/raw_orders>lake/orders_export:INFERRED", "lake/orders_export>bi/dashboard:EXPLICIT");

        Rest.Response tooDeep = rest.get("/api/v1/assets/lake/orders_export/lineage?depth=11", viewer.token());
        assertThat(tooDeep.status()).isEqualTo(400);
        assertThat(tooDeep.json().get("code").asText()).isEqualTo("invalid_request");
        assertThat(rest.get("/api/v1/assets/lake/orders_export/lineage?direction=sideways", viewer.token()).status()).isEqualTo(400);
        assertThat(rest.get("/api/v1/assets/nowhere/lineage", viewer.token()).status()).isEqualTo(404);

        // the list shows declarations next to the latest state
        JsonNode list = get("/api/v1/assets?limit=1000");
        Map<String, JsonNode> byKey = new HashMap<>();
        list.get("items").forEach(a -> byKey.put(a.get("assetKey").asText(), a));
        JsonNode export = byKey.get("lake/orders_export");
        assertThat(export.get("group").asText()).isEqualTo("lake");
        assertThat(export.get("owners")).extracting(JsonNode::asText).containsExactly("alice@example.com", "team:data");
        assertThat(export.get("description").asText()).isEqualTo("Orders for the BI team");
        assertThat(export.get("lastMaterializedAt").asText()).isNotBlank();
        assertThat(export.get("failingChecks").asInt()).isZero();
        assertThat(byKey.get("bi/dashboard").get("materializationCount").asLong()).isZero();
    }

    @Test
    void aJobWhoseAssetsCloseACycleWithAnotherJobIsRefusedNamingTheCycleAndItsPaths() {
        assertThat(register("""
                name: cyc_a
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - { key: cyc/x, deps: [cyc/y] }
                """).status()).isEqualTo(201);
        String cyclic = """
                name: cyc_b
                steps:
                  - { key: prepare, noop: {} }
                  - key: derive
                    needs: [prepare]
                    noop: {}
                    produces:
                      - { key: cyc/z }
                      - { key: cyc/y, deps: [cyc/other, cyc/x] }
                """;
        Rest.Response refused = register(cyclic);
        // 409 (was 400 before the job registry): a conflict with what is registered, decided by the registry
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        JsonNode body = refused.json();
        assertThat(body.get("code").asText()).isEqualTo("conflict");
        assertThat(body.get("reason").asText()).isEqualTo("asset_cycle");
        assertThat(body.get("problems")).singleElement().satisfies(p -> {
            assertThat(p.get("path").asText()).isEqualTo("steps[1].produces[1].deps[1]");
            assertThat(p.get("message").asText()).contains("cyc/x -> cyc/y -> cyc/x")
                    .contains("cyc/x -> cyc/y: deps in job 'cyc_b' at steps[1].produces[1].deps[1]")
                    .contains("cyc/y -> cyc/x: deps in job 'cyc_a' at steps[0].produces[0].deps[0]");
        });
        assertThat(rest.get("/api/v1/jobs/cyc_b", viewer.token()).status()).as("nothing registered").isEqualTo(404);

        // taking another job's asset is refused too
        Rest.Response taken = register("""
                name: cyc_c
                steps:
                  - { key: load, noop: {}, produces: [cyc/x] }
                """);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.json().get("reason").asText()).isEqualTo("asset_owned_by_other_job");
        assertThat(taken.json().get("problems").get(0).get("path").asText()).isEqualTo("steps[0].produces[0]");
        assertThat(taken.json().get("problems").get(0).get("message").asText()).contains("already produced by job 'cyc_a'");

        // without the back edge it registers, and the lineage shows the cross-job edge
        Rest.Response fixed = register(cyclic.replace("deps: [cyc/other, cyc/x]", "deps: [cyc/other]"));
        assertThat(fixed.status()).as(fixed.toString()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(get("/api/v1/assets/cyc/x/lineage?direction=up").get("edges"))
                        .extracting(e -> e.get("upstream").asText() + ">" + e.get("job").asText()).containsExactly("cyc/y>cyc_a"));
    }

    @Test
    void checksAndFreshnessViewsFollowTheLineageEvents() {
        // declared (with checks, no freshness policy) by a job that never runs; the events come from this test
        assertThat(register("""
                name: synthetic
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - key: syn/orders
                        checks:
                          - { name: not_empty, expr: "rows > 0" }
                          - { name: small, expr: "rows < 1000", severity: WARN }
                          - { name: never_run, expr: "rows != 13", severity: WARN }
                """).status()).isEqualTo(201);
        String asset = "syn/orders";
        long now = System.currentTimeMillis();
        long hour = 3_600_000L;
        String m1 = UUID.randomUUID().toString();
        String m2 = UUID.randomUUID().toString();
        try (TestProducer producer = new TestProducer(cluster)) {
            send(producer, materialization(asset, m1, now - 3 * hour, 5_000));
            send(producer, check(asset, now - 3 * hour + 1, "not_empty", CheckSeverity.ERROR, CheckOutcome.PASSED, m1));
            send(producer, check(asset, now - 3 * hour + 2, "small", CheckSeverity.WARN, CheckOutcome.FAILED, m1));
            send(producer, materialization(asset, m2, now - 2 * hour, 0));
            send(producer, check(asset, now - 2 * hour + 1, "not_empty", CheckSeverity.ERROR, CheckOutcome.FAILED, m2));
            send(producer, check(asset, now - 2 * hour + 2, "small", CheckSeverity.WARN, CheckOutcome.PASSED, m2));
            send(producer, freshness(asset, now - hour + 60_000, false, hour, now - 2 * hour));
            send(producer, freshness(asset, now - 30 * 60_000, false, hour, now - 2 * hour)); // still stale
        }
        String path = "/api/v1/assets/" + asset;
        JsonNode detail = await().atMost(Duration.ofSeconds(20)).until(() -> get(path),
                d -> d.path("freshness").path("lastEventAt").asText().equals(Instant.ofEpochMilli(now - 30 * 60_000).toString()));

        List<String> checks = new ArrayList<>();
        detail.get("checks").forEach(c -> checks.add(c.get("name").asText() + "=" + c.path("outcome").asText("-")));
        assertThat(checks).containsExactly("not_empty=FAILED", "small=PASSED", "never_run=-");
        JsonNode notEmpty = detail.get("checks").get(0);
        assertThat(notEmpty.get("severity").asText()).isEqualTo("ERROR");
        assertThat(notEmpty.get("materializationId").asText()).isEqualTo(m2);
        assertThat(notEmpty.get("expression").asText()).isEqualTo("rows > 0");
        assertThat(notEmpty.get("message").asText()).isEqualTo("not_empty: FAILED");
        assertThat(notEmpty.get("timestamp").asText()).isEqualTo(Instant.ofEpochMilli(now - 2 * hour + 1).toString());
        assertThat(detail.get("failingChecks").asInt()).isEqualTo(1);

        JsonNode freshness = detail.get("freshness");
        assertThat(freshness.get("status").asText()).isEqualTo("STALE");
        assertThat(freshness.get("fresh").asBoolean()).isFalse();
        assertThat(freshness.get("maxLagMs").asLong()).isEqualTo(hour);
        assertThat(freshness.get("lastMaterializedAt").asText()).isEqualTo(Instant.ofEpochMilli(now - 2 * hour).toString());
        assertThat(freshness.get("since").asText()).as("stale since the lag ran out, though reported later")
                .isEqualTo(Instant.ofEpochMilli(now - hour).toString());

        // each materialization carries its own check results
        Map<String, Map<String, String>> byMaterialization = new LinkedHashMap<>();
        detail.get("materializations").forEach(m -> {
            Map<String, String> results = new LinkedHashMap<>();
            m.get("checks").forEach(c -> results.put(c.get("name").asText(), c.get("outcome").asText()));
            byMaterialization.put(m.get("materializationId").asText(), results);
        });
        assertThat(byMaterialization).containsExactly(
                Map.entry(m2, Map.of("not_empty", "FAILED", "small", "PASSED")),
                Map.entry(m1, Map.of("not_empty", "PASSED", "small", "FAILED")));

        // the history, newest first, in pages
        JsonNode page = get(path + "/checks?limit=3");
        assertThat(page.get("assetKey").asText()).isEqualTo(asset);
        assertThat(page.get("items")).extracting(c -> c.get("name").asText() + "@" + c.get("materializationId").asText())
                .containsExactly("small@" + m2, "not_empty@" + m2, "small@" + m1);
        JsonNode rest2 = get(path + "/checks?limit=3&cursor=" + page.get("nextCursor").asText());
        assertThat(rest2.get("items")).extracting(c -> c.get("name").asText() + "@" + c.get("outcome").asText())
                .containsExactly("not_empty@PASSED");
        assertThat(rest2.path("nextCursor").isNull() || rest2.path("nextCursor").isMissingNode()).as("last page").isTrue();

        // the list counts failing checks and shows the freshness status
        JsonNode listed = null;
        for (JsonNode a : get("/api/v1/assets?limit=1000").get("items")) {
            if (a.get("assetKey").asText().equals(asset)) {
                listed = a;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("failingChecks").asInt()).isEqualTo(1);
        assertThat(listed.get("freshness").get("status").asText()).isEqualTo("STALE");

        // a new materialization makes it fresh at once; the coordinator's verdict then confirms it
        String m3 = UUID.randomUUID().toString();
        long at3 = System.currentTimeMillis();
        try (TestProducer producer = new TestProducer(cluster)) {
            send(producer, materialization(asset, m3, at3, 10));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode f = get(path).get("freshness");
                assertThat(f.get("status").asText()).isEqualTo("FRESH");
                assertThat(f.get("since").asText()).isEqualTo(Instant.ofEpochMilli(at3).toString());
            });
            send(producer, freshness(asset, at3 + 5, true, hour, at3));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode f = get(path).get("freshness");
            assertThat(f.get("lastEventAt").asText()).isEqualTo(Instant.ofEpochMilli(at3 + 5).toString());
            assertThat(f.get("status").asText()).isEqualTo("FRESH");
            assertThat(f.get("since").asText()).isEqualTo(Instant.ofEpochMilli(at3).toString());
        });
        assertThat(rest.get("/api/v1/assets/nowhere/checks", viewer.token()).status()).isEqualTo(404);
    }

    void send(TestProducer producer, LineageEvent e) {
        producer.send(topics.lineage(), e.getAssetKey(), e);
    }

    static LineageEvent event(String asset, String id, long at, Object payload) {
        return LineageEvent.newBuilder().setEventId(id).setRunId("synthetic-run").setTimestamp(Instant.ofEpochMilli(at))
                .setTraceId("test").setAssetKey(asset).setPayload(payload).build();
    }

    static LineageEvent materialization(String asset, String id, long at, long rows) {
        return event(asset, id, at, AssetMaterialization.newBuilder().setJob("synthetic").setStepKey("load").setAttempt(1)
                .setAttemptId(UUID.randomUUID().toString()).setDataVersion("v-" + rows)
                .setMetadata(Map.of("rows", new IntValue(rows))).build());
    }

    static LineageEvent check(String asset, long at, String name, CheckSeverity severity, CheckOutcome outcome, String materializationId) {
        return event(asset, UUID.randomUUID().toString(), at,
                new AssetCheckEvaluated(name, severity, outcome, materializationId, name + ": " + outcome));
    }

    static LineageEvent freshness(String asset, long at, boolean fresh, long maxLagMs, long lastMaterializedAt) {
        return event(asset, UUID.randomUUID().toString(), at,
                new AssetFreshnessChanged(fresh, maxLagMs, Instant.ofEpochMilli(lastMaterializedAt)));
    }
}
