package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.serde.RunRecords;
import dev.baton.events.JobDefinition;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.runmodel.events.Event.Origin;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Definitions are stored once per content and not reference-counted: a run's start writes its definition only when it
 * is not stored, a run's end writes nothing, and a sweep deletes the definitions no stored header refers to. A new
 * {@link RunStore} over the same stores (what a restart, a migrated task or an aborted transaction leaves) must keep
 * every definition a run in flight refers to.
 */
class RunStoreDefinitionsTest {
    static final Instant T = Instant.parse("2026-12-07T08:00:00Z");
    KeyValueStore<String, byte[]> headers, steps, definitions, instances;

    @BeforeEach
    void stores() {
        headers = store("h");
        steps = store("s");
        definitions = store("d");
        instances = store("i");
    }

    static KeyValueStore<String, byte[]> store(String name) {
        KeyValueStore<String, byte[]> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        s.init(new MockProcessorContext<>().getStateStoreContext(), s);
        return s;
    }

    RunStore runStore() {
        return new RunStore(headers, steps, definitions, instances);
    }

    static JobDefinition def(String name) {
        return JobParser.parse("name: " + name + "\nsteps:\n  - key: a\n    noop: {}\n", Format.YAML, Instant.EPOCH);
    }

    static RunState run(String id, JobDefinition d) {
        return new RunState(id, d.getName(), d, RunStatus.RUNNING, null, Map.of(), Map.of(), Origin.API, null, null, 0, "t",
                T, T, null, 1, Map.of(), Map.of(), null, null, null, false, List.of(), null, null, List.of(), false);
    }

    /** Starts a run, as the processor does: the writes are computed, then applied. */
    static List<RunStore.Put> start(RunStore store, RunState s) {
        List<RunStore.Put> w = store.writes(RunStore.Loaded.NONE, s);
        store.apply(w);
        return w;
    }

    static List<RunStore.Put> expire(RunStore store, RunState s) {
        List<RunStore.Put> w = store.writes(new RunStore.Loaded(s, false), null);
        store.apply(w);
        return w;
    }

    static long definitionWrites(List<RunStore.Put> puts) {
        return puts.stream().filter(p -> p.storeName().equals(Names.DEFINITION_STORE)).count();
    }

    List<String> storedDefinitions() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = definitions.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    static int sweep(RunStore store, int maxHeaders) {
        int deleted;
        while ((deleted = store.sweepDefinitions(maxHeaders)) < 0) {
            // the sweep goes on where it stopped
        }
        return deleted;
    }

    @Test
    void aDefinitionIsWrittenOnceAndSweptOnlyOnceNoStoredRunRefersToIt() {
        JobDefinition a = def("a");
        JobDefinition b = def("b");
        String refA = RunRecords.definitionRef(a);
        String refB = RunRecords.definitionRef(b);
        RunStore store = runStore();
        RunState a1 = run("a1", a);
        RunState a2 = run("a2", def("a")); // equal content, another instance
        RunState b1 = run("b1", b);
        assertThat(definitionWrites(start(store, a1))).isEqualTo(1);
        assertThat(definitionWrites(start(store, a2))).as("stored already: no definition record").isZero();
        assertThat(definitionWrites(start(store, b1))).isEqualTo(1);
        assertThat(definitionWrites(expire(store, a1))).as("a run's end writes no definition record").isZero();
        assertThat(sweep(store, 1)).as("a2 still refers to a").isZero();
        assertThat(storedDefinitions()).containsExactlyInAnyOrder(refA, refB);

        expire(store, a2);
        assertThat(storedDefinitions()).as("deleted by a sweep, not by the run's end").contains(refA);
        // a crash before the sweep: a new store object over the same stores knows nothing of what expired
        RunStore restarted = runStore();
        assertThat(sweep(restarted, 1)).isEqualTo(1);
        assertThat(storedDefinitions()).containsExactly(refB);
        assertThat(restarted.load("b1").state().definition()).as("the run in flight finds its definition").isEqualTo(b);

        assertThat(definitionWrites(start(restarted, run("a3", a)))).as("stored again once swept").isEqualTo(1);
        assertThat(restarted.load("a3").state().definition()).isEqualTo(a);
    }

    @Test
    void aRunStartedDuringASweepKeepsItsDefinitionAndOldReferenceCountsGo() {
        JobDefinition a = def("a");
        JobDefinition b = def("b");
        RunStore store = runStore();
        start(store, run("m1", b));
        start(store, run("m2", b));
        start(store, run("m3", b));
        RunState a1 = run("z1", a);
        start(store, a1);
        expire(store, a1);
        // a reference count as written before the sweep replaced them: no header refers to it
        definitions.put(RunRecords.definitionRef(b) + Names.STEP_KEY_SEPARATOR + "refs", ByteBuffer.allocate(8).putLong(3).array());
        RunStore restarted = runStore(); // every stored definition unproven
        assertThat(restarted.sweepDefinitions(2)).as("read m1 and m2, more to read").isNegative();
        start(restarted, run("a2", a)); // behind the sweep's cursor, with the definition the sweep is about to delete
        assertThat(sweep(restarted, 2)).as("only the old reference count").isEqualTo(1);
        assertThat(storedDefinitions()).containsExactlyInAnyOrder(RunRecords.definitionRef(a), RunRecords.definitionRef(b));
        assertThat(restarted.load("a2").state().definition()).isEqualTo(a);
        assertThat(restarted.sweepPending()).isFalse();
    }
}
