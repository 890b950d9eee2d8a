package dev.baton.gateway.internal.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.BackfillCanceled;
import dev.baton.events.BackfillCompleted;
import dev.baton.events.BackfillEvent;
import dev.baton.events.BackfillOutcome;
import dev.baton.events.BackfillPartitionFailed;
import dev.baton.events.BackfillPartitionLaunched;
import dev.baton.events.BackfillPartitionSucceeded;
import dev.baton.events.BackfillPaused;
import dev.baton.events.BackfillRequested;
import dev.baton.events.BackfillResumed;
import dev.baton.events.BackfillRetryRequested;
import dev.baton.gateway.internal.backfills.BackfillFold;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the read model keeps a backfill in three stores (a small record of counters and status, the listed keys
 * written once, one record per partition in flight), so an event's cost does not grow with the backfill. The state
 * joined from them must be the state the fold defines, after every event; the small record must stay small while a
 * backfill of 10,000 listed keys runs 1,000 at once; and a backfill stored whole by an earlier version is split on its
 * next event.
 */
class BackfillReadModelTest {
    ReadModelDriver rm;
    TestInputTopic<String, byte[]> events;
    KeyValueStore<String, byte[]> states;
    KeyValueStore<String, byte[]> listed;
    KeyValueStore<String, byte[]> inFlight;
    KeyValueStore<String, byte[]> failed;
    long t;

    @BeforeEach
    void start() {
        rm = new ReadModelDriver("backfillrm");
        events = rm.driver.createInputTopic(rm.topics.backfillEvents(), new StringSerializer(), new ByteArraySerializer());
        states = rm.driver.getKeyValueStore(ReadModelTopology.STORE_BACKFILLS);
        listed = rm.driver.getKeyValueStore(ReadModelTopology.STORE_BACKFILL_PARTITIONS);
        inFlight = rm.driver.getKeyValueStore(ReadModelTopology.STORE_BACKFILL_IN_FLIGHT);
        failed = rm.driver.getKeyValueStore(ReadModelTopology.STORE_BACKFILL_FAILED);
    }

    @AfterEach
    void stop() {
        rm.close();
    }

    private BackfillEvent e(String id, Object payload) {
        t += 1_000;
        return BackfillEvent.newBuilder().setEventId(id + "-" + t).setBackfillId(id).setTimestamp(Instant.ofEpochMilli(t))
                .setTraceId("tr").setPayload(payload).build();
    }

    private void pipe(BackfillEvent e) {
        events.pipeInput(e.getBackfillId(), rm.codecs.backfillEvents().serialize(rm.topics.backfillEvents(), e));
    }

    private BackfillState joined(String id) {
        byte[] b = states.get(id);
        return b == null ? null : StoredBackfill.join(id, b, listed, inFlight);
    }

    private static void assertSame(BackfillState actual, BackfillState expected, String context) {
        assertThat(actual).as(context).isEqualTo(expected);
        assertThat(List.copyOf(actual.inFlight().keySet())).as("%s: partitions in flight in launch order", context)
                .containsExactlyElementsOf(expected.inFlight().keySet());
    }

    @Test
    void theJoinedStateIsTheFoldsStateAfterEveryEventOfRandomBackfills() {
        int compared = 0;
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            String id = "b" + seed;
            boolean list = r.nextBoolean();
            int n = 3 + r.nextInt(12);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                keys.add(list ? "k" + r.nextInt(1000) + "-" + i : String.format("2026-01-%02d", i + 1));
            }
            int max = 1 + r.nextInt(4);
            List<BackfillEvent> history = new ArrayList<>();
            history.add(e(id, new BackfillRequested("job", 1, list ? null : keys.get(0), list ? null : keys.get(n - 1),
                    list ? keys : null, (long) n, Map.of("p", "v"), max, "ops")));
            // A driver of the backfill: launches up to max, ends them at random, pauses, cancels, retries, repeats events.
            LinkedHashMap<String, String> running = new LinkedHashMap<>();
            List<String> failedKeys = new ArrayList<>();
            int next = 0;
            int round = 0;
            int steps = 0;
            boolean canceled = false;
            while (steps++ < 60) {
                int pick = r.nextInt(10);
                if (pick < 4 && running.size() < max && next < n && !canceled) {
                    String p = keys.get(next);
                    String run = "run-" + id + "-" + p + "-" + round;
                    history.add(e(id, new BackfillPartitionLaunched(p, (long) next, 0, run)));
                    running.put(p, run);
                    next++;
                } else if (pick < 7 && !running.isEmpty()) {
                    var first = running.entrySet().iterator().next();
                    running.remove(first.getKey());
                    if (r.nextInt(3) == 0) {
                        history.add(e(id, new BackfillPartitionFailed(first.getKey(), round, first.getValue(),
                                canceled ? "CANCELED" : "FAILED")));
                        failedKeys.add(first.getKey());
                    } else {
                        history.add(e(id, new BackfillPartitionSucceeded(first.getKey(), round, first.getValue())));
                    }
                } else if (pick == 7) {
                    history.add(e(id, r.nextBoolean() ? new BackfillPaused("ops") : new BackfillResumed("ops")));
                } else if (pick == 8 && r.nextInt(8) == 0) {
                    history.add(e(id, new BackfillCanceled("ops", (long) running.size())));
                    canceled = true;
                } else if (pick == 9 && history.size() > 1) {
                    history.add(history.get(1 + r.nextInt(history.size() - 1))); // a repeated event: changes nothing
                }
                if (!canceled && next == n && running.isEmpty()) {
                    history.add(e(id, new BackfillCompleted(failedKeys.isEmpty() ? BackfillOutcome.SUCCEEDED
                            : BackfillOutcome.FAILED, (long) n, (long) failedKeys.size(), t)));
                    if (!failedKeys.isEmpty() && round == 0) {
                        round = 1;
                        history.add(e(id, new BackfillRetryRequested(1, (long) failedKeys.size(), "ops")));
                        for (String p : List.copyOf(failedKeys)) {
                            String run = "run-" + id + "-" + p + "-1";
                            history.add(e(id, new BackfillPartitionLaunched(p, -1L, 1, run)));
                            history.add(e(id, new BackfillPartitionSucceeded(p, 1, run)));
                        }
                        failedKeys.clear();
                        history.add(e(id, new BackfillCompleted(BackfillOutcome.SUCCEEDED, (long) n, 0L, t)));
                    }
                    break;
                }
            }
            BackfillState expected = null;
            for (BackfillEvent ev : history) {
                expected = BackfillFold.apply(expected, ev).state();
                pipe(ev);
                assertSame(joined(id), expected, "seed " + seed + " after " + ev.getPayload());
                assertThat(StoredBackfill.read(states.get(id))).isInstanceOf(StoredBackfill.class);
                compared++;
            }
            try (var it = inFlight.range(Keys.prefix(id), Keys.prefix(id) + Keys.END)) {
                int records = 0;
                while (it.hasNext()) {
                    it.next();
                    records++;
                }
                assertThat(records).as("seed %d: one in-flight record per partition in flight", seed)
                        .isEqualTo(expected.inFlight().size());
            }
        }
        assertThat(compared).isGreaterThan(400);
        assertThat(rm.deadLetters.readValuesToList()).isEmpty();
    }

    @Test
    void aBackfillOfTenThousandListedKeysKeepsItsStoredStateSmallWhileAThousandRunAtOnce() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            keys.add(String.format("customer-%05d-%s", i, "x".repeat(100)));
        }
        pipe(e("big", new BackfillRequested("job", 1, null, null, keys, 10_000L, Map.of(), 1_000, "ops")));
        int afterRequest = states.get("big").length;
        assertThat(afterRequest).as("the stored record holds no key").isLessThan(1_000);
        int largest = afterRequest;
        for (int i = 0; i < 1_500; i++) {
            pipe(e("big", new BackfillPartitionLaunched(keys.get(i), (long) i, 0, "run-" + i)));
            largest = Math.max(largest, states.get("big").length);
            if (i >= 999) { // 1,000 in flight: each launch after the first thousand follows an end
                pipe(e("big", new BackfillPartitionSucceeded(keys.get(i - 999), 0, "run-" + (i - 999))));
            }
        }
        assertThat(largest).as("the stored record does not grow with launches or partitions in flight")
                .isLessThan(afterRequest + 100);
        BackfillState b = joined("big");
        assertThat(b.partitions()).containsExactlyElementsOf(keys);
        assertThat(b.launched()).isEqualTo(1_500);
        assertThat(b.succeeded()).isEqualTo(501);
        assertThat(b.inFlight()).hasSize(999);
        assertThat(List.copyOf(b.inFlight().keySet())).first().isEqualTo(keys.get(501));
        assertThat(List.copyOf(b.inFlight().keySet())).last().isEqualTo(keys.get(1_499));
    }

    @Test
    void aBackfillStoredWholeByAnEarlierVersionIsReadAsItWasAndSplitOnItsNextEvent() {
        List<BackfillEvent> history = List.of(
                e("old", new BackfillRequested("job", 1, null, null, List.of("a", "b", "c"), 3L, Map.of(), 2, "ops")),
                e("old", new BackfillPartitionLaunched("a", 0L, 0, "ra")),
                e("old", new BackfillPartitionLaunched("b", 1L, 0, "rb")));
        BackfillState whole = null;
        for (BackfillEvent ev : history) {
            whole = BackfillFold.apply(whole, ev).state();
        }
        states.put("old", Json.bytes(whole)); // the earlier form: the whole state in one record
        assertSame(joined("old"), whole, "read as stored");

        BackfillEvent end = e("old", new BackfillPartitionFailed("a", 0, "ra", "FAILED"));
        BackfillState expected = BackfillFold.apply(whole, end).state();
        pipe(end);
        assertThat(StoredBackfill.read(states.get("old"))).isInstanceOf(StoredBackfill.class);
        assertSame(joined("old"), expected, "split");
        assertThat(joined("old").partitions()).containsExactly("a", "b", "c");
        assertThat(joined("old").inFlight()).containsOnlyKeys("b");
        assertThat(failed.get(Keys.prefix("old") + "a")).isNotNull();
    }
}
