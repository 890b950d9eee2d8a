package dev.baton.gateway.internal.readmodel;

import dev.baton.events.DeadLetter;
import dev.baton.platform.Topics;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.RunEventMapper;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The gateway's read-model topology in a {@link TopologyTestDriver}, fed the coordinator's events in the wire format:
 * the harness of the tests that compare the read model with the coordinator's fold.
 */
final class ReadModelDriver implements AutoCloseable {
    final Topics topics;
    final ReadModelTopology.Codecs codecs;
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> runEvents;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    final KeyValueStore<String, byte[]> runs;
    final KeyValueStore<String, byte[]> steps;
    /** How many of a scenario's events were piped so far ({@link #pipeNew}). */
    private int piped;

    ReadModelDriver(String name) {
        topics = new Topics(name + ".");
        codecs = ReadModelTopology.Codecs.create(Map.of("schema.registry.url", "mock://" + name + "-" + UUID.randomUUID()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "gw-" + name);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(ReadModelTopology.build(topics, codecs, new LiveFeed(), (t, c) -> { }), p);
        runEvents = driver.createInputTopic(topics.runEvents(), new StringSerializer(), new ByteArraySerializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(),
                (topic, bytes) -> codecs.deadLetters().deserialize(topic, bytes));
        runs = driver.getKeyValueStore(ReadModelTopology.STORE_RUNS);
        steps = driver.getKeyValueStore(ReadModelTopology.STORE_RUN_STEPS);
    }

    /** Starts a new scenario: its history is piped from its first event. */
    void newScenario() {
        piped = 0;
    }

    /** Pipes the events of {@code history} not piped yet (the scenario's history so far) and returns them. */
    List<Envelope> pipeNew(List<Envelope> history) {
        List<Envelope> fresh = List.copyOf(history.subList(piped, history.size()));
        for (Envelope e : fresh) {
            runEvents.pipeInput(e.runId(), codecs.runEvents().serialize(topics.runEvents(), RunEventMapper.toAvro(e)));
        }
        piped = history.size();
        return fresh;
    }

    /** Events piped in the current scenario. */
    int piped() {
        return piped;
    }

    @Override
    public void close() {
        driver.close();
    }
}
