package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.serde.RunRecords;
import dev.baton.events.JobDefinition;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStateApplier;
import dev.baton.runmodel.state.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test harness around the decider for one run: feeds inputs, keeps the live state and the event log,
 * and after every input checks replay equivalence (state rebuilt from the events alone == live state).
 */
final class Fold {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    final RunDecider decider;
    final String runId;
    RunState state;
    final List<Envelope> log = new ArrayList<>();
    final List<Input.Timer> rearmed = new ArrayList<>();
    final Map<String, Object> actions = new java.util.HashMap<>();
    Instant now = T0;
    DecisionContext.AssetLookup assets = DecisionContext.AssetLookup.NONE;
    /** forEach instances' outputs, kept apart from the state as the coordinator's instance-output store keeps them. */
    final InstanceOutputs.Memory instanceOutputs = new InstanceOutputs.Memory();
    private int seq;

    Fold(DeciderSettings settings, String runId) {
        this.decider = new RunDecider(settings, new TemplateActionResolver());
        this.runId = runId;
    }

    Fold(String runId) {
        this(DeciderSettings.DEFAULTS, runId);
    }

    static JobDefinition job(String yaml) {
        return JobParser.parse(yaml, Format.YAML, Instant.EPOCH);
    }

    List<Envelope> in(Input input) {
        DecisionContext ctx = new DecisionContext(state, input, now, input instanceof Input.RequestRun r ? r.job() : null, assets,
                instanceOutputs);
        decider.handle(input, ctx);
        state = ctx.state();
        instanceOutputs.record(ctx.events());
        for (Envelope e : ctx.events()) {
            if (e.sequence() > 0) {
                log.add(e);
            }
            if (e.event() instanceof Event.StepDispatched d) {
                actions.put(d.attemptId(), ctx.resolvedAction(d.attemptId()));
            }
        }
        rearmed.addAll(ctx.rearmed());
        assertReplayEquivalent();
        return ctx.events();
    }

    /** The split store as the coordinator keeps it: header and step records, written only when changed. */
    private byte[] storedHeader;
    private final Map<String, StepState> loadedSteps = new java.util.HashMap<>();
    private RunState stored;

    void assertReplayEquivalent() {
        RunState replayed = RunStateApplier.replay(log);
        assertThat(replayed).as("state rebuilt from the events alone").isEqualTo(state);
        if (state != null) {
            assertThat(storeAndLoad(state)).as("state loaded from the split store (header + changed steps)").isEqualTo(state)
                    .satisfies(l -> assertThat(List.copyOf(l.steps().keySet())).as("step order")
                            .isEqualTo(List.copyOf(state.steps().keySet())));
        }
        for (int i = 0; i < log.size(); i++) {
            assertThat(log.get(i).sequence()).as("sequence of event %d", i).isEqualTo(i + 1L);
        }
    }

    /**
     * Writes what changed since the last stored state the way the coordinator's run store does (the header when its
     * content changed, a step when its instance changed) and loads it back from the records alone.
     */
    private RunState storeAndLoad(RunState s) {
        String ref = RunRecords.definitionRef(s.definition());
        if (stored == null || !RunRecords.strip(stored).equals(RunRecords.strip(s))) {
            storedHeader = RunRecords.encodeHeader(s, ref);
        }
        for (StepState st : s.steps().values()) {
            if (stored == null || stored.step(st.key()) != st) {
                // only written records are read back (decoded), as a load after them would
                loadedSteps.put(st.key(), RunRecords.decodeStep(RunRecords.encodeStep(st)));
            }
        }
        loadedSteps.keySet().retainAll(s.steps().keySet()); // ended forEach instances are deleted
        stored = s;
        RunRecords.Header h = RunRecords.decodeHeader(storedHeader);
        assertThat(h.definitionRef()).isEqualTo(ref);
        return RunRecords.assemble(h.stripped(), s.definition(), loadedSteps);
    }

    String id() {
        return "in-" + (++seq);
    }

    Input.RequestRun request(JobDefinition def, Map<String, String> params) {
        return request(def, params, null);
    }

    Input.RequestRun request(JobDefinition def, Map<String, String> params, String partition) {
        return new Input.RequestRun(id(), runId, now, "trace", def.getName(), null, params, Map.of(), Event.Origin.API,
                null, "tester", null, def, Map.of(), partition);
    }

    StepState step(String key) {
        return state.step(key);
    }

    Input.Started started(String step) {
        StepState s = step(step);
        return new Input.Started(id(), runId, now, "trace", step, s.attempt(), s.attemptId(), "agent-1", "host", "eu");
    }

    Input.Heartbeat heartbeat(String step) {
        StepState s = step(step);
        return new Input.Heartbeat(id(), runId, now, "trace", step, s.attempt(), s.attemptId(), "agent-1");
    }

    Input.Succeeded succeeded(String step, Map<String, String> outputs) {
        StepState s = step(step);
        return new Input.Succeeded(id(), runId, now, "trace", step, s.attempt(), s.attemptId(), "agent-1", outputs, Map.of(),
                List.of(), 5);
    }

    Input.Failed failed(String step, boolean retryable) {
        StepState s = step(step);
        return new Input.Failed(id(), runId, now, "trace", step, s.attempt(), s.attemptId(), "agent-1",
                Event.ErrorClass.USER_ERROR, "exit 1", 1, retryable, 5);
    }

    Input.TimerFired timer(Input.Timer.Kind kind, String step, int attempt) {
        String id = UUID.randomUUID().toString();
        return new Input.TimerFired(id, runId, now, id, new Input.Timer(kind, runId, step, attempt, now));
    }

    Input.CancelRun cancel(long graceMs) {
        return new Input.CancelRun(id(), runId, now, "trace", "alice", "no longer needed", graceMs);
    }

    /** Starts and succeeds the step's current attempt. */
    void complete(String step, Map<String, String> outputs) {
        in(started(step));
        in(succeeded(step, outputs));
    }

    void advance(long ms) {
        now = now.plusMillis(ms);
    }

    @SafeVarargs
    static List<Class<? extends Event>> types(List<Envelope> events, Class<? extends Event>... ignored) {
        return events.stream().<Class<? extends Event>>map(e -> e.event().getClass()).toList();
    }
}
