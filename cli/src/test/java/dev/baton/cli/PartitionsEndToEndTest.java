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
}
