package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.agent.AgentConfig;
import dev.baton.events.AgentReport;
import dev.baton.events.ExecuteStep;
import dev.baton.events.NoopAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.platform.secrets.EnvironmentSecretProvider;
import dev.baton.platform.secrets.SecretProviders;
import dev.baton.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A step that is over before its started report is acknowledged sends its result right behind it, and its command is
 * still accepted only once the started report is written (released if that fails). The report producer is Kafka's
 * {@link MockProducer} without auto-completion, so the test decides when (and how) each send is acknowledged.
 */
class ResultBehindStartTest {
    private final Map<String, Object> registry = Map.of("schema.registry.url", "mock://result-behind-start-" + UUID.randomUUID());
    private final MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final List<AcknowledgeType> acks = new CopyOnWriteArrayList<>();
    private Codec codec;
    private AgentRuntime runtime;
    private Path workDir;

    @BeforeEach
    void setUp() throws Exception {
        workDir = Files.createTempDirectory("result-behind-start");
        Map<String, Object> c = new HashMap<>(registry);
        c.put("bootstrap.servers", "localhost:9092");
        c.put(AgentConfig.ID, "agent-t");
        c.put(AgentConfig.WORK_DIR, workDir.toString());
        AgentConfig config = new AgentConfig(c);
        codec = new Codec(registry);
        AgentMetrics metrics = new AgentMetrics(new SimpleMeterRegistry(), "agent-t", () -> 0, () -> 0);
        Reports reports = new Reports(producer, codec, "reports", "agent-t", "host", "region");
        // Logs go through a producer of their own that acknowledges at once: only the reports' timing is under test.
        LogShipper logs = new LogShipper(new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
                codec, "logs", "agent-t", metrics);
        runtime = new AgentRuntime(config, reports, logs, metrics, HandlerRegistry.load(Optional.empty()), new Semaphore(0),
                new SecretProviders(List.of(new EnvironmentSecretProvider(Map.of()))));
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        codec.close();
    }

    @Test
    void theResultFollowsTheStartedReportAndTheCommandIsAcceptedOnceTheStartIsWritten() throws Exception {
        StepCommand cmd = noop();
        assertThat(runtime.dispatch(cmd, (ExecuteStep) cmd.getCommand(), System.currentTimeMillis(), acks::add)).isEmpty();

        // Both reports are sent while the started report is still unacknowledged, the result behind the start.
        await().until(() -> producer.history().size() == 2);
        assertThat(reportTypes()).containsExactly(StepStartedReport.class, StepSucceededReport.class);
        assertThat(producer.history()).allSatisfy(r -> assertThat(r.key()).isEqualTo(cmd.getRunId()));
        assertThat(acks).isEmpty();

        producer.completeNext(); // the started report is written
        await().until(() -> !acks.isEmpty());
        assertThat(acks).containsExactly(AcknowledgeType.ACCEPT);
        producer.completeNext(); // the result is written
        await().until(() -> runtime.runningCount() == 0);
        assertThat(acks).containsExactly(AcknowledgeType.ACCEPT);
    }

    @Test
    void aStartThatIsNotWrittenReleasesTheCommandAndTheAttemptIsNotFinishedHere() throws Exception {
        StepCommand cmd = noop();
        runtime.dispatch(cmd, (ExecuteStep) cmd.getCommand(), System.currentTimeMillis(), acks::add);
        await().until(() -> producer.history().size() == 2);

        producer.errorNext(new NotEnoughReplicasException("test: the started report is not written"));
        await().until(() -> !acks.isEmpty());
        assertThat(acks).containsExactly(AcknowledgeType.RELEASE);
        await().until(() -> runtime.runningCount() == 0);

        // Released, not finished: when the broker hands the command to this agent again, it runs it again.
        List<AcknowledgeType> again = new CopyOnWriteArrayList<>();
        assertThat(runtime.dispatch(cmd, (ExecuteStep) cmd.getCommand(), System.currentTimeMillis(), again::add)).isEmpty();
        await().until(() -> producer.history().size() == 4);
        assertThat(reportTypes()).containsExactly(StepStartedReport.class, StepSucceededReport.class,
                StepStartedReport.class, StepSucceededReport.class);
    }

    private List<Class<?>> reportTypes() {
        try (AvroSerde<AgentReport> serde = AvroSerde.forValues(AgentReport.class, registry)) {
            return producer.history().stream()
                    .<Class<?>>map(r -> serde.deserialize("reports", r.value()).getReport().getClass())
                    .toList();
        }
    }

    private static StepCommand noop() {
        String runId = "run-" + UUID.randomUUID();
        return StepCommand.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRunId(runId)
                .setTimestamp(Instant.now())
                .setTraceId("trace-" + runId)
                .setStepKey("step")
                .setAttempt(1)
                .setAttemptId(runId + "/step/1")
                .setPool("default")
                .setCommand(ExecuteStep.newBuilder().setJob("job").setAction(new NoopAction())
                        .setHeartbeatIntervalMs(Duration.ofSeconds(1).toMillis()).build())
                .build();
    }
}
