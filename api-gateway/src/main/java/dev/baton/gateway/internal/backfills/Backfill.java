package dev.baton.gateway.internal.backfills;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.jobs.Partition;
import dev.baton.jobs.PartitionSet;
import dev.baton.platform.RunIds;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A backfill as stored on the compacted backfills topic (JSON, key = id): which partitions of which job version, and
 * where its submission stands. The record holds the selection, never one entry per partition, so it stays the same
 * size for 30 partitions and for 50,000. Each partition's run has the run key {@code backfill:<id>:<partition>}, so
 * its run id is a function of (job, id, partition) and every repeated submission collapses into the one run.
 *
 * @param from       first key of the range dimension (resolved at request time), or null for a list
 * @param to         last key of the range dimension (resolved at request time: an open-ended set does not grow
 *                   under a backfill), or null for a list
 * @param partitions the listed partition keys, or null for a range
 * @param status     {@link #SUBMITTING}, {@link #SUBMITTED} or {@link #CANCELED}
 * @param maxConcurrent at most this many of the backfill's runs requested and not finished at once; null: no limit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Backfill(String id, String job, int jobVersion, String from, String to, List<String> partitions,
                       long count, Map<String, String> params, String status, String requestedBy, long requestedAt,
                       String canceledBy, Long canceledAt, Long submittedAt, Integer maxConcurrent) {
    /** Run requests are being produced (by the gateway that took the request, or one resuming it). */
    public static final String SUBMITTING = "SUBMITTING";
    /** Every partition's run request is on the request topic. */
    public static final String SUBMITTED = "SUBMITTED";
    /** No more runs are launched; runs not finished were asked to cancel. */
    public static final String CANCELED = "CANCELED";
    /** The tag every run of a backfill carries: its backfill id. */
    public static final String TAG = "baton.backfill";

    public Backfill {
        params = params == null ? Map.of() : Map.copyOf(params);
        partitions = partitions == null ? null : List.copyOf(partitions);
    }

    /** The run key of one partition's run. */
    public static String runKey(String backfillId, String partition) {
        return "backfill:" + backfillId + ":" + partition;
    }

    public String runId(String partition) {
        return RunIds.forRunKey(job, runKey(id, partition));
    }

    /** The id of a backfill requested without one: a function of what it selects, so a repeated request is the same backfill. */
    public static String derivedId(String job, String from, String to, List<String> partitions, Map<String, String> params,
                                   Integer maxConcurrent) {
        String basis = "baton-backfill\u0000" + job + "\u0000" + from + "\u0000" + to + "\u0000"
                + (partitions == null ? "" : String.join("\u0001", partitions)) + "\u0000" + new java.util.TreeMap<>(params)
                + "\u0000" + maxConcurrent;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Whether two records select the same runs (a repeated request), whatever their status. */
    public boolean sameSelection(Backfill o) {
        return job.equals(o.job) && java.util.Objects.equals(from, o.from) && java.util.Objects.equals(to, o.to)
                && java.util.Objects.equals(partitions, o.partitions) && params.equals(o.params)
                && java.util.Objects.equals(maxConcurrent, o.maxConcurrent);
    }

    /** The backfill's partition keys, lazily, in launch order. */
    public Iterator<String> keys(PartitionSet set) {
        if (partitions != null) {
            return partitions.iterator();
        }
        Iterator<Partition> it = set.range(from, to, java.time.Instant.MAX);
        return new Iterator<>() {
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

    public Backfill withStatus(String status, Long submittedAt) {
        return new Backfill(id, job, jobVersion, from, to, partitions, count, params, status, requestedBy, requestedAt,
                canceledBy, canceledAt, submittedAt, maxConcurrent);
    }

    public Backfill canceled(String by, long at) {
        return new Backfill(id, job, jobVersion, from, to, partitions, count, params, CANCELED, requestedBy, requestedAt,
                by, at, submittedAt, maxConcurrent);
    }
}
