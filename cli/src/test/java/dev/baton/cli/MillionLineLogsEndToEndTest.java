package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's bounded reads through the whole single-machine stack: a real step prints a million lines through a real
 * agent; then sixteen viewers read its tail at once while a new run is started. The reads either answer the last 100
 * lines or are refused with 429 (the per-token limit), never anything else; the stack stays healthy and the new run
 * succeeds while they are in flight.
 */
class MillionLineLogsEndToEndTest extends StackTestSupport {
    static final int LINES = 1_000_000;
    static final String MILLION = """
            name: million_lines
            steps:
              - key: spew
                run: seq %d
            """.formatted(LINES);

    String trigger(DevStack s, String token, String job) throws Exception {
        HttpResponse<String> r = call(s, "POST", "/api/v1/jobs/" + job + "/runs", token, "application/json", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).path("runId").asText();
    }

    @Test
    void sixteenViewersTailAMillionLineRunWhileANewRunSucceeds() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            String viewer = ApiTokens.createInFiles(dir.resolve("data").resolve("tokens"), null, "night_owl", Role.VIEWER).token();
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", MILLION).statusCode()).isEqualTo(201);
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", DevStackEndToEndTest.ORDERS).statusCode()).isEqualTo(201);

            String big = trigger(s, admin, "million_lines");
            String logs = "/api/v1/runs/" + big + "/logs";
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                HttpResponse<String> r = call(s, "GET", logs + "?tail=1", viewer, null, null);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(json(r).path("total").asLong()).isEqualTo(LINES);
            });
            assertThat(awaitFinished(s, big, admin)).isEqualTo("SUCCEEDED");

            int readers = 16;
            ExecutorService pool = Executors.newFixedThreadPool(readers);
            try {
                List<Future<HttpResponse<String>>> reads = new ArrayList<>();
                for (int i = 0; i < readers; i++) {
                    reads.add(pool.submit(() -> call(s, "GET", logs + "?tail=100", viewer, null, null)));
                }
                // meanwhile: a new run goes from request to success, and health stays UP
                String fresh = trigger(s, admin, "orders_daily");
                assertThat(call(s, "GET", "/health", null, null, null).statusCode()).isEqualTo(200);

                int answered = 0;
                for (Future<HttpResponse<String>> f : reads) {
                    HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as(r.body()).isIn(200, 429);
                    if (r.statusCode() == 429) {
                        assertThat(r.headers().firstValue("Retry-After")).isPresent();
                        continue;
                    }
                    answered++;
                    JsonNode page = json(r);
                    assertThat(page.path("total").asLong()).isEqualTo(LINES);
                    assertThat(page.path("items").size()).isEqualTo(100);
                    assertThat(page.path("items").get(99).path("text").asText()).isEqualTo(String.valueOf(LINES));
                    assertThat(page.path("items").get(0).path("text").asText()).isEqualTo(String.valueOf(LINES - 99));
                }
                assertThat(answered).as("reads within the per-token limit are answered").isGreaterThanOrEqualTo(1);
                assertThat(awaitFinished(s, fresh, admin)).isEqualTo("SUCCEEDED");
            } finally {
                pool.shutdownNow();
            }
            HttpResponse<String> health = call(s, "GET", "/health", null, null, null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        }
    }
}
