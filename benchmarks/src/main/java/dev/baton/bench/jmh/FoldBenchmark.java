package dev.baton.bench.jmh;

import dev.baton.bench.Requests;
import dev.baton.coordinator.fixture.FoldFixture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The coordinator's fold without Kafka: decide + apply for one agent report (a step succeeding and the next
 * being dispatched), with and without the state-store encode/decode that surrounds it in the processor. The fold is
 * reached through the coordinator's published test fixture, not its internals.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FoldBenchmark {
    FoldFixture fold;

    @Setup
    public void setup() {
        fold = FoldFixture.firstStepStarted(Requests.noopJob("chain", 40, true), "s1");
    }

    @Benchmark
    public Object decideAndApply() {
        return fold.decideAndApply();
    }

    @Benchmark
    public int decodeDecideApplyEncode() {
        return fold.decodeDecideApplyEncode();
    }
}
