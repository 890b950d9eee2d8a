package dev.baton.coordinator.internal.serde;

import dev.baton.events.AgentReport;
import dev.baton.events.ControlCommand;
import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.StepCommand;
import dev.baton.schemas.serde.AvroSerde;
import java.util.Map;

/** The Confluent wire-format serdes the coordinator reads and writes. */
public record Codecs(AvroSerde<RunRequest> requests, AvroSerde<ControlCommand> control, AvroSerde<AgentReport> reports,
                     AvroSerde<RunEvent> runEvents, AvroSerde<StepCommand> commands, AvroSerde<LineageEvent> lineage,
                     AvroSerde<DeadLetter> deadLetters, AvroSerde<JobDefinition> jobs) {

    public static Codecs create(Map<String, ?> registryConfig) {
        return new Codecs(
                AvroSerde.forValues(RunRequest.class, registryConfig),
                AvroSerde.forValues(ControlCommand.class, registryConfig),
                AvroSerde.forValues(AgentReport.class, registryConfig),
                AvroSerde.forValues(RunEvent.class, registryConfig),
                AvroSerde.forValues(StepCommand.class, registryConfig),
                AvroSerde.forValues(LineageEvent.class, registryConfig),
                AvroSerde.forValues(DeadLetter.class, registryConfig),
                AvroSerde.forValues(JobDefinition.class, registryConfig));
    }
}
