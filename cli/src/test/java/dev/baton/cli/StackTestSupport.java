package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;

/** Starts the single-machine stack in a temporary data directory and talks to its REST API. */
abstract class StackTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir Path dir;

    DevStack start() {
        DevStack s = DevStack.start(new DevStack.Settings(dir.resolve("data"), 0, 0, 0, 4, Map.of()));
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(s::ready);
        return s;
    }

    HttpResponse<String> call(DevStack s, String method, String path, String token, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.gatewayUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    String awaitFinished(DevStack s, String runId, String token) {
        return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = call(s, "GET", "/api/v1/runs/" + runId, token, null, null);
            return r.statusCode() == 200 ? json(r).path("status").asText() : "";
        }, st -> st.equals("SUCCEEDED") || st.equals("FAILED") || st.equals("CANCELED"));
    }
}
