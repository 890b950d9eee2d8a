package dev.baton.bench.jmh;

import dev.baton.coordinator.internal.events.Event;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.processing.DeciderSettings;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.processing.TemplateActionResolver;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.coordinator.internal.state.RunState;
import dev.baton.events.JobDefinition;
import dev.baton.bench.Requests;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The coordinator's fold without Kafka: decide + apply for one agent report (a step succeeding and the next
 * being dispatched), with and without the state-store encode/decode that surrounds it in the processor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FoldBenchmark {
    RunDecider decider;
    RunState running;
    byte[] encoded;
    Input.Succeeded success;
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

    @Setup
    public void setup() {
        decider = new RunDecider(DeciderSettings.DEFAULTS, new TemplateActionResolver());
        JobDefinition def = Requests.noopJob("chain", 40, true);
        Input.RequestRun req = new Input.RequestRun("e1", "run-1", now, "t", "chain", null, Map.of(), Map.of(),
                Event.Origin.API, null, null, null, def, Map.of());
        DecisionContext c = new DecisionContext(null, req, now, "chain");
        decider.handle(req, c);
        var s1 = c.state().step("s1");
        Input.Started started = new Input.Started("e2", "run-1", now, "t", "s1", 1, s1.attemptId(), "a", "h", "r");
        DecisionContext c2 = new DecisionContext(c.state(), started, now, null);
        decider.handle(started, c2);
        running = c2.state();
        encoded = StateCodec.encode(running);
        success = new Input.Succeeded("e3", "run-1", now, "t", "s1", 1, s1.attemptId(), "a", Map.of("rows", "42"), Map.of(), List.of(), 3);
    }

    @Benchmark
    public RunState decideAndApply() {
        DecisionContext ctx = new DecisionContext(running, success, now, null);
        decider.handle(success, ctx);
        return ctx.state();
    }

    @Benchmark
    public byte[] decodeDecideApplyEncode() {
        RunState s = StateCodec.decode(encoded);
        DecisionContext ctx = new DecisionContext(s, success, now, null);
        decider.handle(success, ctx);
        return StateCodec.encode(ctx.state());
    }
}
