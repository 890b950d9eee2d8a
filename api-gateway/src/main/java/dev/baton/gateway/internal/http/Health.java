package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import dev.baton.platform.BatonService;
import dev.baton.platform.ServiceHealth;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 only when Kafka, the schema registry, the read model and every watched component of this
 * process (all of them in {@code baton dev}) are UP; else 503 with {@code reason} naming the failing check.
 */
final class Health {
    private final Services s;
    private final Replies replies;
    private final Http http;
    private final Supplier<List<BatonService>> components;
    private volatile boolean lastUp;

    Health(Services services, Replies replies, Supplier<List<BatonService>> components) {
        this.s = services;
        this.replies = replies;
        this.http = replies.http();
        this.components = components;
    }

    boolean lastUp() {
        return lastUp;
    }

    void handle(RoutingContext ctx) {
        check().onComplete(ar -> {
            Map<String, Object> body = ar.result();
            boolean up = "UP".equals(body.get("status"));
            http.json(ctx, up ? 200 : 503, body);
        });
    }

    /** Runs every check (each with its own timeout) and never fails. */
    Future<Map<String, Object>> check() {
        long timeout = s.config().getLong(GatewayConfig.HEALTH_TIMEOUT_MS);
        Future<Map<String, Object>> kafka = probe(() -> {
            var nodes = s.admin().describeCluster().nodes().get(timeout, TimeUnit.MILLISECONDS);
            return Map.of("status", nodes.isEmpty() ? "DOWN" : "UP", "brokers", nodes.size());
        });
        Future<Map<String, Object>> registry = probe(() -> {
            int subjects = s.registry().subjects().size();
            return Map.of("status", "UP", "subjects", subjects);
        });
        Map<String, Object> readModel = new LinkedHashMap<>();
        readModel.put("status", s.readModel().ready() ? "UP" : "DOWN");
        readModel.put("state", s.readModel().state().name());
        return Future.join(List.of(kafka, registry)).transform(x -> {
            Map<String, Object> checks = new LinkedHashMap<>();
            checks.put("kafka", kafka.result());
            checks.put("registry", registry.result());
            checks.put("readModel", readModel);
            for (BatonService c : components.get()) {
                ServiceHealth h = c.health();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("status", h.status().name());
                if (!h.reason().isEmpty()) {
                    m.put("reason", h.reason());
                }
                checks.putIfAbsent(c.name(), m);
            }
            // The first check that is DOWN for good names the reason; else the first that is not UP.
            String reason = null;
            boolean reasonIsDown = false;
            for (Map.Entry<String, Object> e : checks.entrySet()) {
                Map<?, ?> c = (Map<?, ?>) e.getValue();
                Object status = c.get("status");
                if (!"UP".equals(status) && (reason == null || ("DOWN".equals(status) && !reasonIsDown))) {
                    Object why = c.containsKey("reason") ? c.get("reason") : c.containsKey("error") ? c.get("error") : c.get("state");
                    reason = e.getKey() + (why == null ? "" : ": " + why);
                    reasonIsDown = "DOWN".equals(status);
                }
            }
            boolean up = reason == null;
            lastUp = up;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            if (!up) {
                body.put("reason", reason);
            }
            body.put("checks", checks);
            return Future.succeededFuture(body);
        });
    }

    private Future<Map<String, Object>> probe(java.util.concurrent.Callable<Map<String, Object>> c) {
        return replies.blocking(c).recover(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", "DOWN");
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            m.put("error", cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            return Future.succeededFuture(m);
        });
    }
}
