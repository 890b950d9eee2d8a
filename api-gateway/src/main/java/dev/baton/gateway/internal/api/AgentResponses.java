package dev.baton.gateway.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Bodies of the agent routes. */
public final class AgentResponses {
    private AgentResponses() {}

    /** {@code GET /agents}: every agent as last heard from, each with {@code stale} set at the time of the call. */
    public record Agents(List<JsonNode> items) {}

    /** {@code GET /pools}: every pool, by name. */
    public record Pools(List<Pool> items) {}

    /**
     * One pool: its agents (live ones counted for slots and running attempts), regions, the commands its agents have
     * not acquired yet ({@code backlog}; null when Kafka did not answer in time) and whether it is {@code unserved}
     * (a backlog and no live agent). A null backlog is left out of the JSON.
     */
    public record Pool(String pool, int liveAgents, int staleAgents, int slots, int running, List<String> regions,
                       Long backlog, boolean unserved) {}
}
