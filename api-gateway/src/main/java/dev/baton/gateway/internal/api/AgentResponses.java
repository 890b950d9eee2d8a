package dev.baton.gateway.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Bodies of the agent routes. */
public final class AgentResponses {
    private AgentResponses() {}

    /** {@code GET /agents}: every agent as last heard from, each with {@code stale} set at the time of the call. */
    public record Agents(List<JsonNode> items) {}
}
