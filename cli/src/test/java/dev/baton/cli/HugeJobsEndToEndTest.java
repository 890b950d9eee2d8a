package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 through the whole single-machine stack: one huge or hostile job cannot jam Baton. A 5,000-step job runs
 * to the end while ordinary runs go on around it; a 20,000-step job is refused at registration naming the limit
 * (never "retry"); a run whose step command would exceed Kafka's record limit fails with an explicit reason
 * while ordinary runs keep succeeding.
 */
class HugeJobsEndToEndTest extends StackTestSupport {

    static String noopJob(String name, int steps) {
        StringBuilder b = new StringBuilder("name: ").append(name).append("\nsteps:\n");
        for (int i = 0; i < steps; i++) {
            b.append("  - { key: s").append(i).append(", noop: true }\n");
        }
        return b.toString();
    }

    /** Twenty steps that each output about 50 KB, and one that needs all of them: its command would be about 1 MB. */
    static String fanInOverLimit() {
        StringBuilder b = new StringBuilder("name: fan_in_big\nsteps:\n");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add("p" + i);
            b.append("  - key: p").append(i).append("\n")
                    .append("    run: echo \"big=$(printf '%050000d' 0)\" >> \"$BATON_OUTPUT\"\n");
        }
        // A run step (not noop): its command carries the upstream outputs (docs/jobs.md#what-a-steps-command-carries).
        b.append("  - key: join\n    needs: [").append(String.join(", ", keys)).append("]\n    run: \"true\"\n");
        return b.toString();
    }

    String trigger(DevStack s, String token, String job) throws Exception {
        HttpResponse<String> r = call(s, "POST", "/api/v1/jobs/" + job + "/runs", token, "application/json", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).path("runId").asText();
    }

    /** Reads the status from the run list (a summary), so polling a 5,000-step run stays cheap. */
    String awaitFinished(DevStack s, String job, String runId, String token, Duration atMost) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> r = call(s, "GET", "/api/v1/runs?job=" + job + "&limit=100", token, null, null);
            if (r.statusCode() != 200) {
                return "";
            }
            for (JsonNode run : json(r).path("items")) {
                if (run.path("runId").asText().equals(runId)) {
                    return run.path("status").asText();
                }
            }
            return "";
        }, st -> st.equals("SUCCEEDED") || st.equals("FAILED") || st.equals("CANCELED"));
    }

    @Test
    void aHugeJobRunsToTheEndAnOversizeOneIsRefusedAndAnOversizeCommandFailsOnlyItsRun() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", DevStackEndToEndTest.ORDERS).statusCode()).isEqualTo(201);

            HttpResponse<String> tooMany = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", noopJob("many20k", 20_000));
            assertThat(tooMany.statusCode()).as(tooMany.body()).isIn(400, 413);
            assertThat(tooMany.body()).contains("5000");

            HttpResponse<String> big = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", noopJob("many5k", 5_000));
            assertThat(big.statusCode()).as(big.body()).isEqualTo(201);
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", fanInOverLimit()).statusCode()).isEqualTo(201);

            String huge = trigger(s, admin, "many5k");
            String fanIn = trigger(s, admin, "fan_in_big");
            List<String> ordinary = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ordinary.add(trigger(s, admin, "orders_daily"));
            }
            for (String id : ordinary) {
                assertThat(awaitFinished(s, "orders_daily", id, admin, Duration.ofSeconds(120))).as(id).isEqualTo("SUCCEEDED");
            }
            assertThat(awaitFinished(s, "fan_in_big", fanIn, admin, Duration.ofSeconds(120))).isEqualTo("FAILED");
            JsonNode failed = json(call(s, "GET", "/api/v1/runs/" + fanIn, admin, null, null));
            assertThat(failed.path("reason").asText()).contains("-byte limit").contains("coordinator.max.record.bytes");

            assertThat(awaitFinished(s, "many5k", huge, admin, Duration.ofMinutes(5))).isEqualTo("SUCCEEDED");
            // Still flowing afterwards.
            assertThat(awaitFinished(s, "orders_daily", trigger(s, admin, "orders_daily"), admin, Duration.ofSeconds(120))).isEqualTo("SUCCEEDED");
        }
    }
}
