package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A blocking REST client for tests (Vert.x WebClient, waited on from the test thread, never from an event loop). */
final class Rest implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, String text, MultiMap headers) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    static JsonNode of(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private final WebClient client;
    private final int port;

    Rest(Vertx vertx, int port) {
        this(vertx, port, 5);
    }

    /** With up to {@code connections} requests in flight at once. */
    Rest(Vertx vertx, int port, int connections) {
        this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(connections));
        this.port = port;
    }

    int port() {
        return port;
    }

    Response get(String path, String token) {
        return call(HttpMethod.GET, path, token, null, null);
    }

    Response post(String path, String token, String contentType, String body) {
        return call(HttpMethod.POST, path, token, contentType, body);
    }

    Response postJson(String path, String token, Object body) {
        try {
            return call(HttpMethod.POST, path, token, "application/json", body == null ? null : JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Response postBytes(String path, String token, String contentType, byte[] body) {
        var req = client.request(HttpMethod.POST, path).putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", contentType);
        try {
            HttpResponse<Buffer> r = req.sendBuffer(Buffer.buffer(body)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Response(r.statusCode(), r.bodyAsString() == null ? "" : r.bodyAsString(), r.headers());
        } catch (Exception e) {
            throw new AssertionError("POST " + path + " failed: " + e, e);
        }
    }

    /** A GET with extra headers. */
    Response get(String path, String token, java.util.Map<String, String> headers) {
        var req = client.request(HttpMethod.GET, path);
        if (token != null) {
            req.putHeader("Authorization", "Bearer " + token);
        }
        headers.forEach(req::putHeader);
        try {
            HttpResponse<Buffer> r = req.send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Response(r.statusCode(), r.bodyAsString() == null ? "" : r.bodyAsString(), r.headers());
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        }
    }

    Response call(HttpMethod method, String path, String token, String contentType, String body) {
        var req = client.request(method, path);
        if (token != null) {
            req.putHeader("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            req.putHeader("Content-Type", contentType);
        }
        try {
            HttpResponse<Buffer> r = (body == null ? req.send() : req.sendBuffer(Buffer.buffer(body)))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Response(r.statusCode(), r.bodyAsString() == null ? "" : r.bodyAsString(), r.headers());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
