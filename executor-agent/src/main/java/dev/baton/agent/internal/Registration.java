package dev.baton.agent.internal;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentState;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's entry on the compacted agents topic (key: agent id). */
public final class Registration {
    private static final Logger log = LoggerFactory.getLogger(Registration.class);

    private final Producer<String, byte[]> producer;
    private final Codec codec;
    private final String topic;
    private final String agentId;
    private final List<String> pools;
    private final String region;
    private final String host;
    private final String version;
    private final int slots;
    private final Instant startedAt;
    private final Supplier<List<dev.baton.events.RunningStep>> running;
    private volatile AgentState state = AgentState.RUNNING;

    public Registration(Producer<String, byte[]> producer, Codec codec, String topic, String agentId, List<String> pools,
                        String region, String host, String version, int slots, Instant startedAt,
                        Supplier<List<dev.baton.events.RunningStep>> running) {
        this.producer = producer;
        this.codec = codec;
        this.topic = topic;
        this.agentId = agentId;
        this.pools = List.copyOf(pools);
        this.region = region;
        this.host = host;
        this.version = version;
        this.slots = slots;
        this.startedAt = startedAt;
        this.running = running;
    }

    public AgentState state() {
        return state;
    }

    /** Changes the state and publishes it. */
    public CompletableFuture<Void> state(AgentState newState) {
        state = newState;
        return publish();
    }

    public CompletableFuture<Void> publish() {
        AgentHeartbeat hb = AgentHeartbeat.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTimestamp(Instant.now())
                .setTraceId("")
                .setAgentId(agentId)
                .setPools(pools)
                .setRegion(region)
                .setHost(host)
                .setVersion(version)
                .setSlots(slots)
                .setState(state)
                .setRunning(running.get())
                .setStartedAt(startedAt)
                .build();
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, agentId, codec.registration(topic, hb)), (md, e) -> {
                if (e != null) {
                    log.warn("Registration of agent {} failed: {}", agentId, e.toString());
                    f.completeExceptionally(e);
                } else {
                    f.complete(null);
                }
            });
        } catch (RuntimeException e) {
            log.warn("Registration of agent {} failed: {}", agentId, e.toString());
            f.completeExceptionally(e);
        }
        return f;
    }
}
