package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/** A small client of the gateway's REST API (`/api/v1`). */
public final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** How often a GET answered 503 is asked again (each after its Retry-After, at most 5 s). */
    static final int READ_RETRIES = 6;
    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiClient(String baseUrl, String token) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /** An API error with the gateway's stable code and message. */
    public static final class ApiException extends RuntimeException {
        final int status;
        final JsonNode body;

        ApiException(int status, JsonNode body, String message) {
            super(message);
            this.status = status;
            this.body = body;
        }
    }

    public JsonNode get(String path, Map<String, String> query) {
        return send(HttpRequest.newBuilder(uri(path, query)).GET(), null);
    }

    /**
     * The items of a paged list endpoint, following {@code nextCursor} until {@code limit} items or no more pages
     * (a page may end early: the server bounds each read). {@code query} is copied, not changed.
     */
    public ArrayNode items(String path, Map<String, String> query, int limit) {
        Map<String, String> q = new java.util.LinkedHashMap<>(query);
        ArrayNode items = JSON.createArrayNode();
        String cursor = null;
        do {
            q.put("cursor", cursor);
            q.put("limit", String.valueOf(Math.min(1000, limit - items.size())));
            JsonNode page = get(path, q);
            page.path("items").forEach(items::add);
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null && items.size() < limit);
        return items;
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(uri(path, Map.of())).DELETE(), null);
    }

    /** One path segment, percent-encoded (a space is %20, not '+'). */
    public static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonNode post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path, Map.of()))
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body)), contentType);
    }

    public JsonNode postJson(String path, Object body) {
        try {
            return post(path, "application/json", JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Follows a Server-Sent Events stream, handing each event's data to {@code onData} until it ends. */
    public void stream(String path, Consumer<String> onData) {
        HttpRequest req = auth(HttpRequest.newBuilder(uri(path, Map.of())).header("Accept", "text/event-stream").GET()).build();
        try {
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() >= 400) {
                byte[] b = resp.body().readAllBytes();
                throw error(resp.statusCode(), new String(b, StandardCharsets.UTF_8));
            }
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        onData.accept(line.substring(5).trim());
                    }
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private URI uri(String path, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return URI.create(base + path + q);
    }

    private HttpRequest.Builder auth(HttpRequest.Builder b) {
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token.trim());
        }
        return b.timeout(Duration.ofSeconds(60));
    }

    private JsonNode send(HttpRequest.Builder b, String contentType) {
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.header("Accept", "application/json");
        try {
            HttpRequest req = auth(b).build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            // A read answered 503 (the gateway's read model starting or rebalancing, Kafka slow) is asked again after the
            // Retry-After it names, a few times; writes are not repeated here: the caller decides (run keys make them safe).
            for (int retry = 0; resp.statusCode() == 503 && "GET".equals(req.method()) && retry < READ_RETRIES; retry++) {
                long seconds = resp.headers().firstValueAsLong("Retry-After").orElse(1);
                Thread.sleep(Duration.ofSeconds(Math.clamp(seconds, 1, 5)));
                resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            }
            if (resp.statusCode() >= 400) {
                throw error(resp.statusCode(), resp.body());
            }
            return resp.body() == null || resp.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(resp.body());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private ApiException error(int status, String body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            node = JSON.createObjectNode().put("message", body);
        }
        StringBuilder msg = new StringBuilder();
        msg.append("HTTP ").append(status);
        if (node.hasNonNull("code")) {
            msg.append(" ").append(node.get("code").asText());
        }
        if (node.hasNonNull("message")) {
            msg.append(": ").append(node.get("message").asText());
        }
        if (node.has("problems")) {
            for (JsonNode p : node.get("problems")) {
                msg.append("\n  ").append(p.path("path").asText()).append(": ").append(p.path("message").asText());
            }
        }
        return new ApiException(status, node, msg.toString());
    }

    private RuntimeException unreachable(IOException e) {
        String hint = e instanceof ConnectException ? " (is `baton dev` running? set --url or BATON_URL)" : "";
        return new IllegalStateException("Cannot reach Baton at " + base + hint + ": " + e.getMessage(), e);
    }
}
