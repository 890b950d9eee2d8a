package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.serde.RunRecords;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.events.JobDefinition;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Run state in bounded records (see {@link RunRecords}): headers in {@link Names#RUN_STORE}, steps in
 * {@link Names#RUN_STEP_STORE}, definitions once per content hash in {@link Names#DEFINITION_STORE}. Writing a decision
 * is two phases: {@link #writes} computes every record (so the caller can check sizes before anything is stored),
 * {@link #apply} stores them. Only what changed is written: the header when its content changed, a step when its
 * {@code StepState} instance changed (the applier returns new instances only for changed steps).
 *
 * <p>Definitions are not reference-counted: a run's start writes its definition only when no run of this task stored
 * it before, and a run's end writes nothing to the definitions store (a count per run put the definitions changelog
 * into nearly every transaction: one more partition, its batch and its marker). Definitions no header refers to any more are
 * deleted by {@link #sweepDefinitions}, a mark-and-sweep over the headers that the processor runs now and then.
 * Invariant: every stored definition that is neither {@link #unproven} nor {@link #sweeping} is referred to by a
 * stored header. It holds after a crash or an aborted transaction because a new store object (the processor's
 * {@code init}) starts with every stored definition unproven, and a sweep deletes only in the task's transaction.
 */
final class RunStore {
    private static final StringSerializer KEYS = new StringSerializer();
    private static final int DEFINITION_CACHE = 256;

    /** A state as loaded: {@code legacy} when it came from the previous one-blob layout (rewritten in full). */
    record Loaded(RunState state, boolean legacy) {
        static final Loaded NONE = new Loaded(null, false);
    }

    /** One record to put (value) or delete (null value) in a store. */
    record Put(KeyValueStore<String, byte[]> store, String storeName, String key, byte[] value) {
        int size() {
            return key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + (value == null ? 0 : value.length);
        }
    }

    private final KeyValueStore<String, byte[]> headers;
    private final KeyValueStore<String, byte[]> steps;
    private final KeyValueStore<String, byte[]> definitions;
    private final Map<String, JobDefinition> definitionsByRef = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobDefinition> eldest) {
            return size() > DEFINITION_CACHE;
        }
    };
    private final Map<JobDefinition, String> refs = new IdentityHashMap<>();
    /**
     * References by content (Avro's equals and hashCode over every field; the schemas order no field "ignore"): every run
     * request decodes its own definition instance, so the identity map above misses once per run, and hashing the
     * definition (Avro binary encoding and SHA-256) was the largest item of a run's state writes.
     */
    private final Map<JobDefinition, String> refsByContent = new HashMap<>();

    private final KeyValueStore<String, byte[]> instances;
    /**
     * Stored definitions (keys of the definitions store) that may no longer be referred to by any header: all of them
     * when the store object is made, then the definition of each run that expires. A run that starts with one proves
     * it referred to again.
     */
    private final Set<String> unproven = new HashSet<>();
    /** The sweep in progress: the definitions it deletes unless a header refers to them (null: none in progress). */
    private Set<String> sweeping;
    /** The last header key the sweep in progress read (null: none yet). */
    private String sweptThrough;

    RunStore(KeyValueStore<String, byte[]> headers, KeyValueStore<String, byte[]> steps, KeyValueStore<String, byte[]> definitions,
             KeyValueStore<String, byte[]> instances) {
        this.instances = instances;
        this.headers = headers;
        this.steps = steps;
        this.definitions = definitions;
        // Every stored definition is unproven until a sweep or a run's start shows a header refers to it. This includes
        // the reference counts ("<hash> NUL refs") written before issue 20's sweep: no header refers to them.
        try (KeyValueIterator<String, byte[]> it = definitions.all()) {
            while (it.hasNext()) {
                unproven.add(it.next().key);
            }
        }
    }

    Loaded load(String runId) {
        byte[] h = headers.get(runId);
        if (h == null) {
            return Loaded.NONE;
        }
        if (RunRecords.isLegacy(h)) {
            return new Loaded(StateCodec.decode(h), true);
        }
        RunRecords.Header header = RunRecords.decodeHeader(h);
        JobDefinition def = definition(header.definitionRef());
        Map<String, StepState> found = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = steps.prefixScan(RunRecords.stepPrefix(runId), KEYS)) {
            while (it.hasNext()) {
                StepState st = RunRecords.decodeStep(it.next().value);
                found.put(st.key(), st);
            }
        }
        return new Loaded(RunRecords.assemble(header.stripped(), def, found), false);
    }

    /** The records that take the stored state from {@code before} to {@code after} (null: the run is deleted). */
    List<Put> writes(Loaded before, RunState after) {
        List<Put> out = new ArrayList<>();
        RunState prev = before.legacy() ? null : before.state();
        if (after == null) {
            if (before.state() == null) {
                return out;
            }
            out.add(new Put(headers, Names.RUN_STORE, before.state().runId(), null));
            for (String key : before.state().steps().keySet()) {
                out.add(new Put(steps, Names.RUN_STEP_STORE, RunRecords.stepKey(before.state().runId(), key), null));
            }
            try (KeyValueIterator<String, byte[]> it = instances.prefixScan(RunRecords.stepPrefix(before.state().runId()), KEYS)) {
                while (it.hasNext()) {
                    out.add(new Put(instances, Names.INSTANCE_OUTPUT_STORE, it.next().key, null));
                }
            }
            if (!before.legacy()) {
                // Its definition may have lost its last reference: the next sweep finds out (nothing written now). Marking
                // it unproven before the records are stored is safe: unproven only means "to be checked".
                unproven.add(ref(before.state().definition()));
            }
            return out;
        }
        String ref = ref(after.definition());
        if (prev == null && definitions.get(ref) == null) {
            out.add(new Put(definitions, Names.DEFINITION_STORE, ref, StateCodec.definitionBytes(after.definition())));
        }
        if (prev == null || !RunRecords.strip(prev).equals(RunRecords.strip(after))) {
            out.add(new Put(headers, Names.RUN_STORE, after.runId(), RunRecords.encodeHeader(after, ref)));
        }
        for (StepState st : after.steps().values()) {
            if (prev == null || prev.step(st.key()) != st) {
                out.add(new Put(steps, Names.RUN_STEP_STORE, RunRecords.stepKey(after.runId(), st.key()), RunRecords.encodeStep(st)));
            }
        }
        if (prev != null && prev.steps().size() + after.steps().size() > 0) {
            for (String key : prev.steps().keySet()) {
                if (!after.steps().containsKey(key)) { // a forEach instance that ended
                    out.add(new Put(steps, Names.RUN_STEP_STORE, RunRecords.stepKey(after.runId(), key), null));
                }
            }
        }
        return out;
    }

    /** The outputs of forEach instances that succeeded in these events, one record each. */
    List<Put> instanceOutputWrites(List<dev.baton.runmodel.events.Envelope> events) {
        List<Put> out = new ArrayList<>();
        for (var e : events) {
            if (e.event() instanceof dev.baton.runmodel.events.Event.StepSucceeded ok
                    && dev.baton.runmodel.state.StepInstances.isInstance(e.stepKey())) {
                String step = dev.baton.runmodel.state.StepInstances.parent(e.stepKey());
                int index = dev.baton.runmodel.state.StepInstances.index(e.stepKey());
                out.add(new Put(instances, Names.INSTANCE_OUTPUT_STORE, instanceKey(e.runId(), step, index),
                        RunRecords.encodeOutputs(ok.outputs())));
            }
        }
        return out;
    }

    /** The outputs instance {@code index} of {@code step} succeeded with, or null. */
    Map<String, String> instanceOutputs(String runId, String step, int index) {
        byte[] v = instances.get(instanceKey(runId, step, index));
        return v == null ? null : RunRecords.decodeOutputs(v);
    }

    static String instanceKey(String runId, String step, int index) {
        return RunRecords.stepKey(runId, step) + Names.STEP_KEY_SEPARATOR + String.format("%010d", index);
    }

    void apply(List<Put> puts) {
        for (Put p : puts) {
            if (p.value() == null) {
                p.store().delete(p.key());
            } else {
                p.store().put(p.key(), p.value());
                if (p.store() == headers && (sweeping != null || !unproven.isEmpty())) {
                    referred(RunRecords.headerDefinitionRef(p.value()));
                }
            }
        }
    }

    /** A stored header refers to {@code ref}: the sweep in progress keeps it, and it is proven referred to. */
    private void referred(String ref) {
        if (ref != null) {
            unproven.remove(ref);
            if (sweeping != null) {
                sweeping.remove(ref);
            }
        }
    }

    /** Whether a definition may be unreferenced, or a sweep is in progress. */
    boolean sweepPending() {
        return sweeping != null || !unproven.isEmpty();
    }

    /** Whether a sweep is in progress (it goes on at the next call). */
    boolean sweeping() {
        return sweeping != null;
    }

    /**
     * One step of the definitions' mark-and-sweep: starts a sweep of the unproven definitions if none is in progress,
     * reads at most {@code maxHeaders} headers from where the last step stopped (a header written since the sweep began
     * marks its definition in {@link #apply}: one behind the cursor is never read), and once every header is read, or
     * every swept definition is shown referred to, deletes the ones no header refers to. Definitions that become
     * unproven during a sweep wait for the next one. Returns the number of definitions deleted, or -1 while the sweep
     * goes on.
     */
    int sweepDefinitions(int maxHeaders) {
        if (sweeping == null) {
            if (unproven.isEmpty()) {
                return 0;
            }
            sweeping = new HashSet<>(unproven);
            unproven.clear();
            sweptThrough = null;
        }
        int read = 0;
        try (KeyValueIterator<String, byte[]> it = sweptThrough == null ? headers.all() : headers.range(sweptThrough, null)) {
            while (!sweeping.isEmpty() && it.hasNext()) {
                if (read >= maxHeaders) {
                    return -1;
                }
                KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(sweptThrough)) {
                    continue; // the range starts at the last key read
                }
                read++;
                sweptThrough = kv.key;
                String ref;
                try {
                    ref = RunRecords.headerDefinitionRef(kv.value);
                } catch (RuntimeException e) {
                    continue; // an unreadable header's run cannot be loaded anyway (its inputs are dead-lettered)
                }
                if (ref != null) {
                    sweeping.remove(ref);
                }
            }
        }
        int deleted = sweeping.size();
        for (String ref : sweeping) {
            definitions.delete(ref);
            definitionsByRef.remove(ref);
        }
        sweeping = null;
        sweptThrough = null;
        return deleted;
    }

    private JobDefinition definition(String ref) {
        JobDefinition d = definitionsByRef.get(ref);
        if (d == null) {
            byte[] bytes = definitions.get(ref);
            if (bytes == null) {
                throw new IllegalStateException("run header refers to definition " + ref + ", which is not stored");
            }
            d = StateCodec.definition(bytes);
            definitionsByRef.put(ref, d);
        }
        return d;
    }

    private String ref(JobDefinition d) {
        String r = refs.get(d);
        if (r == null) {
            if (refs.size() >= DEFINITION_CACHE) {
                refs.clear();
            }
            r = refsByContent.get(d);
            if (r == null) {
                if (refsByContent.size() >= DEFINITION_CACHE) {
                    refsByContent.clear();
                }
                r = RunRecords.definitionRef(d);
                refsByContent.put(d, r);
            }
            refs.put(d, r);
            definitionsByRef.putIfAbsent(r, d);
        }
        return r;
    }
}
