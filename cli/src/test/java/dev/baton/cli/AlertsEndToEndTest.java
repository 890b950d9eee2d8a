package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The issue's example as written ({@code examples/nightly_cleanup.yaml}) on the whole dev stack: failing runs make one
 * incident and one webhook call, the CLI lists and acknowledges it, a fixed job's successful run resolves it with one
 * more call.
 */
class AlertsEndToEndTest extends StackTestSupport {
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

    /** The example's receiver on 127.0.0.1:9999, or on a free port (and the job file pointed at it) when 9999 is taken. */
    static HttpServer receiver(List<String> bodies) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 9999), 0);
        } catch (BindException e) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        server.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        return server;
    }

    @Test
    void theIssuesNightlyCleanupExample() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer hook = receiver(bodies);
        try (DevStack s = start()) {
            String admin = s.adminToken();
            String job = Files.readString(Path.of("..", "examples", "nightly_cleanup.yaml"))
                    .replace("127.0.0.1:9999", "127.0.0.1:" + hook.getAddress().getPort());
            HttpResponse<String> reg = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", job);
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = call(s, "POST", "/api/v1/jobs/nightly_cleanup/runs", admin, "application/json", "{}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                assertThat(awaitFinished(s, json(r).get("runId").asText(), admin)).isEqualTo("FAILED");
            }
            // The third failure is counted: the incident says 3 occurrences.
            JsonNode incident = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Result r = baton("incidents", "--url", s.gatewayUrl(), "--token", admin, "-o", "json");
                return r.exit() == 0 ? JSON.readTree(r.out()).path("items").path(0) : JSON.missingNode();
            }, i -> i.path("occurrences").asInt() == 3);
            String id = incident.get("incidentId").asText();
            assertThat(incident.get("job").asText()).isEqualTo("nightly_cleanup");
            assertThat(incident.get("status").asText()).isEqualTo("OPEN");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !bodies.isEmpty());

            Result table = baton("incidents", "--url", s.gatewayUrl(), "--token", admin);
            assertThat(table.out()).contains(id).contains("run_failed").contains("nightly_cleanup");

            Result ack = baton("incidents", "ack", id, "--note", "looking", "--url", s.gatewayUrl(), "--token", admin);
            assertThat(ack.exit()).as(ack.err()).isZero();
            assertThat(ack.out()).contains("Acknowledging " + id + " as admin");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                Result r = baton("incidents", "show", id, "--url", s.gatewayUrl(), "--token", admin, "-o", "json");
                return JSON.readTree(r.out()).path("status").asText().equals("ACKNOWLEDGED");
            });
            Result again = baton("incidents", "ack", id, "--url", s.gatewayUrl(), "--token", admin);
            assertThat(again.exit()).isNotZero();
            assertThat(again.err()).contains("already acknowledged by admin");

            // The fixed job's next successful run resolves the incident: one more notification.
            reg = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", job.replace("run: exit 1", "run: exit 0"));
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
            HttpResponse<String> ok = call(s, "POST", "/api/v1/jobs/nightly_cleanup/runs", admin, "application/json", "{}");
            assertThat(awaitFinished(s, json(ok).get("runId").asText(), admin)).isEqualTo("SUCCEEDED");
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> bodies.size() >= 2);
            assertThat(bodies).hasSize(2);
            assertThat(JSON.readTree(bodies.get(0)).get("transition").asText()).isEqualTo("OPENED");
            assertThat(JSON.readTree(bodies.get(1)).get("transition").asText()).isEqualTo("RESOLVED");
            assertThat(JSON.readTree(bodies.get(1)).at("/incident/occurrences").asInt()).isEqualTo(3);
            assertThat(JSON.readTree(bodies.get(1)).at("/incident/acknowledgedBy").asText()).isEqualTo("admin");

            Result resolved = baton("incidents", "show", id, "--url", s.gatewayUrl(), "--token", admin);
            assertThat(resolved.out()).contains("RESOLVED").contains("succeeded");
            assertThat(baton("incidents", "--url", s.gatewayUrl(), "--token", admin, "-o", "json").out()).doesNotContain(id);
            assertThat(baton("incidents", "--all", "--url", s.gatewayUrl(), "--token", admin, "-o", "json").out()).contains(id);
        } finally {
            hook.stop(0);
        }
    }
}
