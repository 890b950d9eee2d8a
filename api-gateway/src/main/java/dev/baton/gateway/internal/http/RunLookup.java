package dev.baton.gateway.internal.http;

import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds a run: in the read model, or, for a run this gateway accepted moments ago that the read model does not show
 * yet, a provisional view from the accepted request (read-your-writes for the caller who triggered it).
 */
final class RunLookup {
    private final ReadStores stores;
    private final Map<String, Services.PendingRun> pending;
    private final long pendingTtlMs;

    RunLookup(ReadStores stores, Map<String, Services.PendingRun> pending, long pendingTtlMs) {
        this.stores = stores;
        this.pending = pending;
        this.pendingTtlMs = pendingTtlMs;
    }

    /** The run's view, or a provisional one, or null. Blocking. */
    RunView runOrPending(String id) {
        RunView v = stores.run(id).orElse(null);
        if (v != null) {
            pending.remove(id);
            return v;
        }
        Services.PendingRun p = pending.get(id);
        if (p == null || System.currentTimeMillis() - p.acceptedAt() > pendingTtlMs) {
            return null;
        }
        RunView pv = new RunView();
        pv.runId = p.runId();
        pv.job = p.job();
        pv.jobVersion = p.version();
        pv.status = "REQUESTED";
        pv.runKey = p.runKey();
        pv.partition = p.partition();
        pv.origin = p.origin();
        pv.requestedBy = p.requestedBy();
        pv.params = new LinkedHashMap<>(p.params());
        pv.tags = new LinkedHashMap<>(p.tags());
        pv.parentRunId = p.parentRunId();
        pv.requestedAt = p.acceptedAt();
        pv.updatedAt = p.acceptedAt();
        return pv;
    }

    /** The run, or 404. Blocking. */
    RunView require(String id) {
        RunView v = runOrPending(id);
        if (v == null) {
            throw ApiError.notFound("no run " + id);
        }
        return v;
    }

    /** Whether this gateway accepted {@code runId} moments ago and the read model has not shown it yet. */
    boolean pendingKnown(String runId) {
        Services.PendingRun p = pending.get(runId);
        return p != null && System.currentTimeMillis() - p.acceptedAt() <= pendingTtlMs;
    }

    /** Remembers a run this gateway just accepted. */
    void accepted(Services.PendingRun run) {
        pending.put(run.runId(), run);
    }
}
