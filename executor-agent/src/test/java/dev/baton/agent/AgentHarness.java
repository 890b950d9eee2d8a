package dev.baton.agent;

import static org.awaitility.Awaitility.await;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentReport;
import dev.baton.events.CancelStep;
import dev.baton.events.DeadLetter;
import dev.baton.events.ExecuteStep;
import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.RunEvent;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.testkit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the coordinator for agent tests: produces step commands and cancels, and collects everything
 * agents write (reports, logs, registrations, dead letters) with a plain consumer from the beginning.
 */
final class AgentHarness implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    final TestCluster cluster;
    final Topics topics;
    final List<String> pools;
    private final Map<String, Object> serdeConfig;
    private final AvroSerde<StepCommand> commands;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private volatile boolean closed;
    private final List<Agent> agents = new CopyOnWriteArrayList<>();

    final List<AgentReport> reports = new CopyOnWriteArrayList<>();
    final List<LogBatch> logs = new CopyOnWriteArrayList<>();
    final List<AgentHeartbeat> registrations = new CopyOnWriteArrayList<>();
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    final List<RunEvent> runEvents = new CopyOnWriteArrayList<>();
    /** Called on the reader thread for every report as it arrives (latency measurements). */
    volatile java.util.function.Consumer<AgentReport> onReport = rep -> {};

    AgentHarness(TestCluster cluster, String label, String... pools) {
        this.cluster = cluster;
        this.pools = pools.length == 0 ? List.of("default") : List.of(pools);
        this.topics = createTopics(cluster, cluster.newTopics(label), this.pools);
        this.serdeConfig = Map.of("schema.registry.url", cluster.registryUrl());
        this.commands = AvroSerde.forValues(StepCommand.class, serdeConfig);
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrapServers(), "linger.ms", 0),
                new StringSerializer(), new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", cluster.bootstrapServers(), "enable.auto.commit", false,
                "fetch.max.wait.ms", 20), new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : List.of(topics.agentReports(), topics.logs(), topics.agents(), topics.deadLetters(), topics.runEvents())) {
            consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        AvroSerde<AgentReport> r = AvroSerde.forValues(AgentReport.class, serdeConfig);
        AvroSerde<LogBatch> l = AvroSerde.forValues(LogBatch.class, serdeConfig);
        AvroSerde<AgentHeartbeat> a = AvroSerde.forValues(AgentHeartbeat.class, serdeConfig);
        AvroSerde<DeadLetter> d = AvroSerde.forValues(DeadLetter.class, serdeConfig);
        AvroSerde<RunEvent> e = AvroSerde.forValues(RunEvent.class, serdeConfig);
        this.reader = Thread.ofPlatform().daemon().name("harness-reader-" + label).start(() -> {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(50))) {
                    String t = rec.topic();
                    if (t.equals(topics.agentReports())) {
                        AgentReport report = r.deserialize(t, rec.value());
                        reports.add(report);
                        onReport.accept(report);
                    } else if (t.equals(topics.logs())) {
                        logs.add(l.deserialize(t, rec.value()));
                    } else if (t.equals(topics.agents())) {
                        registrations.add(a.deserialize(t, rec.value()));
                    } else if (t.equals(topics.runEvents())) {
                        runEvents.add(e.deserialize(t, rec.value()));
                    } else {
                        deadLetters.add(d.deserialize(t, rec.value()));
                    }
                }
            }
            consumer.close();
        });
    }

    /** Topic creation, retried: a fresh topic may not be describable at once (see TopicBootstrapper). */
    private static Topics createTopics(TestCluster cluster, Topics topics, List<String> pools) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> cluster.createTopics(topics, pools) != null);
        return topics;
    }

    /** Base agent configuration: unique id, private work dir, no shutdown hook. */
    Map<String, Object> agentConfig(Map<String, ?> overrides) {
        Map<String, Object> m = new HashMap<>(cluster.config(topics));
        m.put(AgentConfig.ID, "agent-" + SEQ.incrementAndGet());
        m.put(AgentConfig.POOLS, String.join(",", pools));
        m.put(AgentConfig.REGION, "test-region");
        m.put(AgentConfig.SHUTDOWN_HOOK, false);
        m.put(AgentConfig.SHUTDOWN_GRACE_MS, 5_000L);
        try {
            m.put(AgentConfig.WORK_DIR, Files.createTempDirectory("agent-work").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        m.putAll(overrides);
        return m;
    }

    Agent startAgent(Map<String, ?> overrides) {
        Agent a = Agent.start(AgentConfig.of(agentConfig(overrides)));
        agents.add(a);
        return a;
    }

    Agent startAgent() {
        return startAgent(Map.of());
    }

    // ---- playing the coordinator ----

    StepCommand execute(String pool, Object action) {
        return execute(pool, action, b -> {});
    }

    StepCommand execute(String pool, Object action, java.util.function.Consumer<ExecuteStep.Builder> customize) {
        String runId = "run-" + UUID.randomUUID();
        ExecuteStep.Builder b = ExecuteStep.newBuilder().setJob("test-job").setAction(action).setHeartbeatIntervalMs(500);
        customize.accept(b);
        return send(topics.commands(pool), command(runId, "step", 1, pool, b.build()));
    }

    StepCommand command(String runId, String stepKey, int attempt, String pool, Object command) {
        return StepCommand.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRunId(runId)
                .setTimestamp(Instant.now())
                .setTraceId("trace-" + runId)
                .setStepKey(stepKey)
                .setAttempt(attempt)
                .setAttemptId(runId + "/" + stepKey + "/" + attempt + "/" + UUID.randomUUID().toString().substring(0, 8))
                .setPool(pool)
                .setCommand(command)
                .build();
    }

    StepCommand send(String topic, StepCommand cmd) {
        try {
            producer.send(new ProducerRecord<>(topic, cmd.getRunId(), commands.serialize(topic, cmd))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return cmd;
    }

    <T extends org.apache.avro.specific.SpecificRecord> void sendAvro(String topic, String key, T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        try (AvroSerde<T> serde = AvroSerde.forValues(type, serdeConfig)) {
            producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value))).get(30, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    void sendRaw(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    StepCommand cancel(StepCommand running, long graceMs) {
        StepCommand c = StepCommand.newBuilder(running)
                .setEventId(UUID.randomUUID().toString())
                .setTimestamp(Instant.now())
                .setCommand(new CancelStep("test cancel", graceMs))
                .build();
        return send(topics.agentControl(), c);
    }

    // ---- reading what agents wrote ----

    List<AgentReport> reportsOf(String attemptId) {
        return reports.stream().filter(r -> r.getAttemptId().equals(attemptId)).toList();
    }

    AgentReport started(StepCommand cmd) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reportsOf(cmd.getAttemptId()).stream()
                .anyMatch(r -> r.getReport() instanceof StepStartedReport));
        return reportsOf(cmd.getAttemptId()).stream().filter(r -> r.getReport() instanceof StepStartedReport).findFirst().orElseThrow();
    }

    AgentReport terminal(StepCommand cmd) {
        return terminal(cmd, Duration.ofSeconds(30));
    }

    AgentReport terminal(StepCommand cmd, Duration within) {
        await().atMost(within).until(() -> reportsOf(cmd.getAttemptId()).stream().anyMatch(AgentHarness::isTerminal));
        return reportsOf(cmd.getAttemptId()).stream().filter(AgentHarness::isTerminal).findFirst().orElseThrow();
    }

    StepSucceededReport succeeded(StepCommand cmd) {
        AgentReport r = terminal(cmd);
        if (!(r.getReport() instanceof StepSucceededReport s)) {
            throw new AssertionError("expected success of " + cmd.getAttemptId() + " but got " + r.getReport()
                    + "\nlogs:\n" + String.join("\n", logText(cmd)));
        }
        return s;
    }

    StepFailedReport failed(StepCommand cmd) {
        AgentReport r = terminal(cmd);
        if (!(r.getReport() instanceof StepFailedReport f)) {
            throw new AssertionError("expected failure of " + cmd.getAttemptId() + " but got " + r.getReport());
        }
        return f;
    }

    static boolean isTerminal(AgentReport r) {
        return r.getReport() instanceof StepSucceededReport || r.getReport() instanceof StepFailedReport;
    }

    /** Log lines of an attempt in sequence order. */
    List<LogLine> logLines(StepCommand cmd) {
        return logs.stream().filter(b -> b.getAttemptId().equals(cmd.getAttemptId()))
                .flatMap(b -> b.getLines().stream())
                .sorted(Comparator.comparingLong(LogLine::getSeq))
                .toList();
    }

    List<String> logText(StepCommand cmd) {
        return logLines(cmd).stream().map(l -> l.getStream() + " " + l.getText()).toList();
    }

    List<AgentHeartbeat> registrationsOf(String agentId) {
        return registrations.stream().filter(r -> r.getAgentId().equals(agentId)).toList();
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("agent-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Collection<Agent> agents() {
        return agents;
    }

    @Override
    public void close() {
        for (Agent a : agents) {
            a.close();
        }
        closed = true;
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        commands.close();
    }
}
