package dev.baton.alerting.internal;

import java.util.List;

/**
 * The last heartbeat of an agent, as the incident engine saw it.
 *
 * @param lost true while an agent_lost incident may be open for it (a heartbeat then clears it)
 */
public record AgentSeen(String agentId, long lastSeen, String lastEventId, List<String> pools, String state, boolean lost) {}
