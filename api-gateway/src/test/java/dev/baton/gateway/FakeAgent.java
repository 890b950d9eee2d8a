package dev.baton.gateway;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentReport;
import dev.baton.events.AgentState;
import dev.baton.events.ErrorClass;
import dev.baton.events.ExecuteStep;
import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.LogStream;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.testkit.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays an agent of one pool: takes step commands with a plain consumer and answers with reports (started, then
 * succeeded with outputs, or failed, or nothing), ships two log lines per attempt and announces itself on the
 * agents topic. What it does with a step is decided by {@code behaviour}.
 */
final class FakeAgent implements AutoCloseable {
    enum Outcome { SUCCEED, FAIL, HANG }

    static final String AGENT_ID = "fake-agent-1";

    private final Topics topics;
    private final KafkaConsumer<String, StepCommand> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<Class<?>, AvroSerde<?>> serdes = new ConcurrentHashMap<>();
    private final Map<String, Object> serdeConfig;
    private final Function<StepCommand, Outcome> behaviour;
    private final Thread thread;
    final Set<String> seenAttempts = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    FakeAgent(TestCluster cluster, Topics topics, String pool, Function<StepCommand, Outcome> behaviour) {
        this.topics = topics;
        this.behaviour = behaviour;
        this.serdeConfig = Map.of("schema.registry.url", cluster.registryUrl());
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "fake-agent-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
                new StringDeserializer(), AvroSerde.forValues(StepCommand.class, serdeConfig));
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        consumer.subscribe(List.of(topics.commands(pool)));
        heartbeat(pool);
        thread = new Thread(this::loop, "fake-agent");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (var rec : consumer.poll(Duration.ofMillis(100))) {
                    StepCommand c = rec.value();
                    if (c.getCommand() instanceof ExecuteStep && seenAttempts.add(c.getAttemptId())) {
                        execute(c);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private void execute(StepCommand c) {
        Instant now = Instant.now();
        send(topics.logs(), c.getRunId(), LogBatch.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(now).setTraceId(c.getTraceId())
                .setStepKey(c.getStepKey()).setAttempt(c.getAttempt()).setAttemptId(c.getAttemptId()).setAgentId(AGENT_ID)
                .setLines(List.of(new LogLine(1L, LogStream.STDOUT, now, "hello from " + c.getStepKey()),
                        new LogLine(2L, LogStream.STDERR, now.plusMillis(1), "done " + c.getStepKey())))
                .build());
        report(c, new StepStartedReport("fake-host", "local", 4242L));
        switch (behaviour.apply(c)) {
            case SUCCEED -> report(c, StepSucceededReport.newBuilder().setOutputs(outputs(c.getStepKey())).setDurationMs(5).build());
            case FAIL -> report(c, StepFailedReport.newBuilder().setErrorClass(ErrorClass.USER_ERROR).setMessage("boom")
                    .setExitCode(3).setRetryable(false).setDurationMs(5).build());
            case HANG -> { }
        }
    }

    static Map<String, String> outputs(String step) {
        return switch (step) {
            case "extract" -> Map.of("rows", "42");
            case "clean" -> Map.of("cleaned", "42");
            // one output of each metadata type the coordinator derives from outputs
            case "publish" -> Map.of("rows", "7", "ratio", "0.25", "complete", "true", "report", "https://example.com/reports/7",
                    "schema", "{\"columns\": 3}", "note", "all good");
            default -> Map.of();
        };
    }

    private void report(StepCommand c, Object report) {
        send(topics.agentReports(), c.getRunId(), AgentReport.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(Instant.now())
                .setTraceId(c.getTraceId()).setStepKey(c.getStepKey()).setAttempt(c.getAttempt()).setAttemptId(c.getAttemptId())
                .setAgentId(AGENT_ID).setReport(report).build());
    }

    private void heartbeat(String pool) {
        Instant now = Instant.now();
        send(topics.agents(), AGENT_ID, AgentHeartbeat.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setTimestamp(now).setTraceId("hb").setAgentId(AGENT_ID)
                .setPools(List.of(pool)).setRegion("local").setHost("fake-host").setVersion("test").setSlots(4)
                .setState(AgentState.RUNNING).setStartedAt(now).build());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void send(String topic, String key, SpecificRecord value) {
        AvroSerde serde = serdes.computeIfAbsent(value.getClass(), c -> AvroSerde.forValues((Class) c, serdeConfig));
        try {
            producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value))).get();
        } catch (Exception e) {
            throw new IllegalStateException("fake agent cannot send to " + topic, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
        producer.close();
    }
}
