package dev.baton.platform.secrets;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small stand-in for HashiCorp Vault's KV v2 read API on 127.0.0.1: {@code GET /v1/<mount>/data/<path>} with
 * {@code X-Vault-Token} answers {@code {"data": {"data": {...}, "metadata": {...}}}}, 403 for a wrong token, 404 for
 * an unknown entry; {@link #failWith(int)} makes it answer an error status.
 */
public final class FakeVault implements AutoCloseable {
    public record Request(String path, String token, String namespace) {}

    private final HttpServer server;
    private final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String token;
    private volatile int failStatus;

    public FakeVault(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/", ex -> {
            String path = ex.getRequestURI().getRawPath();
            String given = ex.getRequestHeaders().getFirst("X-Vault-Token");
            requests.add(new Request(path, given, ex.getRequestHeaders().getFirst("X-Vault-Namespace")));
            int status;
            String body;
            Map<String, String> data = entries.get(path);
            if (failStatus != 0) {
                status = failStatus;
                body = "{\"errors\": [\"internal error\"]}";
            } else if (!ex.getRequestMethod().equals("GET")) {
                status = 405;
                body = "{\"errors\": []}";
            } else if (given == null || !given.equals(this.token)) {
                status = 403;
                body = "{\"errors\": [\"permission denied\"]}";
            } else if (data == null) {
                status = 404;
                body = "{\"errors\": []}";
            } else {
                StringBuilder b = new StringBuilder("{\"request_id\": \"r\", \"data\": {\"data\": {");
                String sep = "";
                for (var e : data.entrySet()) {
                    b.append(sep).append('"').append(e.getKey()).append("\": \"").append(json(e.getValue())).append('"');
                    sep = ", ";
                }
                b.append("}, \"metadata\": {\"version\": 3, \"destroyed\": false}}}");
                status = 200;
                body = b.toString();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Stores the entry {@code <mount>/<path>} (replacing the previous version). */
    public FakeVault put(String mount, String path, Map<String, String> data) {
        entries.put("/v1/" + mount + "/data/" + path, Map.copyOf(data));
        return this;
    }

    public void token(String token) {
        this.token = token;
    }

    public void failWith(int status) {
        this.failStatus = status;
    }

    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
