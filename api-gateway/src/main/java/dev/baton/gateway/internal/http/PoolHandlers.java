package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.AgentResponses;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.platform.PoolBacklog;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/pools}: every pool that has a command topic or an agent, with its live agents, slots, running
 * attempts and command backlog (commands its share group has not acquired yet, {@link PoolBacklog}). A pool with a
 * backlog and no live agent is {@code unserved}: its steps wait until an agent of the pool starts.
 */
final class PoolHandlers {
    private static final Logger log = LoggerFactory.getLogger(PoolHandlers.class);

    private final GatewayConfig config;
    private final ReadStores stores;
    private final Replies replies;
    /** Null without Kafka (handler tests): backlogs are then unknown. */
    private final PoolBacklog backlog;

    PoolHandlers(Services s, ReadStores stores, Replies replies) {
        this.config = s.config();
        this.stores = stores;
        this.replies = replies;
        this.backlog = s.admin() == null ? null : new PoolBacklog(s.admin(), s.topics());
    }

    void list(RoutingContext ctx) {
        replies.ok(ctx, () -> new AgentResponses.Pools(pools(System.currentTimeMillis())));
    }

    private List<AgentResponses.Pool> pools(long now) throws InterruptedException {
        long staleMs = config.getLong(GatewayConfig.AGENT_STALE_MS);
        Map<String, Acc> byPool = new TreeMap<>();
        for (byte[] b : stores.agents()) {
            JsonNode a = Json.tree(b);
            boolean stale = now - Instant.parse(a.get("lastHeartbeat").asText()).toEpochMilli() > staleMs;
            for (JsonNode p : a.path("pools")) {
                Acc acc = byPool.computeIfAbsent(p.asText(), k -> new Acc());
                if (stale) {
                    acc.stale++;
                } else {
                    acc.live++;
                    acc.slots += a.path("slots").asInt(0);
                    acc.running += a.path("running").size();
                }
                if (a.hasNonNull("region")) {
                    acc.regions.add(a.get("region").asText());
                }
            }
        }
        Map<String, PoolBacklog.Pool> backlogs = null;
        if (backlog != null) {
            try {
                backlogs = backlog.read(Duration.ofMillis(config.getLong(GatewayConfig.HEALTH_TIMEOUT_MS)));
                backlogs.keySet().forEach(p -> byPool.computeIfAbsent(p, k -> new Acc()));
            } catch (java.util.concurrent.TimeoutException | IllegalStateException e) {
                log.debug("Pool backlogs unknown: {}", e.toString());
            }
        }
        List<AgentResponses.Pool> out = new ArrayList<>();
        for (var e : byPool.entrySet()) {
            Acc a = e.getValue();
            PoolBacklog.Pool b = backlogs == null ? null : backlogs.get(e.getKey());
            Long queued = backlogs == null ? null : b == null ? 0L : b.backlog();
            out.add(new AgentResponses.Pool(e.getKey(), a.live, a.stale, a.slots, a.running, List.copyOf(a.regions), queued,
                    queued != null && queued > 0 && a.live == 0));
        }
        return out;
    }

    private static final class Acc {
        int live;
        int stale;
        int slots;
        int running;
        final TreeSet<String> regions = new TreeSet<>();
    }
}
