package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.HealthResponses;
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
            HealthResponses.Health body = ar.result();
            http.json(ctx, "UP".equals(body.status()) ? 200 : 503, body);
        });
    }

    /** Runs every check (each with its own timeout) and never fails. */
    Future<HealthResponses.Health> check() {
        long timeout = s.config().getLong(GatewayConfig.HEALTH_TIMEOUT_MS);
        Future<HealthResponses.Check> kafka = probe(() -> {
            var nodes = s.admin().describeCluster().nodes().get(timeout, TimeUnit.MILLISECONDS);
            return new HealthResponses.Check(nodes.isEmpty() ? "DOWN" : "UP", nodes.size(), null, null, null, null);
        });
        Future<HealthResponses.Check> registry = probe(() -> {
            int subjects = s.registry().subjects().size();
            return new HealthResponses.Check("UP", null, subjects, null, null, null);
        });
        HealthResponses.Check readModel = new HealthResponses.Check(s.readModel().ready() ? "UP" : "DOWN", null, null,
                s.readModel().state().name(), null, null);
        return Future.join(List.of(kafka, registry)).transform(x -> {
            Map<String, HealthResponses.Check> checks = new LinkedHashMap<>();
            checks.put("kafka", kafka.result());
            checks.put("registry", registry.result());
            checks.put("readModel", readModel);
            for (BatonService c : components.get()) {
                ServiceHealth h = c.health();
                checks.putIfAbsent(c.name(), new HealthResponses.Check(h.status().name(), null, null, null,
                        h.reason().isEmpty() ? null : h.reason(), null));
            }
            // The first check that is DOWN for good names the reason; else the first that is not UP.
            String reason = null;
            boolean reasonIsDown = false;
            for (Map.Entry<String, HealthResponses.Check> e : checks.entrySet()) {
                String status = e.getValue().status();
                if (!"UP".equals(status) && (reason == null || ("DOWN".equals(status) && !reasonIsDown))) {
                    String why = e.getValue().why();
                    reason = e.getKey() + (why == null ? "" : ": " + why);
                    reasonIsDown = "DOWN".equals(status);
                }
            }
            boolean up = reason == null;
            lastUp = up;
            return Future.succeededFuture(new HealthResponses.Health(up ? "UP" : "DOWN", reason, checks));
        });
    }

    private Future<HealthResponses.Check> probe(java.util.concurrent.Callable<HealthResponses.Check> c) {
        return replies.blocking(c).recover(e -> {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            return Future.succeededFuture(HealthResponses.Check.down(
                    cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
        });
    }
}
