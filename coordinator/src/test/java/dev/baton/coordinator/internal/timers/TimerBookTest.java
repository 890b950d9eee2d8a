package dev.baton.coordinator.internal.timers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.coordinator.internal.events.Input.Timer.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The timer index lives in memory and is rebuilt from the timer store when the processor is initialised (a restart, a
 * migrated task, a revival after an aborted transaction): a new {@link TimerBook} over the same store must disarm and
 * re-arm what the previous one armed.
 */
class TimerBookTest {
    static final Instant T = Instant.parse("2026-12-06T00:00:00Z");
    KeyValueStore<Bytes, byte[]> store;

    @BeforeEach
    void store() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("timers"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    static Timer timer(Kind kind, String run, String step, int attempt, long dueOffsetMs) {
        return new Timer(kind, run, step, attempt, T.plusMillis(dueOffsetMs));
    }

    List<Timer> stored() {
        List<Timer> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> all.add(TimerKeys.parse(kv.value)));
        }
        return all;
    }

    @Test
    void aBookRebuiltFromTheStoreDisarmsAndReplacesWhatTheEarlierOneArmed() {
        TimerBook before = new TimerBook(store);
        before.arm(timer(Kind.HEARTBEAT_DEADLINE, "r1", "a", 1, 30_000));
        before.arm(timer(Kind.STEP_TIMEOUT, "r1", "a", 1, 60_000));
        before.arm(timer(Kind.HEARTBEAT_DEADLINE, "r2", "a", 1, 30_000));

        TimerBook after = new TimerBook(store); // the processor initialised again: only the store is left
        assertThat(after.indexed()).isEqualTo(3);
        after.disarm(new Timer.Id(Kind.HEARTBEAT_DEADLINE, "r1", "a", 1));
        after.disarm(new Timer.Id(Kind.STEP_TIMEOUT, "r1", "a", 1));
        after.arm(timer(Kind.HEARTBEAT_DEADLINE, "r2", "a", 1, 45_000)); // a heartbeat pushed the deadline back

        assertThat(stored()).containsExactly(timer(Kind.HEARTBEAT_DEADLINE, "r2", "a", 1, 45_000));
        assertThat(after.indexed()).isEqualTo(1);
    }

    @Test
    void retentionTimersAreStoredButNotIndexed() {
        TimerBook book = new TimerBook(store);
        book.arm(timer(Kind.RETENTION, "r1", null, 0, 7 * 86_400_000L));
        book.arm(timer(Kind.RETRY, "r1", "a", 2, 1_000));
        assertThat(new TimerBook(store).indexed()).isEqualTo(1);
        book.disarm(new Timer.Id(Kind.RETENTION, "r1", null, 0));
        assertThat(stored()).hasSize(2);
    }

    @Test
    void aFiredTimerLeavesTheIndexUnlessItsIdentityWasReArmedForLater() {
        TimerBook book = new TimerBook(store);
        Timer first = timer(Kind.HEARTBEAT_DEADLINE, "r1", "a", 1, 10);
        book.arm(first);
        book.fired(TimerKeys.key(first), first);
        assertThat(book.indexed()).isZero();
        assertThat(stored()).isEmpty();

        Timer deadline = timer(Kind.HEARTBEAT_DEADLINE, "r1", "a", 1, 20);
        Timer later = timer(Kind.HEARTBEAT_DEADLINE, "r1", "a", 1, 30);
        book.arm(deadline);
        book.arm(later); // re-armed for later before the earlier due time was handed over as fired
        book.fired(TimerKeys.key(deadline), deadline);
        assertThat(book.indexed()).isEqualTo(1);
        book.disarm(later.id());
        assertThat(stored()).isEmpty();
    }
}
