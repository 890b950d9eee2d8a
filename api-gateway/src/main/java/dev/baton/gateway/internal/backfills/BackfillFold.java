package dev.baton.gateway.internal.backfills;

import dev.baton.events.BackfillCanceled;
import dev.baton.events.BackfillCompleted;
import dev.baton.events.BackfillEvent;
import dev.baton.events.BackfillPartitionFailed;
import dev.baton.events.BackfillPartitionLaunched;
import dev.baton.events.BackfillPartitionSucceeded;
import dev.baton.events.BackfillPaused;
import dev.baton.events.BackfillRequested;
import dev.baton.events.BackfillResumed;
import dev.baton.events.BackfillRetryRequested;
import dev.baton.gateway.internal.backfills.BackfillState.Outcome;
import dev.baton.gateway.internal.backfills.BackfillState.Status;

/**
 * The backfill's applier: state' = apply(state, event). Pure (no clock, no I/O: times come from the events) and
 * idempotent, because a backfill's events may be written twice (a submission resumed after a crash repeats the
 * launches it cannot prove were recorded): a launch of a partition already in flight or behind the cursor, or a
 * result of a partition not in flight, changes nothing.
 */
public final class BackfillFold {
    private BackfillFold() {}

    /** What the fold does to the per-partition failed index kept beside the state (for retry-failed). */
    public sealed interface IndexChange {
        /** The partition failed: record it with its run id. */
        record Put(String partition, String runId) implements IndexChange {}

        /** The partition was relaunched or succeeded: forget it. */
        record Remove(String partition) implements IndexChange {}

        /** Nothing to change. */
        record None() implements IndexChange {}
    }

    public record Result(BackfillState state, IndexChange index) {}

    private static final IndexChange NONE = new IndexChange.None();

    /** @param state the state before the event, or null when the backfill has no event yet */
    public static Result apply(BackfillState state, BackfillEvent e) {
        return apply(state, null, e);
    }

    /**
     * The same with the partitions in flight kept outside the state: the fold reads and changes them through
     * {@code inFlight} (only the event's partition and the count), and the state it returns has an empty
     * {@code inFlight} map. The read model uses it so that an event costs the same whatever the backfill's size.
     *
     * @param inFlight null: the state's own {@code inFlight} map
     */
    public static Result apply(BackfillState state, BackfillState.InFlight inFlight, BackfillEvent e) {
        long at = e.getTimestamp().toEpochMilli();
        if (state == null && !(e.getPayload() instanceof BackfillRequested)) {
            return new Result(null, NONE); // events of a backfill whose request aged out of the log: nothing to fold into
        }
        BackfillState.Builder b = state == null ? new BackfillState.Builder(inFlight) : state.toBuilder(inFlight);
        IndexChange index = NONE;
        boolean changed = true;
        switch (e.getPayload()) {
            case BackfillRequested r -> {
                if (state != null) {
                    changed = false; // a repeated request is the same backfill
                } else {
                    b.id = e.getBackfillId();
                    b.job = r.getJob();
                    b.jobVersion = r.getJobVersion();
                    b.from = r.getFrom();
                    b.to = r.getTo();
                    b.partitions = r.getPartitions();
                    b.count = r.getCount();
                    b.params = r.getParams();
                    b.maxConcurrent = r.getMaxConcurrent();
                    b.requestedBy = r.getRequestedBy();
                    b.requestedAt = at;
                    b.status = Status.RUNNING;
                }
            }
            case BackfillPartitionLaunched l -> {
                if (b.status == Status.CANCELED || b.inFlight.get(l.getPartition()) != null) {
                    changed = false;
                } else if (l.getRound() == 0) {
                    if (l.getIndex() < b.launched) {
                        changed = false; // launched before, and finished already
                    } else {
                        b.launched = l.getIndex() + 1;
                        b.inFlight.put(l.getPartition(), l.getRunId());
                    }
                } else if (l.getRound() != b.round) {
                    changed = false;
                } else {
                    b.retryPending = Math.max(0, b.retryPending - 1);
                    b.failed = Math.max(0, b.failed - 1);
                    b.inFlight.put(l.getPartition(), l.getRunId());
                    index = new IndexChange.Remove(l.getPartition());
                }
                if (changed && b.startedAt == null) {
                    b.startedAt = at;
                }
            }
            case BackfillPartitionSucceeded x -> {
                if (x.getRunId().equals(b.inFlight.get(x.getPartition()))) {
                    b.inFlight.remove(x.getPartition());
                    b.succeeded++;
                    index = new IndexChange.Remove(x.getPartition());
                } else {
                    changed = false;
                }
            }
            case BackfillPartitionFailed x -> {
                if (x.getRunId().equals(b.inFlight.get(x.getPartition()))) {
                    b.inFlight.remove(x.getPartition());
                    if (b.status == Status.CANCELED && "CANCELED".equals(x.getRunStatus())) {
                        b.canceled++; // canceled with the backfill: not a failure to retry
                    } else {
                        b.failed++;
                        index = new IndexChange.Put(x.getPartition(), x.getRunId());
                    }
                } else {
                    changed = false;
                }
            }
            case BackfillPaused p -> {
                if (b.status == Status.RUNNING) {
                    b.status = Status.PAUSED;
                    b.pausedBy = p.getActor();
                    b.pausedAt = at;
                } else {
                    changed = false;
                }
            }
            case BackfillResumed r -> {
                if (b.status == Status.PAUSED) {
                    b.status = Status.RUNNING;
                } else {
                    changed = false;
                }
            }
            case BackfillRetryRequested r -> {
                if (b.status == Status.COMPLETED && r.getRound() == b.round + 1) {
                    b.status = Status.RUNNING;
                    b.outcome = null;
                    b.completedAt = null;
                    b.round = r.getRound();
                    b.retryPending = r.getPartitions();
                } else {
                    changed = false;
                }
            }
            case BackfillCanceled c -> {
                if (b.status == Status.RUNNING || b.status == Status.PAUSED) {
                    b.status = Status.CANCELED;
                    b.canceledBy = c.getActor();
                    b.canceledAt = at;
                    b.retryPending = 0; // the partitions in flight were asked to cancel; their ends are still recorded
                } else {
                    changed = false;
                }
            }
            case BackfillCompleted c -> {
                if (b.status == Status.RUNNING && b.inFlight.size() == 0) {
                    b.status = Status.COMPLETED;
                    b.outcome = c.getOutcome() == dev.baton.events.BackfillOutcome.SUCCEEDED ? Outcome.SUCCEEDED : Outcome.FAILED;
                    b.completedAt = at;
                } else {
                    changed = false;
                }
            }
            default -> throw new IllegalArgumentException("not a backfill event: " + e.getPayload());
        }
        if (!changed) {
            // Only the position moves (the submitter waits on it); nothing was changed through inFlight.
            BackfillState.Builder same = state.toBuilder(inFlight);
            same.lastEventId = e.getEventId();
            return new Result(same.build(), NONE);
        }
        b.updatedAt = at;
        b.lastEventId = e.getEventId();
        return new Result(b.build(), index);
    }
}
