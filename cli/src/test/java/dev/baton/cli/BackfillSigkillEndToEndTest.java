package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole {@code baton dev} process (broker, registry, coordinator, agent, gateway) is killed with SIGKILL in the
 * middle of a backfill and started again on the same data directory: the backfill completes with exactly one run
 * per partition.
 */
// In the slow group (./mvnw verify -Pslow): on this 2-core machine the restarted `baton dev` waits out the killed
// process's open Kafka transactions before it is ready, which took longer than its 120 s start-up limit under load.
@Tag("slow")
class BackfillSigkillEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int PARTITIONS = 40;
    static final String JOB = """
            name: killed_mid_backfill
            partitions:
              daily: { start: "2026-01-01", end: "2026-03-01" }
            steps:
              - { key: wait, sleep: 300ms }
              - { key: after, needs: [wait], noop: {} }
            """;

    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Process startDev(Path data, int port, int kafkaPort, int registryPort, String logName) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path jobs = Files.createDirectories(dir.resolve("no-jobs"));
        return new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), Baton.class.getName(),
                "dev", "--data-dir", data.toString(), "--port", String.valueOf(port), "--kafka-port", String.valueOf(kafkaPort),
                "--registry-port", String.valueOf(registryPort), "--jobs", jobs.toString(), "--slots", "8")
                .redirectErrorStream(true)
                // Kept under target/ (not the temp dir) so a failure can be read after the test.
                .redirectOutput(Path.of("target", "backfill-sigkill-" + logName).toFile())
                .start();
    }

    HttpResponse<String> call(int port, String method, String path, String token, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void awaitHealthy(int port, Process p) {
        Awaitility.await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            assertThat(p.isAlive()).as("baton dev exited; see its log in cli/target/backfill-sigkill-*.log").isTrue();
            return call(port, "GET", "/health", null, null, null).statusCode() == 200;
        });
    }

    JsonNode backfill(int port, String admin) throws Exception {
        HttpResponse<String> r = call(port, "GET", "/api/v1/backfills/k", admin, null, null);
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("backfill") : null;
    }

    @Test
    void aBackfillLaunchesExactlyOneRunPerPartitionAcrossASigkillOfTheWholeProcess() throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        int kafkaPort = freePort();
        int registryPort = freePort();
        Process first = startDev(data, port, kafkaPort, registryPort, "first.log");
        Process second = null;
        try {
            awaitHealthy(port, first);
            String admin = Files.readString(data.resolve("admin.token")).trim();
            HttpResponse<String> reg = call(port, "POST", "/api/v1/jobs", admin, "application/yaml", JOB);
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
            HttpResponse<String> bf = call(port, "POST", "/api/v1/jobs/killed_mid_backfill/backfills", admin, "application/json",
                    "{\"from\": \"2026-01-01\", \"to\": \"2026-02-09\", \"maxConcurrent\": 4, \"backfillId\": \"k\"}");
            assertThat(bf.statusCode()).as(bf.body()).isEqualTo(202);
            assertThat(JSON.readTree(bf.body()).path("partitions").asInt()).isEqualTo(PARTITIONS);

            // Mid-way: some partitions done, others in flight, most not launched.
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode b = backfill(port, admin);
                return b != null && b.path("progress").path("done").asLong() >= 6;
            });
            first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
            assertThat(first.isAlive()).isFalse();

            second = startDev(data, port, kafkaPort, registryPort, "second.log");
            awaitHealthy(port, second);
            Awaitility.await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                JsonNode b = backfill(port, admin);
                return b != null && "COMPLETED".equals(b.path("status").asText());
            });
            JsonNode done = backfill(port, admin);
            assertThat(done.path("outcome").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.path("progress").path("succeeded").asLong()).as(done.toString()).isEqualTo(PARTITIONS);

            // Exactly one run per partition: every run of the job, from the run list.
            Map<String, Integer> runsPerPartition = new HashMap<>();
            Set<String> runIds = new HashSet<>();
            String cursor = null;
            do {
                HttpResponse<String> r = call(port, "GET", "/api/v1/runs?job=killed_mid_backfill&limit=100"
                        + (cursor == null ? "" : "&cursor=" + cursor), admin, null, null);
                JsonNode page = JSON.readTree(r.body());
                for (JsonNode run : page.path("items")) {
                    runIds.add(run.path("runId").asText());
                    runsPerPartition.merge(run.path("partition").asText(), 1, Integer::sum);
                    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
                }
                cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
            } while (cursor != null);
            assertThat(runIds).hasSize(PARTITIONS);
            assertThat(runsPerPartition).hasSize(PARTITIONS);
            assertThat(List.copyOf(new HashSet<>(runsPerPartition.values()))).containsExactly(1);
        } finally {
            first.destroyForcibly().waitFor();
            if (second != null) {
                second.destroy(); // a clean stop of the second process
                if (!second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    second.destroyForcibly().waitFor();
                }
            }
        }
    }
}
