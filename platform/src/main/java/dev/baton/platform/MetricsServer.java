package dev.baton.platform;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * A minimal HTTP endpoint for a service running on its own: {@code GET /metrics} (Prometheus text) and
 * {@code GET /health} (200 when every service is UP, else 503 with the first failing component and its reason).
 * The gateway serves the same for the single-machine stack.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry, Supplier<List<BatonService>> services) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 0);
            s.createContext("/metrics", ex -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            s.createContext("/health", ex -> {
                String json = healthJson(services.get());
                boolean ok = json.startsWith("{\"status\":\"UP\"");
                byte[] body = json.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(ok ? 200 : 503, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            s.setExecutor(null);
            s.start();
            return new MetricsServer(s);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve metrics on " + host + ":" + port, e);
        }
    }

    /**
     * {@code {"status":"DOWN","reason":"agent: ...","components":{"agent":{"status":"DOWN","reason":"..."}}}}: the
     * overall status is UP only when every component is UP; {@code reason} names the first component that is not.
     */
    static String healthJson(List<BatonService> services) {
        StringBuilder components = new StringBuilder();
        String firstProblem = null;
        boolean firstDown = false;
        for (BatonService svc : services) {
            ServiceHealth h = svc.health();
            // The first DOWN component is the reason; else the first one that is not UP yet.
            if (!h.up() && (firstProblem == null || (h.down() && !firstDown))) {
                firstProblem = svc.name() + ": " + h.reason();
                firstDown = h.down();
            }
            components.append(components.isEmpty() ? "" : ",").append(quote(svc.name())).append(":{\"status\":")
                    .append(quote(h.status().name()));
            if (!h.reason().isEmpty()) {
                components.append(",\"reason\":").append(quote(h.reason()));
            }
            components.append('}');
        }
        StringBuilder json = new StringBuilder("{\"status\":").append(quote(firstProblem == null ? "UP" : "DOWN"));
        if (firstProblem != null) {
            json.append(",\"reason\":").append(quote(firstProblem));
        }
        return json.append(",\"components\":{").append(components).append("}}").toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
