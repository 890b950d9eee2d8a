package dev.baton.agent.internal;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentReport;
import dev.baton.events.DeadLetter;
import dev.baton.events.LogBatch;
import dev.baton.events.StepCommand;
import dev.baton.schemas.serde.AvroSerde;
import java.util.Map;

/** The agent's serdes, one per event type, all in the Confluent wire format. */
public final class Codec implements AutoCloseable {
    private final AvroSerde<StepCommand> commands;
    private final AvroSerde<AgentReport> reports;
    private final AvroSerde<LogBatch> logs;
    private final AvroSerde<AgentHeartbeat> registrations;
    private final AvroSerde<DeadLetter> deadLetters;

    public Codec(Map<String, ?> registryConfig) {
        this.commands = AvroSerde.forValues(StepCommand.class, registryConfig);
        this.reports = AvroSerde.forValues(AgentReport.class, registryConfig);
        this.logs = AvroSerde.forValues(LogBatch.class, registryConfig);
        this.registrations = AvroSerde.forValues(AgentHeartbeat.class, registryConfig);
        this.deadLetters = AvroSerde.forValues(DeadLetter.class, registryConfig);
    }

    /** Decodes a command; throws {@link dev.baton.schemas.serde.EventDecodeException} on bad bytes. */
    public StepCommand command(String topic, byte[] value) {
        return commands.deserialize(topic, value);
    }

    public byte[] command(String topic, StepCommand value) {
        return commands.serialize(topic, value);
    }

    public byte[] report(String topic, AgentReport value) {
        return reports.serialize(topic, value);
    }

    public byte[] logBatch(String topic, LogBatch value) {
        return logs.serialize(topic, value);
    }

    public byte[] registration(String topic, AgentHeartbeat value) {
        return registrations.serialize(topic, value);
    }

    public byte[] deadLetter(String topic, DeadLetter value) {
        return deadLetters.serialize(topic, value);
    }

    @Override
    public void close() {
        commands.close();
        reports.close();
        logs.close();
        registrations.close();
        deadLetters.close();
    }
}
