package dev.baton.bench.jmh;

import dev.baton.events.RunEvent;
import dev.baton.events.StepDispatched;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/** The Confluent wire-format serde on a typical run event (schema id cached after the first call). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SerdeBenchmark {
    AvroSerde<RunEvent> serde;
    RunEvent event;
    byte[] bytes;

    @Setup
    public void setup() {
        serde = AvroSerde.forValues(RunEvent.class, Map.of("schema.registry.url", "mock://jmh-" + UUID.randomUUID()));
        event = RunEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(UUID.randomUUID().toString())
                .setTimestamp(Instant.now()).setTraceId("trace").setJob("orders_daily").setSequence(7).setStepKey("clean")
                .setPayload(new StepDispatched(1, UUID.randomUUID().toString(), "default", List.of())).build();
        bytes = serde.serialize("baton.run-events", event);
    }

    @Benchmark
    public byte[] serialize() {
        return serde.serialize("baton.run-events", event);
    }

    @Benchmark
    public RunEvent deserialize() {
        return serde.deserialize("baton.run-events", bytes);
    }
}
