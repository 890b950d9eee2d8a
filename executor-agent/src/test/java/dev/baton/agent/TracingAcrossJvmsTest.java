package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.events.AgentState;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunAction;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepDefinition;
import dev.baton.events.StepSucceeded;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace per run across JVMs, with the logging OTLP exporter ({@code OTEL_TRACES_EXPORTER=logging-otlp}, OTLP JSON
 * on the log) on both sides: the coordinator runs in this JVM, the agent in another one. A two-step run's spans form
 * requester → run → step → attempt (parents checked by span id, one trace id throughout), and each step's process saw
 * a {@code TRACEPARENT} of the run's trace whose parent is its own attempt span.
 */
@dev.baton.testkit.WithKafka
class TracingAcrossJvmsTest {
    /** The JUL logger the logging-otlp span exporter writes one OTLP JSON line (ResourceSpans) to. */
    private static final String EXPORTER_LOGGER = "io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path state;
    @TempDir Path dir;

    private final List<String> exported = new CopyOnWriteArrayList<>();
    private Logger exporterLogger;
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            exported.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void tracingOn() {
        System.setProperty("otel.traces.exporter", "logging-otlp");
        System.setProperty("otel.service.name", "coordinator-under-test");
        System.setProperty("otel.bsp.schedule.delay", "50");
        Tracing.reload();
        exporterLogger = Logger.getLogger(EXPORTER_LOGGER);
        exporterLogger.setLevel(java.util.logging.Level.INFO);
        exporterLogger.addHandler(capture);
    }

    @AfterEach
    void tracingOff() {
        Tracing.get().flush();
        exporterLogger.removeHandler(capture);
        System.clearProperty("otel.traces.exporter");
        System.clearProperty("otel.service.name");
        System.clearProperty("otel.bsp.schedule.delay");
        Tracing.reload();
    }

    /** One exported span, as read back from OTLP JSON. */
    record Exported(String service, String name, String traceId, String spanId, String parentSpanId, Map<String, String> attributes) {}

    @Test
    @SuppressWarnings("try")
    void aTwoStepRunOnAnAgentInAnotherJvmIsOneTraceWithParentLinksDownToTheStepsProcess(dev.baton.testkit.TestCluster cluster)
            throws Exception {
        assertThat(cluster.registryUrl()).as("a second JVM must reach the registry over HTTP").startsWith("http");
        Process agent = null;
        try (AgentHarness h = new AgentHarness(cluster, "tracing")) {
            Map<String, Object> cc = new HashMap<>(cluster.config(h.topics));
            cc.put(CoordinatorConfig.STATE_DIR, state.toString());
            try (Coordinator coordinator = Coordinator.start(new CoordinatorConfig(cc), new SimpleMeterRegistry())) {
                agent = startAgentProcess(h.agentConfig(Map.of(AgentConfig.ID, "remote", AgentConfig.REGION, "eu-far")));
                // A second JVM on a loaded machine can take a while to start and register: a generous bound.
                await().atMost(Duration.ofSeconds(180)).until(() -> h.registrationsOf("remote").stream()
                        .anyMatch(r -> r.getState() == AgentState.RUNNING));

                // The requester (what the gateway's API request span is): a span of its own, passed in the request.
                Span requester = Tracing.get().tracer("test-client").spanBuilder("POST /api/v1/jobs/{name}/runs").startSpan();
                SpanContext req = requester.getSpanContext();
                String script = "echo \"traceparent=$TRACEPARENT\" >> \"$BATON_OUTPUT\"";
                StepDefinition a = StepDefinition.newBuilder().setKey("extract")
                        .setAction(new RunAction(script, "bash", Map.of(), null)).build();
                StepDefinition b = StepDefinition.newBuilder().setKey("load").setNeeds(List.of("extract"))
                        .setAction(new RunAction(script, "bash", Map.of(), null)).build();
                JobDefinition job = JobDefinition.newBuilder().setName("traced").setSteps(List.of(a, b))
                        .setRegisteredAt(Instant.EPOCH).build();
                String runId = "run-" + UUID.randomUUID();
                h.sendAvro(h.topics.runRequests(), runId, RunRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setRunId(runId).setTimestamp(Instant.now()).setTraceId("request-" + runId).setJob("traced")
                        .setOrigin(Origin.API).setDefinition(job)
                        .setTraceparent(TraceContext.of(req).traceparent()).build());
                requester.end();

                await().atMost(Duration.ofSeconds(60)).until(() -> h.runEvents.stream()
                        .anyMatch(e -> e.getRunId().equals(runId) && e.getPayload() instanceof RunSucceeded));
                Tracing.get().flush();
                Path agentLog = dir.resolve("agent.log");
                await().atMost(Duration.ofSeconds(30)).until(() -> spans(List.of(), agentLog).stream()
                        .filter(s -> s.name().equals("baton.attempt")).count() == 2);
                await().atMost(Duration.ofSeconds(10)).until(() -> spans(exported, null).stream()
                        .filter(s -> s.name().startsWith("baton.")).count() == 3);

                List<Exported> local = spans(exported, null);
                List<Exported> remote = spans(List.of(), agentLog);
                String traceId = req.getTraceId();
                Exported run = only(local, "baton.run", null);
                assertThat(run.service()).isEqualTo("coordinator-under-test");
                assertThat(run.traceId()).isEqualTo(traceId);
                assertThat(run.parentSpanId()).isEqualTo(req.getSpanId());
                assertThat(run.attributes()).containsEntry("baton.run.id", runId).containsEntry("baton.job", "traced");

                for (String stepKey : List.of("extract", "load")) {
                    Exported step = only(local, "baton.step", stepKey);
                    assertThat(step.traceId()).isEqualTo(traceId);
                    assertThat(step.parentSpanId()).isEqualTo(run.spanId());
                    assertThat(step.attributes()).containsEntry("baton.run.id", runId).containsEntry("baton.attempt", "1")
                            .containsEntry("baton.pool", "default");

                    Exported attempt = only(remote, "baton.attempt", stepKey);
                    assertThat(attempt.service()).as("exported by the agent's JVM").isNotEqualTo("coordinator-under-test");
                    assertThat(attempt.traceId()).isEqualTo(traceId);
                    assertThat(attempt.parentSpanId()).isEqualTo(step.spanId());
                    assertThat(attempt.attributes()).containsEntry("baton.run.id", runId).containsEntry("baton.job", "traced")
                            .containsEntry("baton.attempt", "1").containsEntry("baton.pool", "default")
                            .containsEntry("baton.region", "eu-far").containsEntry("baton.agent.id", "remote");

                    // The step's process joined the run's trace, as a child of its attempt.
                    StepSucceeded done = h.runEvents.stream()
                            .filter(e -> e.getRunId().equals(runId) && stepKey.equals(e.getStepKey())
                                    && e.getPayload() instanceof StepSucceeded)
                            .map(e -> (StepSucceeded) e.getPayload()).findFirst().orElseThrow();
                    SpanContext seen = TraceContext.parse(done.getOutputs().get("traceparent"), null);
                    assertThat(seen.isValid()).as("TRACEPARENT seen by step %s: %s", stepKey, done.getOutputs()).isTrue();
                    assertThat(seen.getTraceId()).isEqualTo(traceId);
                    assertThat(seen.getSpanId()).isEqualTo(attempt.spanId());

                    // The canonical log carries the step span on the step's events.
                    RunEvent stepEvent = h.runEvents.stream()
                            .filter(e -> e.getRunId().equals(runId) && stepKey.equals(e.getStepKey())).findFirst().orElseThrow();
                    assertThat(TraceContext.parse(stepEvent.getTraceparent(), null).getSpanId()).isEqualTo(step.spanId());
                }
            }
        } finally {
            if (agent != null) {
                agent.destroy();
                agent.waitFor();
            }
        }
    }

    private static Exported only(List<Exported> spans, String name, String step) {
        List<Exported> found = spans.stream().filter(s -> s.name().equals(name)
                && (step == null || step.equals(s.attributes().get("baton.step")))).toList();
        assertThat(found).as("%s spans for step %s in %s", name, step, spans).hasSize(1);
        return found.getFirst();
    }

    /** Spans from OTLP JSON lines: the captured messages, or the lines of the agent's log that hold one. */
    private static List<Exported> spans(List<String> messages, Path log) throws Exception {
        List<String> lines = new ArrayList<>(messages);
        if (log != null && Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                int at = line.indexOf("{\"resource\"");
                if (at >= 0) lines.add(line.substring(at));
            }
        }
        List<Exported> out = new ArrayList<>();
        for (String line : lines) {
            JsonNode rs;
            try {
                rs = JSON.readTree(line);
            } catch (Exception e) {
                continue; // a line cut by the process's end
            }
            String service = "";
            for (JsonNode attr : rs.path("resource").path("attributes")) {
                if (attr.path("key").asText().equals("service.name")) service = value(attr.path("value"));
            }
            for (JsonNode scope : rs.path("scopeSpans")) {
                for (JsonNode s : scope.path("spans")) {
                    Map<String, String> attrs = new HashMap<>();
                    for (JsonNode attr : s.path("attributes")) attrs.put(attr.path("key").asText(), value(attr.path("value")));
                    out.add(new Exported(service, s.path("name").asText(), s.path("traceId").asText(), s.path("spanId").asText(),
                            s.path("parentSpanId").asText(""), attrs));
                }
            }
        }
        return out;
    }

    private static String value(JsonNode v) {
        if (v.has("stringValue")) return v.get("stringValue").asText();
        if (v.has("intValue")) return v.get("intValue").asText();
        return v.toString();
    }

    private Process startAgentProcess(Map<String, Object> config) throws Exception {
        Properties p = new Properties();
        config.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        Path file = dir.resolve("agent.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                AgentProcessMain.class.getName(), file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile());
        // Standard OTEL_* variables only: that is how an operator turns tracing on for an agent.
        pb.environment().put("OTEL_TRACES_EXPORTER", "logging-otlp");
        pb.environment().put("OTEL_SERVICE_NAME", "agent-under-test");
        pb.environment().put("OTEL_BSP_SCHEDULE_DELAY", "50");
        return pb.start();
    }
}
