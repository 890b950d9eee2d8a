package dev.baton.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.cli.DevStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus}, storage in a temporary directory, listening on loopback) scrapes
 * a live single-machine stack (real KRaft broker, registry, coordinator, scheduler, agent, gateway in this JVM)
 * while it runs a few jobs: succeeding ones with a fresh asset under a concurrency limit, a failing one, one whose
 * secret is missing, one requested by a Kafka sensor, and two backfills of a partitioned job run to completion. Then every PromQL expression of deploy/grafana/baton.json,
 * and the measured side of every alert of deploy/prometheus/alerts.yml, must return data from Prometheus' HTTP API,
 * and every alert rule must evaluate without error.
 */
class LivePrometheusTest {
    static final String JOBS = """
            name: ops_ok
            concurrency: { maxRuns: 2 }
            steps:
              - key: extract
                run: echo "rows=3" >> "$BATON_OUTPUT"
                produces:
                  - key: ops_table
                    freshness: { maxLag: PT1H }
              - key: load
                needs: [extract]
                run: echo loaded
            """;
    static final String FAILING = """
            name: ops_fail
            steps:
              - key: boom
                run: exit 3
            """;
    static final String MISSING_SECRET = """
            name: ops_secret
            steps:
              - key: use
                run: echo "${{ secrets.OPS_NOT_SET_ANYWHERE }}"
            """;
    static final String PARTITIONED = """
            name: ops_parts
            partitions: { static: [eu, us, apac] }
            steps:
              - key: load
                run: echo "loading ${{ partition.key }}"
            """;
    /** The dashboard's backfill panel: a mean of rates, a number only once its count has moved within the window. */
    static final String BACKFILL_METRIC = "baton_backfill_duration_seconds";
    static final String SENSOR_TOPIC = "ops.events";
    static final String SENSOR = """
            name: ops_sensor
            triggers:
              - kafka:
                  name: events
                  topic: %s
                  format: STRING
            steps:
              - key: react
                run: echo reacted
            """.formatted(SENSOR_TOPIC);

    final HttpClient http = HttpClient.newHttpClient();
    @TempDir Path dir;

    @Test
    void everyDashboardQueryAndAlertExpressionReturnsDataFromARealPrometheus() throws Exception {
        try (DevStack s = DevStack.start(new DevStack.Settings(dir.resolve("data"), 0, 0, 0, 4, Map.of()))) {
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(s::ready);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", s.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(SENSOR_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (PrometheusProcess prometheus = PrometheusProcess.start(dir.resolve("prometheus"),
                    URI.create(s.gatewayUrl()).getAuthority())) {
                String token = s.adminToken();
                for (String job : List.of(JOBS, FAILING, MISSING_SECRET, SENSOR, PARTITIONED)) {
                    HttpResponse<String> r = call(s, "POST", "/api/v1/jobs", token, job);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                }
                // An unauthenticated call: an API request error (401) for the error panels.
                assertThat(call(s, "GET", "/api/v1/runs", null, null).statusCode()).isEqualTo(401);
                List<String> runs = new java.util.ArrayList<>();
                for (String job : List.of("ops_ok", "ops_ok", "ops_fail", "ops_secret", "ops_ok")) {
                    runs.add(trigger(s, token, job));
                }
                for (String run : runs) {
                    awaitFinished(s, token, run);
                }
                // The sensor may join its topic after a first record: send one per poll until one requested a run.
                Properties pc = new Properties();
                pc.put("bootstrap.servers", s.bootstrapServers());
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(pc, new StringSerializer(), new StringSerializer())) {
                    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        producer.send(new ProducerRecord<>(SENSOR_TOPIC, "k", "{}")).get();
                        var c = s.meters().find("baton.sensor.requests").counter();
                        return c != null && c.count() >= 1;
                    });
                }
                // A little more traffic so that rate() windows see the counters move.
                for (int i = 0; i < 2; i++) {
                    awaitFinished(s, token, trigger(s, token, "ops_ok"));
                }

                // Two backfills of three partitions each, run to completion (baton.backfill.duration records on completion).
                // The second completes after Prometheus scraped the first, so the panel's rate() sees the count move
                // and shows a duration, not 0/0.
                awaitBackfillCompleted(s, token, backfill(s, token, "ops_parts", "ops-bf-1"));
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> !prometheus.query(BACKFILL_METRIC + "_count").isEmpty());
                awaitBackfillCompleted(s, token, backfill(s, token, "ops_parts", "ops-bf-2"));

                Map<String, String> queries = new LinkedHashMap<>();
                Deploy.dashboardQueries().forEach((where, q) -> queries.put("dashboard " + where, q));
                List<String> backfillPanel = queries.values().stream().filter(q -> q.contains(BACKFILL_METRIC)).toList();
                assertThat(backfillPanel).as("the dashboard's backfill-duration query").isNotEmpty();
                Deploy.alertRules().forEach((alert, expr) -> {
                    List<String> parts = Deploy.measured(expr);
                    for (int i = 0; i < parts.size(); i++) {
                        queries.put("alert " + alert + " #" + i, parts.get(i));
                    }
                });
                assertThat(queries).hasSizeGreaterThan(20);
                Map<String, String> empty = new TreeMap<>();
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                        empty.clear();
                        for (var q : queries.entrySet()) {
                            if (prometheus.query(q.getValue()).isEmpty()) {
                                empty.put(q.getKey(), q.getValue());
                            }
                        }
                        return empty.isEmpty();
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    Files.writeString(dir.resolve("scrape.txt"), s.meters().scrape());
                    throw new AssertionError("PromQL without data from a live stack: " + empty + "\nmetric names: "
                            + prometheus.metricNames(), e);
                }

                // The backfill panel shows a duration for the job, outcome succeeded (not NaN from an unmoved count).
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    for (String q : backfillPanel) {
                        JsonNode result = prometheus.query(q);
                        assertThat(result).as(q).anySatisfy(series -> {
                            assertThat(series.path("metric").path("exported_job").asText()).isEqualTo("ops_parts");
                            assertThat(series.path("metric").path("outcome").asText()).isEqualTo("succeeded");
                            double v = Double.parseDouble(series.path("value").path(1).asText());
                            assertThat(Double.isFinite(v) && v >= 0).as("%s = %s", q, v).isTrue();
                        });
                    }
                });

                // Every alert rule is loaded and evaluates without error against the live data.
                JsonNode rules = prometheus.get("/api/v1/rules");
                List<String> alerts = new java.util.ArrayList<>();
                for (JsonNode g : rules.path("data").path("groups")) {
                    for (JsonNode r : g.path("rules")) {
                        assertThat(r.path("health").asText()).as("rule %s: %s", r.path("name").asText(), r.path("lastError").asText())
                                .isEqualTo("ok");
                        alerts.add(r.path("name").asText());
                    }
                }
                assertThat(alerts).containsExactlyInAnyOrderElementsOf(Deploy.alertRules().keySet());
            }
        }
    }

    HttpResponse<String> call(DevStack s, String method, String path, String token, String yaml) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.gatewayUrl() + path))
                .method(method, yaml == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(yaml));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (yaml != null) {
            b.header("Content-Type", "application/yaml");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String trigger(DevStack s, String token, String job) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.gatewayUrl() + "/api/v1/jobs/" + job + "/runs"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201, 202);
        return Deploy.JSON.readTree(r.body()).path("runId").asText();
    }

    /** Requests a backfill of every partition of {@code job} under {@code backfillId}; returns its id. */
    String backfill(DevStack s, String token, String job, String backfillId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.gatewayUrl() + "/api/v1/jobs/" + job + "/backfills"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"partitions\": [\"eu\", \"us\", \"apac\"], \"backfillId\": \"" + backfillId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode created = Deploy.JSON.readTree(r.body());
        assertThat(created.path("partitions").asLong()).as(r.body()).isEqualTo(3);
        return created.path("backfillId").asText();
    }

    /** Waits until every partition of the backfill finished and it completed, all of them succeeded. */
    void awaitBackfillCompleted(DevStack s, String token, String backfillId) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            HttpResponse<String> r = call(s, "GET", "/api/v1/backfills/" + backfillId, token, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode b = Deploy.JSON.readTree(r.body()).path("backfill");
            assertThat(b.path("status").asText()).as(r.body()).isEqualTo("COMPLETED");
            assertThat(b.path("outcome").asText()).as(r.body()).isEqualTo("SUCCEEDED");
        });
    }

    void awaitFinished(DevStack s, String token, String runId) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = call(s, "GET", "/api/v1/runs/" + runId, token, null);
            String st = r.statusCode() == 200 ? Deploy.JSON.readTree(r.body()).path("status").asText() : "";
            return st.equals("SUCCEEDED") || st.equals("FAILED") || st.equals("CANCELED");
        });
    }

    /** A Prometheus server of its own: loopback, temporary storage, 1 s scrapes of one target, Baton's alert rules. */
    static final class PrometheusProcess implements AutoCloseable {
        private final Process process;
        private final String base;
        private final HttpClient http = HttpClient.newHttpClient();

        private PrometheusProcess(Process process, String base) {
            this.process = process;
            this.base = base;
        }

        static PrometheusProcess start(Path dir, String target) throws IOException {
            Files.createDirectories(dir.resolve("data"));
            Files.copy(Deploy.alerts(), dir.resolve("alerts.yml"));
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files: [alerts.yml]
                    scrape_configs:
                      - job_name: baton-dev
                        static_configs: [{ targets: ["%s"] }]
                    """.formatted(target));
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            Process p = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.retention.time=1h")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            PrometheusProcess prometheus = new PrometheusProcess(p, "http://127.0.0.1:" + port);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
                    }
                    try {
                        return prometheus.http.send(HttpRequest.newBuilder(URI.create(prometheus.base + "/-/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (RuntimeException e) {
                prometheus.close();
                throw e;
            }
            return prometheus;
        }

        JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = Deploy.JSON.readTree(r.body());
            assertThat(body.path("status").asText()).as("%s → %s", pathAndQuery, r.body()).isEqualTo("success");
            return body;
        }

        /** The result vector of an instant query (a bad expression fails the test). */
        JsonNode query(String promql) throws IOException, InterruptedException {
            return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data").path("result");
        }

        List<String> metricNames() throws IOException, InterruptedException {
            List<String> names = new java.util.ArrayList<>();
            get("/api/v1/label/__name__/values").path("data").forEach(n -> names.add(n.asText()));
            return names;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
