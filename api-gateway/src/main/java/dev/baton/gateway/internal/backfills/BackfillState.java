package dev.baton.gateway.internal.backfills;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.jobs.Partition;
import dev.baton.jobs.PartitionSet;
import dev.baton.platform.RunIds;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A backfill's state: the fold of its events ({@link BackfillFold}). Its size does not depend on the number of
 * partitions: the selection (a range, or at most 10,000 listed keys), counters, the ordered partition cursor
 * ({@code launched}: partitions of the selection launched so far, in order) and the partitions in flight, which the
 * submitter keeps at most {@code maxConcurrent}. Failed partitions are kept one record each beside it (for
 * retry-failed), never in it. The gateway's read model stores it split (a small record, the listed keys written once,
 * one record per partition in flight: {@code StoredBackfill}), so that folding an event never rewrites the list or the
 * partitions in flight; it joins them back into this record for the API and the submitter.
 *
 * @param inFlight      partition → run id of the partitions launched and not finished (insertion order)
 * @param retryPending  failed partitions of the current retry round not relaunched yet
 * @param lastEventId   the last event folded in (lets a submitter wait until the read model has its own writes)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackfillState(String id, String job, int jobVersion, String from, String to, List<String> partitions,
                            long count, Map<String, String> params, int maxConcurrent, String requestedBy, long requestedAt,
                            Status status, Outcome outcome, int round, long launched, long succeeded, long failed,
                            long canceled, long retryPending, Map<String, String> inFlight, String pausedBy, Long pausedAt,
                            String canceledBy, Long canceledAt, Long completedAt, Long startedAt, long updatedAt,
                            String lastEventId) {
    /** The tag every run of a backfill carries: its backfill id. */
    public static final String TAG = "baton.backfill";

    public enum Status { RUNNING, PAUSED, CANCELED, COMPLETED }

    public enum Outcome { SUCCEEDED, FAILED }

    public BackfillState {
        params = params == null ? Map.of() : Map.copyOf(new TreeMap<>(params));
        partitions = partitions == null ? null : List.copyOf(partitions);
        inFlight = inFlight == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inFlight));
    }

    /** The run key of one partition's run in a round (round 0: the first launch). */
    public static String runKey(String backfillId, String partition, int round) {
        return "backfill:" + backfillId + ":" + partition + (round == 0 ? "" : "#" + round);
    }

    public String runId(String partition, int round) {
        return RunIds.forRunKey(job, runKey(id, partition, round));
    }

    /** Completed, or canceled with no partition in flight any more. */
    public boolean finished() {
        return status == Status.COMPLETED || status == Status.CANCELED && inFlight.isEmpty();
    }

    /** Whether nothing is left to launch or to wait for: the submitter then records the completion. */
    public boolean allDone() {
        return status == Status.RUNNING && launched >= count && retryPending == 0 && inFlight.isEmpty();
    }

    public long running() {
        return inFlight.size();
    }

    public long done() {
        return succeeded + failed + canceled;
    }

    /** The id of a backfill requested without one: a function of what it selects, so a repeated request is the same backfill. */
    public static String derivedId(String job, String from, String to, List<String> partitions, Map<String, String> params,
                                   Integer maxConcurrent) {
        String basis = "baton-backfill\u0000" + job + "\u0000" + from + "\u0000" + to + "\u0000"
                + (partitions == null ? "" : String.join("\u0001", partitions)) + "\u0000" + new TreeMap<>(params)
                + "\u0000" + maxConcurrent;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Whether a request selects the same runs as this backfill (a repeated request). */
    public boolean sameSelection(String job, String from, String to, List<String> partitions, Map<String, String> params) {
        return this.job.equals(job) && Objects.equals(this.from, from) && Objects.equals(this.to, to)
                && Objects.equals(this.partitions, partitions) && this.params.equals(params == null ? Map.of() : params);
    }

    /** The backfill's partition keys, lazily, in launch order, from position {@code skip}. */
    public Iterator<String> keys(PartitionSet set, long skip) {
        Iterator<String> keys;
        if (partitions != null) {
            keys = partitions.iterator();
        } else {
            Iterator<Partition> it = set.range(from, to, java.time.Instant.MAX);
            keys = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public String next() {
                    return it.next().key();
                }
            };
        }
        for (long i = 0; i < skip && keys.hasNext(); i++) {
            keys.next();
        }
        return keys;
    }

    Builder toBuilder(InFlight inFlight) {
        return new Builder(this, inFlight);
    }

    /** This state with its listed partitions and partitions in flight replaced (the read model keeps them apart). */
    public BackfillState with(List<String> partitions, Map<String, String> inFlight) {
        return new BackfillState(id, job, jobVersion, from, to, partitions, count, params, maxConcurrent, requestedBy,
                requestedAt, status, outcome, round, launched, succeeded, failed, canceled, retryPending, inFlight,
                pausedBy, pausedAt, canceledBy, canceledAt, completedAt, startedAt, updatedAt, lastEventId);
    }

    /**
     * The partitions in flight as the fold sees them: a map in memory (the API's and the submitter's states), or a view
     * over the read model's store of one record per (backfill, partition) that records the fold's changes, so that
     * the stored state does not grow with {@code maxConcurrent} ({@code BackfillsProcessor}).
     */
    public interface InFlight {
        /** The run id of the partition in flight, or null. */
        String get(String partition);

        void put(String partition, String runId);

        void remove(String partition);

        int size();
    }

    /** In flight, in a map (in launch order). */
    static final class MapInFlight implements InFlight {
        final LinkedHashMap<String, String> map;

        MapInFlight(Map<String, String> from) {
            map = new LinkedHashMap<>(from);
        }

        @Override
        public String get(String partition) {
            return map.get(partition);
        }

        @Override
        public void put(String partition, String runId) {
            map.put(partition, runId);
        }

        @Override
        public void remove(String partition) {
            map.remove(partition);
        }

        @Override
        public int size() {
            return map.size();
        }
    }

    /** Mutable copy used by the fold only. */
    static final class Builder {
        String id, job, from, to, requestedBy, pausedBy, canceledBy, lastEventId;
        int jobVersion, maxConcurrent, round;
        List<String> partitions;
        long count, requestedAt, launched, succeeded, failed, canceled, retryPending, updatedAt;
        Map<String, String> params;
        Status status;
        Outcome outcome;
        InFlight inFlight;
        Long pausedAt, canceledAt, completedAt, startedAt;

        Builder(InFlight inFlight) {
            this.inFlight = inFlight != null ? inFlight : new MapInFlight(Map.of());
        }

        /** @param inFlight null: the state's own map */
        Builder(BackfillState s, InFlight inFlight) {
            id = s.id; job = s.job; jobVersion = s.jobVersion; from = s.from; to = s.to; partitions = s.partitions;
            count = s.count; params = s.params; maxConcurrent = s.maxConcurrent; requestedBy = s.requestedBy;
            requestedAt = s.requestedAt; status = s.status; outcome = s.outcome; round = s.round; launched = s.launched;
            succeeded = s.succeeded; failed = s.failed; canceled = s.canceled; retryPending = s.retryPending;
            this.inFlight = inFlight != null ? inFlight : new MapInFlight(s.inFlight); pausedBy = s.pausedBy; pausedAt = s.pausedAt;
            canceledBy = s.canceledBy; canceledAt = s.canceledAt; completedAt = s.completedAt; startedAt = s.startedAt;
            updatedAt = s.updatedAt; lastEventId = s.lastEventId;
        }

        /** The state; its {@code inFlight} map is empty when the partitions in flight are kept outside it. */
        BackfillState build() {
            Map<String, String> map = inFlight instanceof MapInFlight m ? m.map : Map.of();
            return new BackfillState(id, job, jobVersion, from, to, partitions, count, params, maxConcurrent, requestedBy,
                    requestedAt, status, outcome, round, launched, succeeded, failed, canceled, retryPending, map,
                    pausedBy, pausedAt, canceledBy, canceledAt, completedAt, startedAt, updatedAt, lastEventId);
        }
    }
}
