package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStateApplier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The working set of one decision: the decider reads state through it and appends events to it; each
 * appended event is applied at once (by the applier) so later decisions in the same input see it.
 * Event ids derive from the run id and sequence, so a replayed input yields the same ids.
 */
public final class DecisionContext {
    private final Input input;
    private final Instant now;
    private RunState state;
    private final String job;
    private final List<Envelope> events = new ArrayList<>();
    private final List<Input.Timer> rearmed = new ArrayList<>();
    private final Map<String, Object> resolvedActions = new HashMap<>();
    private final Map<String, List<AssetChecks.Result>> checkResults = new HashMap<>();

    /** Read-only view of the latest materialization of an asset (for upstream references across jobs). */
    @FunctionalInterface
    public interface AssetLookup {
        java.util.Optional<Event.Materialized> latest(String assetKey);

        AssetLookup NONE = key -> java.util.Optional.empty();
    }

    private final AssetLookup assets;
    private final InstanceOutputs instanceOutputs;
    /** Outputs of forEach instances that succeeded in this decision (not in the store yet). */
    private final Map<String, Map<String, String>> newInstanceOutputs = new HashMap<>();

    public DecisionContext(RunState state, Input input, Instant now, String jobIfNew) {
        this(state, input, now, jobIfNew, AssetLookup.NONE);
    }

    public DecisionContext(RunState state, Input input, Instant now, String jobIfNew, AssetLookup assets) {
        this(state, input, now, jobIfNew, assets, InstanceOutputs.NONE);
    }

    public DecisionContext(RunState state, Input input, Instant now, String jobIfNew, AssetLookup assets,
                           InstanceOutputs instanceOutputs) {
        this.instanceOutputs = instanceOutputs;
        this.assets = assets;
        this.state = state;
        this.input = input;
        this.now = now;
        this.job = state != null ? state.job() : jobIfNew;
    }

    public RunState state() { return state; }

    public AssetLookup assets() { return assets; }

    public Input input() { return input; }

    /** The decision's time: the input's timestamp (record time or punctuation time). Never the clock. */
    public Instant now() { return now; }

    public String runId() { return input.runId(); }

    public void append(String stepKey, Event event) {
        long seq = state == null ? (event instanceof Event.RunRequested ? 1 : 0) : state.sequence() + 1;
        String id = seq == 0
                ? uuid(input.eventId() + "/" + event.intent())
                : uuid(input.runId() + "#" + seq);
        String jobName = state != null ? state.job() : job;
        Envelope e = new Envelope(id, input.runId(), now, input.traceId(), jobName == null ? "" : jobName, seq, stepKey, event);
        state = RunStateApplier.apply(state, e);
        events.add(e);
        if (event instanceof Event.StepSucceeded ok && dev.baton.runmodel.state.StepInstances.isInstance(stepKey)) {
            newInstanceOutputs.put(stepKey, ok.outputs());
        }
    }

    /** The outputs a forEach instance that ended succeeded with (null: none recorded). */
    public Map<String, String> instanceOutputs(String step, int index) {
        Map<String, String> fresh = newInstanceOutputs.get(dev.baton.runmodel.state.StepInstances.key(step, index));
        return fresh != null ? fresh : instanceOutputs.get(input.runId(), step, index);
    }

    public void rearm(Input.Timer timer) { rearmed.add(timer); }

    public void resolvedAction(String attemptId, Object action) { resolvedActions.put(attemptId, action); }

    public List<Envelope> events() { return events; }

    public List<Input.Timer> rearmed() { return rearmed; }

    public Object resolvedAction(String attemptId) { return resolvedActions.get(attemptId); }

    /** Check results the decider computed for an attempt's materializations, for the effects to publish. */
    public void checkResults(String attemptId, List<AssetChecks.Result> results) { checkResults.put(attemptId, results); }

    public List<AssetChecks.Result> checkResults(String attemptId) { return checkResults.getOrDefault(attemptId, List.of()); }

    public static String uuid(String name) {
        // UUID.nameUUIDFromBytes(bytes), without looking the MD5 provider up on every call (several ids per decision).
        java.security.MessageDigest md5 = MD5.get();
        byte[] h = md5.digest(name.getBytes(StandardCharsets.UTF_8));
        h[6] &= 0x0f;
        h[6] |= 0x30; // version 3, name-based (MD5)
        h[8] &= 0x3f;
        h[8] |= (byte) 0x80; // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (h[i] & 0xff);
            lsb = (lsb << 8) | (h[i + 8] & 0xff);
        }
        return new UUID(msb, lsb).toString();
    }

    private static final ThreadLocal<java.security.MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });
}
