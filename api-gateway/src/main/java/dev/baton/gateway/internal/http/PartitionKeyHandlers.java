package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys of dynamic partition sets (docs/api.md#dynamic-partitions): {@code POST /api/v1/partitions/{name}/keys}
 * adds, {@code DELETE /api/v1/partitions/{name}/keys/{partitionKey}} removes, {@code GET /api/v1/partitions/{name}/keys}
 * pages over them in key order.
 */
final class PartitionKeyHandlers {
    /** At most this many keys in one add request. */
    static final int MAX_KEYS_PER_REQUEST = 1000;

    record KeysAdded(String name, List<String> keys) {}

    record KeyRemoved(String name, String key) {}

    private final GatewayConfig config;
    private final PartitionKeyStore store;
    private final Replies replies;
    private final Http http;

    PartitionKeyHandlers(GatewayConfig config, PartitionKeyStore store, Replies replies) {
        this.config = config;
        this.store = store;
        this.replies = replies;
        this.http = replies.http();
    }

    static String setName(RoutingContext ctx) {
        String name = Requests.path(ctx, "name");
        if (name == null || !PartitionKeyStore.SET_NAME.matcher(name).matches()) {
            throw ApiError.badRequest("a partition set name is 1 to 100 letters, digits, '.', '_' or '-' (not starting with '.' or '-')");
        }
        return name;
    }

    /** The keys of the body {@code {"keys": [...]}}: a 400 naming the first bad one. */
    static List<String> keys(JsonNode body) {
        JsonNode n = body.get("keys");
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw ApiError.badRequest("keys must be a non-empty array of strings");
        }
        if (n.size() > MAX_KEYS_PER_REQUEST) {
            throw ApiError.badRequest("at most " + MAX_KEYS_PER_REQUEST + " keys per request (got " + n.size() + ")");
        }
        Set<String> keys = new LinkedHashSet<>();
        for (JsonNode k : n) {
            if (!k.isTextual()) {
                throw ApiError.badRequest("keys must be a non-empty array of strings");
            }
            PartitionKeyStore.invalidKey(k.asText()).ifPresent(why -> {
                throw ApiError.badRequest(why);
            });
            keys.add(k.asText());
        }
        return new ArrayList<>(keys);
    }

    /** {@code POST /api/v1/partitions/{name}/keys} with {@code {"keys": ["k1", ...]}}: 200 once they are on the topic. */
    void add(RoutingContext ctx) {
        String name = setName(ctx);
        List<String> keys = keys(Requests.jsonBody(ctx));
        Http.audit(ctx, "partitionSet", name);
        Http.audit(ctx, "keys", keys.size());
        replies.ok(ctx, () -> {
            store.add(name, keys);
            return new KeysAdded(name, keys);
        });
    }

    /** {@code DELETE /api/v1/partitions/{name}/keys/{partitionKey}}: 200, or 404 when the set has no such key. */
    void remove(RoutingContext ctx) {
        String name = setName(ctx);
        String key = Requests.path(ctx, "partitionKey");
        PartitionKeyStore.invalidKey(key).ifPresent(why -> {
            throw ApiError.badRequest(why);
        });
        Http.audit(ctx, "partitionSet", name);
        Http.audit(ctx, "key", key);
        replies.ok(ctx, () -> {
            if (!store.contains(name, key)) {
                throw ApiError.notFound("partition set " + name + " has no key '" + key + "'");
            }
            store.remove(name, key);
            return new KeyRemoved(name, key);
        });
    }

    /** {@code GET /api/v1/partitions/{name}/keys?limit=&cursor=}: the keys in order, paged. */
    void list(RoutingContext ctx) {
        String name = setName(ctx);
        int limit = Requests.limit(ctx, config);
        String after = Requests.cursor(ctx);
        replies.ok(ctx, () -> {
            List<String> page = store.keys(name, after, limit + 1);
            boolean more = page.size() > limit;
            List<String> items = more ? page.subList(0, limit) : page;
            return Page.of(items, more ? items.get(items.size() - 1) : null, limit);
        });
    }
}
