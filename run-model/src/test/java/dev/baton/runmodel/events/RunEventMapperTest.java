package dev.baton.runmodel.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.runmodel.TestRuns;
import dev.baton.events.RunEvent;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event.*;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Every run event crosses the wire (Avro binary) and comes back equal; the model and the wire know the same events. */
class RunEventMapperTest {
    static final Instant T0 = TestRuns.T0;
    static final JobDefinition DEF = TestRuns.TWO;

    /** One instance of every event of the model. */
    static List<Event> samples() {
        return List.of(
                new RunRequested("two", DEF, "k", Map.of("p", "1"), Map.of("team", "x"), Origin.API, "r0", "alice", 3,
                        Map.of("a", new Reused("r0", 2, Map.of("rows", "4"))), "2026-01-01"),
                new RunQueued(1), new RunStarted(), new RunSucceeded(12), new RunFailed("boom", List.of("a"), 5, true),
                new RunCancelRequested("stop", "bob", T0.plusSeconds(5)), new RunCanceled("stop", 7),
                new RunRequestRejected(Rejection.DUPLICATE_RUN, "dup", "r0", "k", "q1"), new RunRetried("r2", List.of("a")),
                new RunExpired(), new CommandRejected("CancelRun", Rejection.RUN_FINISHED, "done", "c1"),
                new ReportRejected("a", 1, "a1", "ag", "started", Rejection.STALE_ATTEMPT, "stale", "rep1"),
                new StepQueued("default"),
                new StepDispatched(1, "a1", "default", List.of(new UpstreamRef("x", null, "m0", "v0"))),
                new StepStarted(1, "a1", "ag", "h", "eu"), new StepHeartbeat(1, "a1", "ag"),
                new StepSucceeded(1, "a1", Map.of("rows", "1"), Map.of("big", "ref"), 9, List.of(new Materialized("x", "p", "m1", "v1"))),
                new StepFailed(1, "a1", ErrorClass.USER_ERROR, "exit 2", 2, true, false, 4),
                new StepRetryScheduled(2, T0.plusSeconds(1), 1000), new StepLost(2, "a2", T0), new StepTimedOut(2, "a2", 60_000),
                new StepCancelRequested(2, "a2", "stop"), new StepCanceled(2, "a2", "stop"),
                new StepSkipped("upstream failed"), new StepReused("r0", 2, Map.of("rows", "4")),
                new RunRequested("two", DEF, "subjob:r0/call#1", Map.of(), Map.of(), Origin.SUBJOB, "r0", null, 0, Map.of(),
                        null, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", List.of("top", "middle"), true),
                new StepSubJobStarted(1, "a1", "child-1", "other", Map.of("day", "d")),
                new StepCacheLookup("k-1", "two@v1/a/abc/def"),
                new StepCacheHit("k-1", "r0", 2, T0, Map.of("rows", "4"), Map.of("big", "ref"),
                        List.of(new Materialized("x", null, "m1", "v1"))),
                new StepCacheMiss("k-1", "no entry for this key"), new StepMapped(3, 8));
    }

    static Envelope envelope(long sequence, Event e) {
        return new Envelope("e" + sequence, "r1", T0.plusMillis(sequence), "t", "two", sequence,
                e instanceof StepLevel ? "a" : null, e);
    }

    static Envelope overTheWire(Envelope e) throws IOException {
        ByteBuffer bytes = RunEvent.getEncoder().encode(RunEventMapper.toAvro(e));
        return RunEventMapper.fromAvro(RunEvent.getDecoder().decode(bytes));
    }

    @Test
    void everyEventCrossesTheWireAndComesBackEqual() throws IOException {
        List<Event> samples = samples();
        for (int i = 0; i < samples.size(); i++) {
            Envelope e = envelope(i + 1, samples.get(i));
            assertThat(overTheWire(e)).as(e.event().getClass().getSimpleName()).isEqualTo(e);
        }
    }

    @Test
    void theModelAndTheWireKnowTheSameEvents() {
        Set<String> model = new TreeSet<>();
        collect(Event.class, model);
        Set<String> sampled = samples().stream().map(e -> e.getClass().getSimpleName()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(sampled).as("the samples cover the model").isEqualTo(model);
        Set<String> wire = RunEvent.getClassSchema().getField("payload").schema().getTypes().stream().map(Schema::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(model).as("the model's events are the payloads of the wire's RunEvent").isEqualTo(wire);
        List<String> mapped = new ArrayList<>();
        samples().forEach(e -> mapped.add(RunEventMapper.payload(e).getClass().getSimpleName()));
        assertThat(mapped).isEqualTo(samples().stream().map(e -> e.getClass().getSimpleName()).toList());
    }

    private static void collect(Class<?> c, Set<String> out) {
        if (c.isSealed()) {
            for (Class<?> sub : c.getPermittedSubclasses()) {
                collect(sub, out);
            }
        } else {
            out.add(c.getSimpleName());
        }
    }

    @Test
    void aStepCanceledBeforeItsFirstDispatchCrossesTheWireWithoutAnAttemptId() throws IOException {
        Envelope e = envelope(4, new StepCanceled(0, null, "run canceled before the step started"));
        assertThat(((dev.baton.events.StepCanceled) RunEventMapper.toAvro(e).getPayload()).getAttemptId())
                .isEqualTo(RunEventMapper.NO_ATTEMPT_ID);
        assertThat(overTheWire(e)).isEqualTo(e);
    }
}
