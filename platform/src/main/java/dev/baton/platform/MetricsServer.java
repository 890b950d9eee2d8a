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
 * {@code GET /health} (200 when every service is ready, else 503). The gateway serves the same for the
 * single-machine stack.
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
                StringBuilder json = new StringBuilder("{");
                boolean ok = true;
                for (BatonService svc : services.get()) {
                    boolean ready = svc.ready();
                    ok &= ready;
                    json.append(json.length() > 1 ? "," : "").append('"').append(svc.name()).append("\":\"")
                            .append(ready ? "UP" : "DOWN").append('"');
                }
                byte[] body = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
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

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
