package dev.baton.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain java.net.http calls, shaped as Confluent's API documentation describes them. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String V1 = "application/vnd.schemaregistry.v1+json";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, String contentType, String text) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text, e);
            }
        }

        int errorCode() {
            return json().path("error_code").asInt();
        }
    }

    private final String base;

    Http(String base) {
        this.base = base;
    }

    static String enc(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {"schema": "<schema>"} as the API expects it (the schema is a JSON string inside JSON). */
    static String schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    Response get(String path) {
        return send("GET", path, null, V1, V1);
    }

    Response post(String path, String body) {
        return send("POST", path, body, V1, V1);
    }

    Response put(String path, String body) {
        return send("PUT", path, body, V1, V1);
    }

    Response delete(String path) {
        return send("DELETE", path, null, V1, V1);
    }

    Response send(String method, String path, String body, String contentType, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null && body != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
