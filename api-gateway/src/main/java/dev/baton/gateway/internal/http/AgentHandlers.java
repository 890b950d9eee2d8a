package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.AgentResponses;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ReadStores;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /api/v1/agents}: every agent's last heartbeat, marked stale after {@code gateway.agent.stale.ms}. */
final class AgentHandlers {
    private final GatewayConfig config;
    private final ReadStores stores;
    private final Replies replies;

    AgentHandlers(GatewayConfig config, ReadStores stores, Replies replies) {
        this.config = config;
        this.stores = stores;
        this.replies = replies;
    }

    void list(RoutingContext ctx) {
        long staleMs = config.getLong(GatewayConfig.AGENT_STALE_MS);
        replies.ok(ctx, () -> {
            long now = System.currentTimeMillis();
            List<JsonNode> items = new ArrayList<>();
            for (byte[] b : stores.agents()) {
                ObjectNode n = (ObjectNode) Json.tree(b);
                long last = Instant.parse(n.get("lastHeartbeat").asText()).toEpochMilli();
                n.put("stale", now - last > staleMs);
                items.add(n);
            }
            return new AgentResponses.Agents(items);
        });
    }
}
