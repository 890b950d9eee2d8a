package dev.baton.agent.internal;

import dev.baton.events.AgentReport;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepHeartbeatReport;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Writes {@link AgentReport}s (keyed by run id) through the idempotent, acks=all report producer. */
public final class Reports {
    private final Producer<String, byte[]> producer;
    private final Codec codec;
    private final String topic;
    private final String agentId;
    private final String host;
    private final String region;

    public Reports(Producer<String, byte[]> producer, Codec codec, String topic, String agentId, String host, String region) {
        this.producer = producer;
        this.codec = codec;
        this.topic = topic;
        this.agentId = agentId;
        this.host = host;
        this.region = region;
    }

    public CompletableFuture<RecordMetadata> started(StepCommand cmd, OptionalLong pid) {
        return send(cmd, new StepStartedReport(host, region, pid.isPresent() ? pid.getAsLong() : null));
    }

    public CompletableFuture<RecordMetadata> heartbeat(StepCommand cmd) {
        return send(cmd, new StepHeartbeatReport());
    }

    public CompletableFuture<RecordMetadata> finished(StepCommand cmd, Outcome outcome, Duration duration) {
        Object report = switch (outcome) {
            case Outcome.Succeeded s -> StepSucceededReport.newBuilder()
                    .setOutputs(s.outputs())
                    .setOutputRefs(s.outputRefs())
                    .setMaterializations(s.materializations())
                    .setDurationMs(duration.toMillis())
                    .build();
            case Outcome.Failed f -> StepFailedReport.newBuilder()
                    .setErrorClass(f.errorClass())
                    .setMessage(f.message() == null ? "" : f.message())
                    .setExitCode(f.exitCode())
                    .setRetryable(f.retryable())
                    .setDurationMs(duration.toMillis())
                    .build();
        };
        return send(cmd, report);
    }

    private CompletableFuture<RecordMetadata> send(StepCommand cmd, Object report) {
        AgentReport value = AgentReport.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRunId(cmd.getRunId())
                .setTimestamp(Instant.now())
                .setTraceId(cmd.getTraceId())
                .setStepKey(cmd.getStepKey())
                .setAttempt(cmd.getAttempt())
                .setAttemptId(cmd.getAttemptId())
                .setAgentId(agentId)
                .setReport(report)
                .setTraceparent(cmd.getTraceparent())
                .setTracestate(cmd.getTracestate())
                .build();
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, cmd.getRunId(), codec.report(topic, value)), (md, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(md);
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }
}
