package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 through the whole single-machine stack (real broker, registry, coordinator, agent, gateway): the issue's
 * {@code daily_sales} job as written, a partitioned run with its templates resolved and its materialization recorded
 * per partition, and partitions that are not the job's refused with a 400 naming them.
 */
class PartitionsEndToEndTest extends StackTestSupport {
    static String dailySales() throws Exception {
        return Files.readString(Path.of("..", "examples", "daily_sales.yaml"));
    }

    @Test
    void thePartitionedRunResolvesItsTemplatesAndMaterializesItsPartition() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            HttpResponse<String> reg = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", dailySales());
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);

            HttpResponse<String> unknown = call(s, "POST", "/api/v1/jobs/daily_sales/runs", admin, "application/json",
                    "{\"partition\": \"2025-12-31\"}");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(json(unknown).path("message").asText()).contains("'2025-12-31'").contains("outside");
            HttpResponse<String> none = call(s, "POST", "/api/v1/jobs/daily_sales/runs", admin, "application/json", "{}");
            assertThat(none.statusCode()).isEqualTo(400);
            assertThat(json(none).path("message").asText()).contains("is partitioned");

            HttpResponse<String> trig = call(s, "POST", "/api/v1/jobs/daily_sales/runs", admin, "application/json",
                    "{\"partition\": \"2026-03-29\"}");
            assertThat(trig.statusCode()).as(trig.body()).isEqualTo(202);
            assertThat(json(trig).path("partition").asText()).isEqualTo("2026-03-29");
            String runId = json(trig).path("runId").asText();
            assertThat(awaitFinished(s, runId, admin)).isEqualTo("SUCCEEDED");

            JsonNode run = json(call(s, "GET", "/api/v1/runs/" + runId, admin, null, null));
            assertThat(run.path("partition").asText()).isEqualTo("2026-03-29");
            JsonNode list = json(call(s, "GET", "/api/v1/runs?job=daily_sales", admin, null, null));
            assertThat(list.path("items").get(0).path("partition").asText()).isEqualTo("2026-03-29");

            String logs = call(s, "GET", "/api/v1/runs/" + runId + "/logs", admin, null, null).body();
            assertThat(logs).contains("loading 2026-03-29 from 2026-03-29T00:00+01:00 to 2026-03-30T00:00+02:00");

            JsonNode sales = json(call(s, "GET", "/api/v1/assets/sales", admin, null, null));
            assertThat(sales.path("materializations").get(0).path("partition").asText()).isEqualTo("2026-03-29");
            assertThat(sales.path("materializations").get(0).path("runId").asText()).isEqualTo(runId);
        }
    }

    static final String NIGHTLY = """
            name: nightly_load
            partitions:
              daily: { start: "2026-01-01", end: "2026-03-01", timezone: America/New_York }
            steps:
              - key: load
                run: echo "day ${{ partition.key }}"
            """;

    /** Thirty partitions, the request sent twice (same id) and once more without an id, twice: thirty runs, one per day. */
    @Test
    void aBackfillLaunchesExactlyOneRunPerPartitionEvenWhenSentTwice() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", NIGHTLY).statusCode()).isEqualTo(201);

            String body = "{\"from\": \"2026-01-01\", \"to\": \"2026-01-30\", \"backfillId\": \"jan\"}";
            HttpResponse<String> first = call(s, "POST", "/api/v1/jobs/nightly_load/backfills", admin, "application/json", body);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            assertThat(json(first).path("partitions").asLong()).isEqualTo(30);
            HttpResponse<String> second = call(s, "POST", "/api/v1/jobs/nightly_load/backfills", admin, "application/json", body);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
            assertThat(json(second).path("backfillId").asText()).isEqualTo("jan");

            JsonNode status = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
                    .pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
                        HttpResponse<String> r = call(s, "GET", "/api/v1/backfills/jan", admin, null, null);
                        return r.statusCode() == 200 ? json(r) : null;
                    }, st -> st != null && st.path("done").asBoolean());
            assertThat(status.path("runs").path("SUCCEEDED").asLong()).as(status.toString()).isEqualTo(30);
            assertThat(status.path("backfill").path("status").asText()).isEqualTo("COMPLETED"); // was SUBMITTED before backfill events

            JsonNode runs = json(call(s, "GET", "/api/v1/runs?job=nightly_load&limit=100", admin, null, null));
            java.util.List<String> partitions = runs.path("items").findValuesAsText("partition");
            assertThat(partitions).hasSize(30).doesNotHaveDuplicates().contains("2026-01-01", "2026-01-30");
            JsonNode someRun = runs.path("items").get(0);
            assertThat(someRun.path("runKey").asText()).isEqualTo("backfill:jan:" + someRun.path("partition").asText());
            assertThat(someRun.path("tags").path("baton.backfill").asText()).isEqualTo("jan");

            // The same selection without an id is one backfill of its own (a derived id), also when sent twice.
            String anon = "{\"partitions\": [\"2026-02-01\", \"2026-02-02\"]}";
            HttpResponse<String> a1 = call(s, "POST", "/api/v1/jobs/nightly_load/backfills", admin, "application/json", anon);
            HttpResponse<String> a2 = call(s, "POST", "/api/v1/jobs/nightly_load/backfills", admin, "application/json", anon);
            assertThat(a1.statusCode()).as(a1.body()).isEqualTo(202);
            String anonId = json(a1).path("backfillId").asText();
            assertThat(json(a2).path("backfillId").asText()).isEqualTo(anonId);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> json(call(s, "GET", "/api/v1/backfills/" + anonId, admin, null, null)).path("runs")
                            .path("SUCCEEDED").asLong() == 2);
            JsonNode all = json(call(s, "GET", "/api/v1/runs?job=nightly_load&limit=100", admin, null, null));
            assertThat(all.path("items")).hasSize(32);

            HttpResponse<String> bad = call(s, "POST", "/api/v1/jobs/nightly_load/backfills", admin, "application/json",
                    "{\"partitions\": [\"2026-02-03\", \"2027-01-01\"]}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(json(bad).path("message").asText()).contains("'2027-01-01'");
            HttpResponse<String> other = call(s, "POST", "/api/v1/jobs/nightly_load/backfills", admin, "application/json",
                    "{\"from\": \"2026-01-01\", \"to\": \"2026-01-02\", \"backfillId\": \"jan\"}");
            assertThat(other.statusCode()).as("the same id for another selection").isEqualTo(409);
        }
    }

    static String slowJob(String name, String sleep) {
        return "name: " + name + "\npartitions:\n  daily: { start: \"2026-01-01\", end: \"2026-03-01\" }\n"
                + "steps:\n  - { key: wait, sleep: " + sleep + " }\n";
    }

    JsonNode awaitBackfillDone(DevStack s, String admin, String id) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
                .pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
                    HttpResponse<String> r = call(s, "GET", "/api/v1/backfills/" + id, admin, null, null);
                    return r.statusCode() == 200 ? json(r) : null;
                }, st -> st != null && st.path("done").asBoolean());
    }

    /** Runs of a backfill from the run list (its tag), with their start and end. */
    java.util.List<JsonNode> runsOf(DevStack s, String admin, String job, String backfill) throws Exception {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode r : json(call(s, "GET", "/api/v1/runs?job=" + job + "&limit=100", admin, null, null)).path("items")) {
            if (backfill.equals(r.path("tags").path("baton.backfill").asText())) {
                out.add(r);
            }
        }
        return out;
    }

    /** The most runs that were running at the same moment, from their start and end times. */
    static int maxOverlap(java.util.List<JsonNode> runs) {
        java.util.List<long[]> edges = new java.util.ArrayList<>();
        for (JsonNode r : runs) {
            edges.add(new long[] {java.time.Instant.parse(r.path("startedAt").asText()).toEpochMilli(), 1});
            edges.add(new long[] {java.time.Instant.parse(r.path("endedAt").asText()).toEpochMilli(), -1});
        }
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1])); // ends before starts
        int now = 0;
        int max = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }

    @Test
    void maxConcurrentIsNeverExceededAndCancelStopsLaunching() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", slowJob("throttled", "1s")).statusCode()).isEqualTo(201);
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", slowJob("canceled", "3s")).statusCode()).isEqualTo(201);

            HttpResponse<String> t = call(s, "POST", "/api/v1/jobs/throttled/backfills", admin, "application/json",
                    "{\"from\": \"2026-01-01\", \"to\": \"2026-01-06\", \"maxConcurrent\": 2, \"backfillId\": \"t\"}");
            assertThat(t.statusCode()).as(t.body()).isEqualTo(202);
            JsonNode st = awaitBackfillDone(s, admin, "t");
            assertThat(st.path("runs").path("SUCCEEDED").asLong()).as(st.toString()).isEqualTo(6);
            java.util.List<JsonNode> runs = runsOf(s, admin, "throttled", "t");
            assertThat(runs).hasSize(6);
            assertThat(maxOverlap(runs)).as("runs of the backfill running at once").isBetween(1, 2);

            HttpResponse<String> c = call(s, "POST", "/api/v1/jobs/canceled/backfills", admin, "application/json",
                    "{\"from\": \"2026-01-01\", \"to\": \"2026-01-20\", \"maxConcurrent\": 1, \"backfillId\": \"c\"}");
            assertThat(c.statusCode()).as(c.body()).isEqualTo(202);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                    json(call(s, "GET", "/api/v1/backfills/c", admin, null, null)).path("runs").path("RUNNING").asLong() == 1);
            HttpResponse<String> cancel = call(s, "POST", "/api/v1/backfills/c/cancel", admin, "application/json", "{}");
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
            JsonNode after = awaitBackfillDone(s, admin, "c");
            assertThat(after.path("backfill").path("status").asText()).isEqualTo("CANCELED");
            assertThat(after.path("runs").path("CANCELED").asLong()).as(after.toString()).isGreaterThanOrEqualTo(1);
            assertThat(after.path("runs").path("NOT_STARTED").asLong()).as(after.toString()).isGreaterThanOrEqualTo(17);
            assertThat(runsOf(s, admin, "canceled", "c")).allSatisfy(r -> assertThat(r.path("status").asText()).isIn("CANCELED", "SUCCEEDED"));
            HttpResponse<String> again = call(s, "POST", "/api/v1/jobs/canceled/backfills", admin, "application/json",
                    "{\"from\": \"2026-01-01\", \"to\": \"2026-01-20\", \"maxConcurrent\": 1, \"backfillId\": \"c\"}");
            assertThat(again.statusCode()).as("a canceled backfill is not restarted under its id").isEqualTo(409);
        }
    }
}
