package dev.baton.bench;

import dev.baton.events.JobDefinition;
import dev.baton.events.NoopAction;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.events.StepDefinition;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces run requests straight to baton.run-requests, as the gateway or scheduler would. */
public final class Requests implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<RunRequest> serde;
    private final String topic;

    Requests(BenchStack stack) {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        serde = AvroSerde.forValues(RunRequest.class, stack.serde());
        topic = stack.topics.runRequests();
    }

    /** A job of {@code n} sequential (chain) or parallel-then-join (fan-out) noop steps. */
    public static JobDefinition noopJob(String name, int n, boolean chain) {
        List<StepDefinition> steps = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            List<String> needs = chain && i > 1 ? List.of("s" + (i - 1)) : List.of();
            steps.add(StepDefinition.newBuilder().setKey("s" + i).setAction(new NoopAction()).setNeeds(needs).build());
        }
        return JobDefinition.newBuilder().setName(name).setSteps(steps).setRegisteredAt(Instant.EPOCH).build();
    }

    static JobDefinition fanOut(String name, int width) {
        List<StepDefinition> steps = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
            steps.add(StepDefinition.newBuilder().setKey("p" + i).setAction(new NoopAction()).build());
            all.add("p" + i);
        }
        steps.add(StepDefinition.newBuilder().setKey("join").setAction(new NoopAction()).setNeeds(all).build());
        return JobDefinition.newBuilder().setName(name).setSteps(steps).setRegisteredAt(Instant.EPOCH).build();
    }

    /** A forEach step over the param {@code list} (noop instances, at most {@code maxParallel} at once) and a join. */
    static JobDefinition forEach(String name, int maxParallel) {
        List<StepDefinition> steps = new ArrayList<>();
        steps.add(StepDefinition.newBuilder().setKey("each").setAction(new NoopAction())
                .setForEach("${{ params.list }}").setMaxParallel(maxParallel).build());
        steps.add(StepDefinition.newBuilder().setKey("join").setAction(new NoopAction()).setNeeds(List.of("each")).build());
        return JobDefinition.newBuilder().setName(name).setSteps(steps).setRegisteredAt(Instant.EPOCH)
                .setParams(java.util.Map.of("list", dev.baton.events.ParamSpec.newBuilder().setDefault$("[]").build()))
                .build();
    }

    String submit(JobDefinition def, java.util.Map<String, String> params) {
        String runId = UUID.randomUUID().toString();
        RunRequest r = RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                .setTimestamp(Instant.now()).setTraceId(runId).setJob(def.getName()).setOrigin(Origin.API).setDefinition(def)
                .setParams(params).build();
        producer.send(new ProducerRecord<>(topic, runId, serde.serialize(topic, r)));
        return runId;
    }

    String submit(JobDefinition def) {
        String runId = UUID.randomUUID().toString();
        RunRequest r = RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                .setTimestamp(Instant.now()).setTraceId(runId).setJob(def.getName()).setOrigin(Origin.API).setDefinition(def)
                .build();
        producer.send(new ProducerRecord<>(topic, runId, serde.serialize(topic, r)));
        return runId;
    }

    @Override
    public void close() {
        producer.close();
    }
}
