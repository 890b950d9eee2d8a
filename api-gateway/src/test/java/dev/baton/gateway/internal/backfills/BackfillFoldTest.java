package dev.baton.gateway.internal.backfills;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backfill fold on its own: counters, cursor, bounded in-flight set, and idempotence under repeated events. */
class BackfillFoldTest {
    private int seq;

    private BackfillEvent e(Object payload) {
        seq++;
        return BackfillEvent.newBuilder().setEventId("e" + seq).setBackfillId("b").setTimestamp(Instant.ofEpochMilli(1_000L * seq))
                .setTraceId("t").setPayload(payload).build();
    }

    private static BackfillState fold(List<BackfillEvent> events) {
        BackfillState s = null;
        for (BackfillEvent e : events) {
            s = BackfillFold.apply(s, e).state();
        }
        return s;
    }

    private List<BackfillEvent> history() {
        List<BackfillEvent> h = new ArrayList<>();
        h.add(e(new BackfillRequested("job", 1, "2026-01-01", "2026-01-04", null, 4L, Map.of(), 2, "ops")));
        h.add(e(new BackfillPartitionLaunched("2026-01-01", 0L, 0, "r1")));
        h.add(e(new BackfillPartitionLaunched("2026-01-02", 1L, 0, "r2")));
        h.add(e(new BackfillPartitionSucceeded("2026-01-01", 0, "r1")));
        h.add(e(new BackfillPaused("ops")));
        h.add(e(new BackfillPartitionFailed("2026-01-02", 0, "r2", "FAILED")));
        h.add(e(new BackfillResumed("ops")));
        h.add(e(new BackfillPartitionLaunched("2026-01-03", 2L, 0, "r3")));
        h.add(e(new BackfillPartitionLaunched("2026-01-04", 3L, 0, "r4")));
        h.add(e(new BackfillPartitionSucceeded("2026-01-03", 0, "r3")));
        h.add(e(new BackfillPartitionSucceeded("2026-01-04", 0, "r4")));
        h.add(e(new BackfillCompleted(BackfillOutcome.FAILED, 3L, 1L, 9_000L)));
        h.add(e(new BackfillRetryRequested(1, 1L, "ops")));
        h.add(e(new BackfillPartitionLaunched("2026-01-02", -1L, 1, "r2b")));
        h.add(e(new BackfillPartitionSucceeded("2026-01-02", 1, "r2b")));
        h.add(e(new BackfillCompleted(BackfillOutcome.SUCCEEDED, 4L, 0L, 15_000L)));
        return h;
    }

    @Test
    void theStateIsCountersACursorAndTheInFlightSet() {
        List<BackfillEvent> h = history();
        BackfillState mid = fold(h.subList(0, 5));
        assertThat(mid.status()).isEqualTo(BackfillState.Status.PAUSED);
        assertThat(mid.launched()).isEqualTo(2);
        assertThat(mid.inFlight()).containsOnlyKeys("2026-01-02");
        BackfillState failedRound = fold(h.subList(0, 12));
        assertThat(failedRound.status()).isEqualTo(BackfillState.Status.COMPLETED);
        assertThat(failedRound.outcome()).isEqualTo(BackfillState.Outcome.FAILED);
        assertThat(failedRound.failed()).isEqualTo(1);
        BackfillState end = fold(h);
        assertThat(end.status()).isEqualTo(BackfillState.Status.COMPLETED);
        assertThat(end.outcome()).isEqualTo(BackfillState.Outcome.SUCCEEDED);
        assertThat(end.round()).isEqualTo(1);
        assertThat(end.succeeded()).isEqualTo(4);
        assertThat(end.failed()).isZero();
        assertThat(end.inFlight()).isEmpty();
    }

    @Test
    void everyEventWrittenTwiceFoldsToTheSameState() {
        List<BackfillEvent> h = history();
        List<BackfillEvent> twice = new ArrayList<>();
        for (BackfillEvent x : h) {
            twice.add(x);
            twice.add(BackfillEvent.newBuilder(x).setEventId(x.getEventId() + "-again").build());
        }
        BackfillState once = fold(h);
        BackfillState doubled = fold(twice);
        assertThat(doubled.succeeded()).isEqualTo(once.succeeded());
        assertThat(doubled.failed()).isEqualTo(once.failed());
        assertThat(doubled.launched()).isEqualTo(once.launched());
        assertThat(doubled.round()).isEqualTo(once.round());
        assertThat(doubled.status()).isEqualTo(once.status());
        assertThat(doubled.inFlight()).isEqualTo(once.inFlight());
    }

    @Test
    void aCancelKeepsCountingThePartitionsInFlightAsTheyEndCanceled() {
        List<BackfillEvent> h = new ArrayList<>(history().subList(0, 3));
        h.add(e(new BackfillCanceled("ops", 2L)));
        h.add(e(new BackfillPartitionLaunched("2026-01-03", 2L, 0, "r3"))); // a launch racing the cancel is not recorded
        h.add(e(new BackfillPartitionFailed("2026-01-01", 0, "r1", "CANCELED")));
        h.add(e(new BackfillPartitionSucceeded("2026-01-02", 0, "r2")));
        BackfillState s = fold(h);
        assertThat(s.status()).isEqualTo(BackfillState.Status.CANCELED);
        assertThat(s.canceled()).isEqualTo(1);
        assertThat(s.succeeded()).isEqualTo(1);
        assertThat(s.failed()).isZero();
        assertThat(s.launched()).isEqualTo(2);
        assertThat(s.finished()).isTrue();
    }
}
