package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.serde.RunRecords;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.events.JobDefinition;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Run state in bounded records (see {@link RunRecords}): headers in {@link Names#RUN_STORE}, steps in
 * {@link Names#RUN_STEP_STORE}, definitions once per content hash in {@link Names#DEFINITION_STORE}. Writing a decision
 * is two phases: {@link #writes} computes every record (so the caller can check sizes before anything is stored),
 * {@link #apply} stores them. Only what changed is written: the header when its content changed, a step when its
 * {@code StepState} instance changed (the applier returns new instances only for changed steps).
 */
final class RunStore {
    private static final StringSerializer KEYS = new StringSerializer();
    private static final String REFS_SUFFIX = Names.STEP_KEY_SEPARATOR + "refs";
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

    RunStore(KeyValueStore<String, byte[]> headers, KeyValueStore<String, byte[]> steps, KeyValueStore<String, byte[]> definitions,
             KeyValueStore<String, byte[]> instances) {
        this.instances = instances;
        this.headers = headers;
        this.steps = steps;
        this.definitions = definitions;
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
                String ref = ref(before.state().definition());
                long n = refCount(ref);
                if (n <= 1) {
                    out.add(new Put(definitions, Names.DEFINITION_STORE, ref, null));
                    out.add(new Put(definitions, Names.DEFINITION_STORE, ref + REFS_SUFFIX, null));
                } else {
                    out.add(new Put(definitions, Names.DEFINITION_STORE, ref + REFS_SUFFIX, count(n - 1)));
                }
            }
            return out;
        }
        String ref = ref(after.definition());
        if (prev == null) {
            long n = refCount(ref);
            if (n == 0) {
                out.add(new Put(definitions, Names.DEFINITION_STORE, ref, StateCodec.definitionBytes(after.definition())));
            }
            out.add(new Put(definitions, Names.DEFINITION_STORE, ref + REFS_SUFFIX, count(n + 1)));
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

    static void apply(List<Put> puts) {
        for (Put p : puts) {
            if (p.value() == null) {
                p.store().delete(p.key());
            } else {
                p.store().put(p.key(), p.value());
            }
        }
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

    private long refCount(String ref) {
        byte[] v = definitions.get(ref + REFS_SUFFIX);
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }

    private static byte[] count(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }
}
