package dev.baton.alerting.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.baton.events.AlertCondition;
import java.util.List;

/**
 * What the incident engine folds, extracted from the input topics and sent through one partition. {@code sourceId} is
 * the id of the input event (ids of the engine's events derive from it); {@code at} its time in epoch ms.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Signal.Fired.class, name = "fired"),
        @JsonSubTypes.Type(value = Signal.Cleared.class, name = "cleared"),
        @JsonSubTypes.Type(value = Signal.Heartbeat.class, name = "heartbeat"),
        @JsonSubTypes.Type(value = Signal.Acknowledge.class, name = "ack"),
        @JsonSubTypes.Type(value = Signal.Malformed.class, name = "malformed"),
        @JsonSubTypes.Type(value = Signal.Dispatched.class, name = "dispatched"),
        @JsonSubTypes.Type(value = Signal.Settled.class, name = "settled"),
        @JsonSubTypes.Type(value = Signal.ScheduleTicks.class, name = "ticks")})
public sealed interface Signal {
    String sourceId();

    long at();

    /** A condition occurred: a run or step failed, a check failed, an asset went stale, an agent fell silent. */
    record Fired(String sourceId, long at, AlertCondition condition, String job, String subject, String runId,
                 String message) implements Signal {}

    /** The conditions cleared for (job, subject): a run succeeded, a check passed, the asset is fresh, the agent is back. */
    record Cleared(String sourceId, long at, List<AlertCondition> conditions, String job, String subject, String runId,
                   String reason) implements Signal {}

    /** An agent's heartbeat (state RUNNING, DRAINING or STOPPED). */
    record Heartbeat(String sourceId, long at, String agentId, List<String> pools, String state) implements Signal {}

    /** An acknowledgement from the API. */
    record Acknowledge(String sourceId, long at, String incidentId, String actor, String note) implements Signal {}

    /** A step attempt was sent to its pool's command topic (pool_unserved rules only). */
    record Dispatched(String sourceId, long at, String pool, String runId, String attemptId) implements Signal {}

    /**
     * An attempt no longer waits for an agent (started, finished, lost, canceled), or a run ended ({@code attemptId}
     * null: every attempt of {@code runId}). pool_unserved rules only.
     */
    record Settled(String sourceId, long at, String runId, String attemptId) implements Signal {}

    /**
     * The last ticks of one schedule as the scheduler published them (its status repeats earlier ticks: the engine keeps
     * the newest tick it has seen per schedule). {@code ticks}: tick time (epoch ms) and outcome, oldest first.
     */
    record ScheduleTicks(String sourceId, long at, String job, String schedule, List<Tick> ticks) implements Signal {}

    record Tick(long tickMs, String outcome, String detail) {}

    /** An input record of a topic this component owns (incident-control) that cannot be read: dead-lettered. */
    record Malformed(String sourceId, long at, String topic, int partition, long offset, String reason, byte[] key,
                     byte[] value) implements Signal {}
}
