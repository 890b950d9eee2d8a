package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The single-machine stack in-process (real KRaft broker, registry, coordinator, scheduler, agent, gateway):
 * the orders_daily file works exactly as written, auth is enforced, bad files are refused with the
 * path of the problem, and a restart on the same data directory keeps everything.
 */
class DevStackEndToEndTest extends StackTestSupport {
    static final String ORDERS = """
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
    @Test
    void ordersDailyRunsAsWrittenAuthIsEnforcedAndARestartKeepsEverything() throws Exception {
        String runId;
        try (DevStack s = start()) {
            String admin = s.adminToken();
            assertThat(Files.readString(s.tokenFile())).startsWith("baton_");

            HttpResponse<String> reg = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", ORDERS);
            assertThat(reg.statusCode()).isEqualTo(201);
            assertThat(json(reg).path("name").asText()).isEqualTo("orders_daily");

            HttpResponse<String> bad = call(s, "POST", "/api/v1/jobs", admin, "application/yaml",
                    ORDERS.replace("needs: [extract]", "needs: [extrakt]"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("steps[1].needs[0]");

            assertThat(call(s, "POST", "/api/v1/jobs/orders_daily/runs", null, "application/json", "{}").statusCode()).isEqualTo(401);
            String viewer = ApiTokens.createInFiles(dir.resolve("data").resolve("tokens"), null, "vera", Role.VIEWER).token();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    call(s, "GET", "/api/v1/jobs", viewer, null, null).statusCode() == 200);
            assertThat(call(s, "POST", "/api/v1/jobs/orders_daily/runs", viewer, "application/json", "{}").statusCode()).isEqualTo(403);

            HttpResponse<String> trig = call(s, "POST", "/api/v1/jobs/orders_daily/runs", admin, "application/json",
                    "{\"params\": {\"day\": \"2026-11-21\"}}");
            assertThat(trig.statusCode()).isEqualTo(202);
            runId = json(trig).path("runId").asText();
            assertThat(awaitFinished(s, runId, admin)).isEqualTo("SUCCEEDED");

            JsonNode run = json(call(s, "GET", "/api/v1/runs/" + runId, admin, null, null));
            JsonNode extract = null;
            for (JsonNode st : run.path("steps")) {
                if (st.path("key").asText().equals("extract")) {
                    extract = st;
                }
            }
            assertThat(extract).isNotNull();
            assertThat(extract.path("outputs").path("rows").asText()).isEqualTo("42");

            String logs = call(s, "GET", "/api/v1/runs/" + runId + "/logs", admin, null, null).body();
            assertThat(logs).contains("extracting orders for 2026-11-21");

            for (String asset : new String[] {"raw_orders", "clean_orders"}) {
                JsonNode a = json(call(s, "GET", "/api/v1/assets/" + asset, admin, null, null));
                assertThat(a.path("materializations")).as(asset).isNotEmpty();
                assertThat(a.path("materializations").get(0).path("runId").asText()).isEqualTo(runId);
            }
        }
        try (DevStack s = start()) {
            String admin = s.adminToken();
            JsonNode runs = json(call(s, "GET", "/api/v1/runs?job=orders_daily", admin, null, null));
            assertThat(runs.path("items").findValuesAsText("runId")).contains(runId);
            HttpResponse<String> again = call(s, "POST", "/api/v1/jobs/orders_daily/runs", admin, "application/json", "{}");
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(awaitFinished(s, json(again).path("runId").asText(), admin)).isEqualTo("SUCCEEDED");
        }
    }
}
