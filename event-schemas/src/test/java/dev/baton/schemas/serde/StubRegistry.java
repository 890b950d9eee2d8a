package dev.baton.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.schemas.serde.internal.MockRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A JDK HttpServer in front of the in-memory registry, recording every request, for client
 * behaviour tests (headers, caching, failover, error mapping). Not a registry implementation: the
 * real round trip is tested against the embedded registry in the schema-registry module.
 */
final class StubRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Request(String method, String path, Headers headers, String body) {
        String line() {
            return method + " " + path;
        }
    }

    record Response(int status, String contentType, String body) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final String scope = "stub-" + UUID.randomUUID();
    private final MockRegistry backend = MockRegistry.forScope(scope);
    private volatile Function<Request, Response> override = r -> null;

    StubRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    HttpServer server() {
        return server;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers requests for which {@code f} returns non-null with that response instead of the registry. */
    void override(Function<Request, Response> f) {
        override = f;
    }

    long count(String line) {
        return requests.stream().filter(r -> r.line().equals(line)).count();
    }

    long count() {
        return requests.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        Request request = new Request(ex.getRequestMethod(), path, ex.getRequestHeaders(), body);
        requests.add(request);
        Response response;
        try {
            response = override.apply(request);
            if (response == null) {
                JsonNode json = body.isEmpty() ? null : JSON.readTree(body);
                JsonNode out = backend.call(request.method(), path, json);
                response = new Response(200, "application/vnd.schemaregistry.v1+json", JSON.writeValueAsString(out));
            }
        } catch (SchemaRegistryException e) {
            response = new Response(e.httpStatus(), "application/vnd.schemaregistry.v1+json",
                    JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage()).toString());
        } catch (RuntimeException e) {
            response = new Response(500, "text/plain", e.toString());
        }
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", response.contentType());
        ex.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        MockRegistry.dropScope(scope);
    }
}
