package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.events.AgentReport;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.StepCommand;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import dev.baton.platform.tracing.DeterministicIds;
import dev.baton.platform.tracing.TraceContext;
import dev.baton.platform.tracing.Tracing;
import dev.baton.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's part of a run's trace, with TopologyTestDriver: the context in step commands and run events, the
 * run and step spans rebuilt from the events (parents by id), the same ids when the same inputs are decided again
 * (replay), and nothing at all when tracing is off.
 */
class RunTraceTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final String REQUESTER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String EXPORTER_LOGGER = "io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter";

    @TempDir Path stateDir;
    final Topics topics = new Topics("t.");
    final List<String> exported = new CopyOnWriteArrayList<>();
    final Logger exporterLogger = Logger.getLogger(EXPORTER_LOGGER);
    final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) { exported.add(r.getMessage()); }
        @Override public void flush() {}
        @Override public void close() {}
    };

    @AfterEach
    void tracingOff() {
        exporterLogger.removeHandler(capture);
        System.clearProperty("otel.traces.exporter");
        Tracing.reload();
    }

    void tracing(boolean on) {
        if (on) {
            System.setProperty("otel.traces.exporter", "logging-otlp");
            exporterLogger.setLevel(Level.INFO);
            exporterLogger.addHandler(capture);
        } else {
            System.clearProperty("otel.traces.exporter");
        }
        Tracing.reload();
    }

    /** What one run through a fresh topology wrote: commands and run events. */
    record Written(List<StepCommand> commands, List<RunEvent> events) {}

    /** A two-step run (a, then b), requested with {@link #REQUESTER} as traceparent, both steps succeeding. */
    Written twoStepRun(String dir) throws Exception {
        Map<String, Object> raw = new HashMap<>();
        raw.put("bootstrap.servers", "ttd:9092");
        raw.put("topic.prefix", "t.");
        raw.put("schema.registry.url", "mock://ttd-" + UUID.randomUUID());
        raw.put(CoordinatorConfig.STATE_DIR, Files.createDirectories(stateDir.resolve(dir)).toString());
        CoordinatorConfig config = new CoordinatorConfig(raw);
        Map<String, Object> serde = Map.of("schema.registry.url", raw.get("schema.registry.url"));
        var requests = AvroSerde.forValues(RunRequest.class, serde);
        var reports = AvroSerde.forValues(AgentReport.class, serde);
        var commandSerde = AvroSerde.forValues(StepCommand.class, serde);
        var eventSerde = AvroSerde.forValues(RunEvent.class, serde);
        JobDefinition def = JobParser.parse("""
                name: traced
                steps:
                  - { key: a, noop: {} }
                  - { key: b, needs: [a], noop: {} }
                """, Format.YAML, Instant.EPOCH);
        try (TopologyTestDriver driver = new TopologyTestDriver(Coordinator.topology(config, new SimpleMeterRegistry()),
                Coordinator.streamsProperties(config), T0)) {
            var in = driver.createInputTopic(topics.runRequests(), new StringSerializer(), new ByteArraySerializer());
            var rep = driver.createInputTopic(topics.agentReports(), new StringSerializer(), new ByteArraySerializer());
            var cmds = driver.createOutputTopic(topics.commands("default"), new StringDeserializer(), new ByteArrayDeserializer());
            var evs = driver.createOutputTopic(topics.runEvents(), new StringDeserializer(), new ByteArrayDeserializer());
            in.pipeInput("run-1", requests.serialize(topics.runRequests(), RunRequest.newBuilder().setEventId("e1").setRunId("run-1")
                    .setTimestamp(T0).setTraceId("request-1").setJob("traced").setOrigin(Origin.API).setDefinition(def)
                    .setTraceparent(REQUESTER).build()), T0);
            List<StepCommand> commands = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                StepCommand c = commandSerde.deserialize(topics.commands("default"), cmds.readValue());
                commands.add(c);
                Instant at = T0.plusSeconds(10L * (i + 1));
                for (Object report : List.of(new StepStartedReport("h", "eu", 1L), StepSucceededReport.newBuilder().build())) {
                    rep.pipeInput(c.getRunId(), reports.serialize(topics.agentReports(), AgentReport.newBuilder()
                            .setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(at)
                            .setTraceId(c.getTraceId()).setStepKey(c.getStepKey()).setAttempt(c.getAttempt())
                            .setAttemptId(c.getAttemptId()).setAgentId("agent-1").setReport(report).build()), at);
                }
            }
            List<RunEvent> events = evs.readValuesToList().stream().map(v -> eventSerde.deserialize(topics.runEvents(), v)).toList();
            return new Written(commands, events);
        }
    }

    @Test
    void commandsAndEventsCarryTheStepAndRunSpansOfTheRequestersTrace() throws Exception {
        tracing(true);
        Written w = twoStepRun("on");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String runSpan = DeterministicIds.spanId("baton-run", "run-1");
        assertThat(w.commands()).extracting(StepCommand::getStepKey).containsExactly("a", "b");
        for (StepCommand c : w.commands()) {
            SpanContext sc = TraceContext.parse(c.getTraceparent(), null);
            assertThat(sc.getTraceId()).isEqualTo(traceId);
            assertThat(sc.getSpanId()).isEqualTo(DeterministicIds.spanId("baton-step", "run-1", c.getStepKey()));
        }
        for (RunEvent e : w.events()) {
            SpanContext sc = TraceContext.parse(e.getTraceparent(), null);
            assertThat(sc.getTraceId()).isEqualTo(traceId);
            assertThat(sc.getSpanId()).isEqualTo(e.getStepKey() == null ? runSpan
                    : DeterministicIds.spanId("baton-step", "run-1", e.getStepKey()));
        }
        assertThat(w.events()).extracting(RunEvent::getTraceId).as("the old field is left as it was").containsOnly("request-1");

        Tracing.get().flush();
        Map<String, JsonNode> spans = new HashMap<>();
        for (String line : exported) {
            for (JsonNode scope : new ObjectMapper().readTree(line).path("scopeSpans")) {
                for (JsonNode s : scope.path("spans")) {
                    String step = "";
                    for (JsonNode a : s.path("attributes")) {
                        if (a.path("key").asText().equals("baton.step")) step = a.path("value").path("stringValue").asText();
                    }
                    spans.put(s.path("name").asText() + "/" + step, s);
                }
            }
        }
        assertThat(spans).containsOnlyKeys("baton.run/", "baton.step/a", "baton.step/b");
        JsonNode run = spans.get("baton.run/");
        assertThat(run.path("traceId").asText()).isEqualTo(traceId);
        assertThat(run.path("spanId").asText()).isEqualTo(runSpan);
        assertThat(run.path("parentSpanId").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(run.path("startTimeUnixNano").asLong()).as("starts at the request").isEqualTo(T0.toEpochMilli() * 1_000_000L);
        assertThat(run.path("endTimeUnixNano").asLong()).as("ends with the run")
                .isEqualTo(T0.plusSeconds(20).toEpochMilli() * 1_000_000L);
        for (String step : List.of("a", "b")) {
            JsonNode s = spans.get("baton.step/" + step);
            assertThat(s.path("traceId").asText()).isEqualTo(traceId);
            assertThat(s.path("spanId").asText()).isEqualTo(DeterministicIds.spanId("baton-step", "run-1", step));
            assertThat(s.path("parentSpanId").asText()).isEqualTo(runSpan);
        }
    }

    @Test
    void decidingTheSameInputsAgainGivesTheSameTraceContexts() throws Exception {
        tracing(true);
        Written first = twoStepRun("first");
        Written replay = twoStepRun("replay");
        assertThat(replay.commands()).extracting(StepCommand::getTraceparent)
                .containsExactlyElementsOf(first.commands().stream().map(StepCommand::getTraceparent).toList());
        assertThat(replay.events()).extracting(RunEvent::getTraceparent)
                .containsExactlyElementsOf(first.events().stream().map(RunEvent::getTraceparent).toList());
    }

    @Test
    void withTracingOffNothingCarriesAContextAndNoSpanIsExported() throws Exception {
        tracing(false);
        exporterLogger.addHandler(capture);
        Written w = twoStepRun("off");
        assertThat(w.commands()).hasSize(2).extracting(StepCommand::getTraceparent).containsOnlyNulls();
        assertThat(w.events()).isNotEmpty().extracting(RunEvent::getTraceparent).containsOnlyNulls();
        assertThat(exported).isEmpty();
    }
}
