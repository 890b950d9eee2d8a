package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Dynamic partitions (issue 15) on the whole single-machine stack (real broker, registry, coordinator, agent,
 * gateway): keys added through the CLI and the API land on {@code baton.partition-keys}, a run of a current key
 * resolves {@code ${{ partition.key }}}, an unknown key is refused naming key and set, a backfill covers every current
 * key with exactly one run each, and a removed key is no longer listed and gets no new run.
 */
class DynamicPartitionsEndToEndTest extends StackTestSupport {
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

    static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void keysAddedRunBackfilledAndRemoved() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            String[] client = {"--url", s.gatewayUrl(), "--token", admin};
            Result added = baton(concat(new String[] {"partitions", "add", "customers", "acme", "globex", "initech"}, client));
            assertThat(added.exit()).as(added.err()).isZero();
            assertThat(added.out()).contains("Added 3 keys to customers");
            HttpResponse<String> api = call(s, "POST", "/api/v1/partitions/customers/keys", admin, "application/json",
                    "{\"keys\": [\"hooli\"]}");
            assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
            Result listed = baton(concat(new String[] {"partitions", "list", "customers"}, client));
            assertThat(listed.exit()).as(listed.err()).isZero();
            assertThat(lines(listed.out())).containsExactly("acme", "globex", "hooli", "initech");

            String job = Files.readString(Path.of("..", "examples", "customer_exports.yaml"));
            HttpResponse<String> reg = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", job);
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);

            HttpResponse<String> trig = call(s, "POST", "/api/v1/jobs/customer_exports/runs", admin, "application/json",
                    "{\"partition\": \"acme\"}");
            assertThat(trig.statusCode()).as(trig.body()).isEqualTo(202);
            String runId = json(trig).path("runId").asText();
            assertThat(awaitFinished(s, runId, admin)).isEqualTo("SUCCEEDED");
            assertThat(json(call(s, "GET", "/api/v1/runs/" + runId, admin, null, null)).path("partition").asText()).isEqualTo("acme");
            assertThat(call(s, "GET", "/api/v1/runs/" + runId + "/logs", admin, null, null).body()).contains("exporting customer acme");

            HttpResponse<String> unknown = call(s, "POST", "/api/v1/jobs/customer_exports/runs", admin, "application/json",
                    "{\"partition\": \"umbrella\"}");
            assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
            assertThat(json(unknown).path("message").asText())
                    .contains("'umbrella' is not a current key of dynamic partition set 'customers'");

            // Every current key, exactly one run each, also when the request is sent twice.
            String body = "{\"backfillId\": \"all-customers\", \"maxConcurrent\": 2}";
            HttpResponse<String> b1 = call(s, "POST", "/api/v1/jobs/customer_exports/backfills", admin, "application/json", body);
            assertThat(b1.statusCode()).as(b1.body()).isEqualTo(202);
            assertThat(json(b1).path("partitions").asLong()).isEqualTo(4);
            HttpResponse<String> b2 = call(s, "POST", "/api/v1/jobs/customer_exports/backfills", admin, "application/json", body);
            assertThat(b2.statusCode()).as(b2.body()).isEqualTo(202);
            assertThat(json(b2).path("backfillId").asText()).isEqualTo("all-customers");
            JsonNode done = Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> r = call(s, "GET", "/api/v1/backfills/all-customers", admin, null, null);
                return r.statusCode() == 200 ? json(r) : null;
            }, st -> st != null && st.path("done").asBoolean());
            assertThat(done.path("runs").path("SUCCEEDED").asLong()).as(done.toString()).isEqualTo(4);
            List<String> backfilled = new ArrayList<>();
            JsonNode runs = json(call(s, "GET", "/api/v1/runs?job=customer_exports&limit=100", admin, null, null)).path("items");
            for (JsonNode r : runs) {
                if ("all-customers".equals(r.path("tags").path("baton.backfill").asText())) {
                    backfilled.add(r.path("partition").asText());
                    assertThat(r.path("runKey").asText()).isEqualTo("backfill:all-customers:" + r.path("partition").asText());
                }
            }
            assertThat(backfilled).containsExactlyInAnyOrder("acme", "globex", "hooli", "initech");
            assertThat(runs).hasSize(5); // the run of acme above and one per key

            Result removed = baton(concat(new String[] {"partitions", "remove", "customers", "initech"}, client));
            assertThat(removed.exit()).as(removed.err()).isZero();
            assertThat(lines(baton(concat(new String[] {"partitions", "list", "customers"}, client)).out()))
                    .containsExactly("acme", "globex", "hooli");
            Result again = baton(concat(new String[] {"partitions", "remove", "customers", "initech"}, client));
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("has no key 'initech'");
            HttpResponse<String> gone = call(s, "POST", "/api/v1/jobs/customer_exports/runs", admin, "application/json",
                    "{\"partition\": \"initech\"}");
            assertThat(gone.statusCode()).as(gone.body()).isEqualTo(400);
            assertThat(json(gone).path("message").asText()).contains("'initech' is not a current key of dynamic partition set 'customers'");
            Result cliRun = baton(concat(new String[] {"run", "customer_exports", "--partition", "initech"}, client));
            assertThat(cliRun.exit()).isNotZero();
            assertThat(cliRun.err()).contains("'initech' is not a current key");

            List<String> status = new ArrayList<>();
            json(call(s, "GET", "/api/v1/jobs/customer_exports/partitions", admin, null, null)).path("items")
                    .forEach(i -> status.add(i.path("partition").asText()));
            assertThat(status).containsExactly("acme", "globex", "hooli");
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
