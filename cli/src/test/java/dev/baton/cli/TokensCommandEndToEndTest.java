package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code baton tokens} against a {@code baton dev} data directory while the stack runs, the tokens it makes used
 * against the gateway (job scope, revocation), and {@code baton audit} reading back what was done.
 */
class TokensCommandEndToEndTest extends StackTestSupport {
    static final String ORDERS = DevStackEndToEndTest.ORDERS;
    static final String BILLING = """
            name: billing_nightly
            steps:
              - key: bill
                run: echo billing
            """;

    record Result(int exit, String out, String err) {}

    static Result baton(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Baton.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static List<String> runIds(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(i -> out.add(i.path("runId").asText()));
        return out;
    }

    @Test
    void aTokenMadeBeforeTheFirstStartSurvivesItAndTheDevAdminTokenIsAddedBesideIt() throws Exception {
        Path data = dir.resolve("data");
        Result created = baton("tokens", "create", "--data-dir", data.toString(), "--role", "viewer", "--name", "early",
                "-o", "json");
        assertThat(created.exit()).as(created.err()).isZero();
        String early = JSON.readTree(created.out()).path("token").asText();
        try (DevStack s = start()) {
            assertThat(call(s, "GET", "/api/v1/jobs", early, null, null).statusCode()).isEqualTo(200);
            assertThat(call(s, "GET", "/api/v1/audit", s.adminToken(), null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tokensMadeByTheCliWorkAgainstTheRunningGatewayAndTheAuditShowsWhatWasDone() throws Exception {
        Path data = dir.resolve("data");
        try (DevStack s = start()) {
            String admin = s.adminToken();
            Result created = baton("tokens", "create", "--data-dir", data.toString(), "--role", "viewer", "--name", "vera",
                    "--jobs", "orders_*", "--expires", "30d", "-o", "json");
            assertThat(created.exit()).as(created.err()).isZero();
            JsonNode c = JSON.readTree(created.out());
            String vera = c.path("token").asText();
            assertThat(vera).startsWith("baton_");
            assertThat(c.path("jobs").asText()).isEqualTo("orders_*");

            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", ORDERS).statusCode()).isEqualTo(201);
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", BILLING).statusCode()).isEqualTo(201);
            String orders = json(call(s, "POST", "/api/v1/jobs/orders_daily/runs", admin, "application/json", "{}")).path("runId").asText();
            String billing = json(call(s, "POST", "/api/v1/jobs/billing_nightly/runs", admin, "application/json", "{}")).path("runId").asText();
            assertThat(awaitFinished(s, orders, admin)).isEqualTo("SUCCEEDED");
            assertThat(awaitFinished(s, billing, admin)).isEqualTo("SUCCEEDED");

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    call(s, "GET", "/api/v1/runs", vera, null, null).statusCode() == 200);
            assertThat(runIds(json(call(s, "GET", "/api/v1/runs", vera, null, null)))).containsExactly(orders);
            assertThat(runIds(json(call(s, "GET", "/api/v1/runs", admin, null, null)))).contains(orders, billing);
            assertThat(call(s, "GET", "/api/v1/runs/" + billing, vera, null, null).statusCode()).isEqualTo(404);
            assertThat(call(s, "GET", "/api/v1/runs/" + orders, vera, null, null).statusCode()).isEqualTo(200);

            Result list = baton("tokens", "list", "--data-dir", data.toString(), "-o", "json");
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).doesNotContain(vera).doesNotContain(admin);
            JsonNode items = JSON.readTree(list.out()).path("items");
            assertThat(items.findValuesAsText("name")).contains("admin", "vera");

            Result audit = baton("audit", "--url", s.gatewayUrl(), "--token", admin, "--action", "runs.trigger", "--since", "1h", "-o", "json");
            assertThat(audit.exit()).as(audit.err()).isZero();
            JsonNode records = JSON.readTree(audit.out()).path("items");
            assertThat(records.findValuesAsText("runId")).contains(orders, billing);
            assertThat(records.findValuesAsText("actor")).containsOnly("admin");
            Result table = baton("audit", "--url", s.gatewayUrl(), "--token", admin, "--actor", "nobody");
            assertThat(table.exit()).isZero();
            assertThat(table.out()).contains("(none)");

            Result refused = baton("audit", "--url", s.gatewayUrl(), "--token", vera);
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("403");

            Result revoked = baton("tokens", "revoke", "--data-dir", data.toString(), "vera");
            assertThat(revoked.exit()).as(revoked.err()).isZero();
            assertThat(revoked.out()).contains("Revoked token 'vera'");
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> r = call(s, "GET", "/api/v1/runs", vera, null, null);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(json(r).path("reason").asText()).isEqualTo("revoked");
            });
            Result again = baton("tokens", "revoke", "--data-dir", data.toString(), "vera");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("no active token");
        }
    }
}
