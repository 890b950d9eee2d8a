package dev.baton.bench.jmh;

import dev.baton.bench.Requests;
import dev.baton.coordinator.fixture.FoldFixture;
import dev.baton.coordinator.internal.serde.RunRecords;
import dev.baton.events.RunEvent;
import dev.baton.events.StepDispatched;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The Confluent wire-format serde on a typical run event (schema id cached after the first call), and the
 * coordinator's stored run records (a two-step run's header and step records, as the run store writes and loads them)
 * in the written binary format and the JSON format before it.
 */
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

    /** A two-step run with its first step succeeded and the second dispatched, stored as header + two step records. */
    @State(Scope.Thread)
    public static class RunRecordsState {
        @Param({"binary", "json"})
        public String format;
        RunState state;
        String ref;
        byte[] header;
        byte[][] steps;

        @Setup
        public void setup() {
            state = (RunState) FoldFixture.firstStepStarted(Requests.noopJob("pair", 2, true), "s1").decideAndApply();
            ref = RunRecords.definitionRef(state.definition());
            header = encodeHeader();
            steps = state.steps().values().stream().map(this::encodeStep).toArray(byte[][]::new);
            int total = header.length;
            for (byte[] b : steps) {
                total += b.length;
            }
            System.out.printf("%n[run records, %s] header %d bytes, steps %s bytes, total %d%n", format, header.length,
                    java.util.Arrays.stream(steps).map(b -> Integer.toString(b.length)).toList(), total);
        }

        byte[] encodeHeader() {
            return format.equals("json") ? RunRecords.encodeHeaderJson(state, ref) : RunRecords.encodeHeader(state, ref);
        }

        byte[] encodeStep(StepState st) {
            return format.equals("json") ? RunRecords.encodeStepJson(st) : RunRecords.encodeStep(st);
        }
    }

    /** Encodes the header and every step (what the run store writes for a new run). */
    @Benchmark
    public int encodeRunRecords(RunRecordsState r) {
        int n = r.encodeHeader().length;
        for (StepState st : r.state.steps().values()) {
            n += r.encodeStep(st).length;
        }
        return n;
    }

    /** Decodes the header and every step and assembles the state (what the run store does to load a run). */
    @Benchmark
    public RunState decodeRunRecords(RunRecordsState r) {
        RunRecords.Header h = RunRecords.decodeHeader(r.header);
        Map<String, StepState> steps = new java.util.HashMap<>();
        for (byte[] b : r.steps) {
            StepState st = RunRecords.decodeStep(b);
            steps.put(st.key(), st);
        }
        return RunRecords.assemble(h.stripped(), r.state.definition(), steps);
    }
}
