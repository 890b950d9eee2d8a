package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Talks to a gateway's REST API by its base URL: the HTTP calls the end-to-end tests share. */
final class GatewayHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> call(String baseUrl, String token, String method, String path, String type, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The run's status as the gateway's read model shows it; "" when it does not know the run (yet). */
    String status(String baseUrl, String token, String runId) throws IOException, InterruptedException {
        HttpResponse<String> r = call(baseUrl, token, "GET", "/api/v1/runs/" + runId, null, null);
        JsonNode n = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        return n == null ? "" : n.path("status").asText();
    }

    /** Triggers a run of {@code job} with an empty body (retrying 503s: read model starting or rebalancing), waits for its end. */
    String runToEnd(String baseUrl, String token, String job) throws Exception {
        HttpResponse<String> trig = Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> call(baseUrl, token, "POST", "/api/v1/jobs/" + job + "/runs", "application/json", "{}"),
                        r -> r.statusCode() != 503);
        if (trig.statusCode() != 202) {
            throw new AssertionError("trigger of " + job + ": " + trig.statusCode() + " " + trig.body());
        }
        String runId = JSON.readTree(trig.body()).path("runId").asText();
        return Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(baseUrl, token, runId), GatewayHttp::finished);
    }

    static boolean finished(String status) {
        return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELED");
    }
}
