package dev.baton.gateway.internal.backfills;

import dev.baton.events.BackfillCompleted;
import dev.baton.events.BackfillEvent;
import dev.baton.events.BackfillOutcome;
import dev.baton.events.BackfillPartitionFailed;
import dev.baton.events.BackfillPartitionLaunched;
import dev.baton.events.BackfillPartitionSucceeded;
import dev.baton.events.CancelRun;
import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.gateway.internal.backfills.BackfillState.Status;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.jobs.PartitionSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives running backfills, one thread each (never an event loop or the shared worker pool): it launches partitions
 * in order from the backfill's cursor while fewer than {@code maxConcurrent} are in flight, watches the runs of the
 * partitions in flight in the read model, and records each step as a backfill event ({@link BackfillFold} folds the
 * same events into the state every gateway reads). It stops when the backfill is paused, canceled or completed; a
 * resume, a retry-failed, or this gateway's periodic resume pass (after a restart) starts it again from the folded
 * state.
 *
 * <p>Exactly one run per partition: a partition's run has the run key {@code backfill:<id>:<partition>} (plus
 * {@code #<round>} in a retry round), hence a run id derived from it, and the coordinator turns every repeated request
 * for that id into a recorded duplicate. So after a crash the submitter may request again what it cannot prove was
 * recorded (the partitions in flight, the launches after the last folded event) without a second run.
 *
 * <p>One driver per cluster: only the gateway that {@code drives} (the one running the job registry's task) launches
 * partitions, so {@code maxConcurrent} holds across gateways. A backfill requested through another gateway is picked up
 * by the driver's next resume pass; a driver that loses the task stops its passes and the new one resumes them.
 */
public final class BackfillSubmitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackfillSubmitter.class);
    /** Unacknowledged run requests at most, per backfill: bounds memory whatever the backfill's size. */
    public static final int IN_FLIGHT_ACKS = 256;
    /** Pause between two passes that found nothing to do (a background thread, not a request). */
    static final long POLL_MS = 100;
    /** How long a starting submission waits for the read model to show this process's own last event. */
    static final long CATCH_UP_MS = 30_000;
    /** Failed partitions read per page in a retry round. */
    static final int RETRY_PAGE = 500;

    private final BackfillOutput out;
    private final ReadStores stores;
    private final Function<BackfillState, JobDefinition> definitions;
    private final Consumer<BackfillState> completed;
    // One thread per running backfill: a throttled backfill must not hold the others back.
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "baton-backfill-submitter");
        t.setDaemon(true);
        return t;
    });
    /** Backfills this process is driving. */
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    /** Backfills to drive again once their current pass ends (a resume arrived while it was stopping). */
    private final Set<String> again = ConcurrentHashMap.newKeySet();
    /** The last event this process wrote per backfill: a new pass starts once the read model has folded it. */
    private final Map<String, String> lastWritten = new ConcurrentHashMap<>();
    private final BooleanSupplier drives;
    private volatile boolean closed;

    /**
     * @param definitions the job version a backfill runs
     * @param completed   called with the state after this process recorded a completion (metrics)
     * @param drives      whether this process is the one that drives backfills (asked before and during every pass)
     */
    public BackfillSubmitter(BackfillOutput out, ReadStores stores, Function<BackfillState, JobDefinition> definitions,
                             Consumer<BackfillState> completed, BooleanSupplier drives) {
        this.drives = drives;
        this.out = out;
        this.stores = stores;
        this.definitions = definitions;
        this.completed = completed;
    }

    /** Writes an event and waits for its acknowledgement; a pass of this backfill started later waits until it is folded. */
    public void append(BackfillEvent e) {
        out.append(e);
        lastWritten.put(e.getBackfillId(), e.getEventId());
    }

    /** Drives a backfill unless this process already does (then once more after the current pass). */
    public void submit(String id) {
        if (closed || !drives.getAsBoolean()) {
            return; // the driving gateway's resume pass takes it
        }
        if (!active.add(id)) {
            again.add(id);
            if (active.add(id)) { // the pass ended meanwhile
                again.remove(id);
                start(id);
            }
            return;
        }
        start(id);
    }

    private void start(String id) {
        executor.execute(() -> {
            try {
                drive(id);
            } catch (RuntimeException e) {
                log.warn("Backfill {} pass stopped; the next resume pass starts it again: {}", id, e.toString());
            } finally {
                active.remove(id);
                if (again.remove(id)) {
                    submit(id);
                }
            }
        });
    }

    /** Drives every backfill the read model shows as running or with partitions in flight (after a restart, or a failed pass). */
    public void resume() {
        if (!drives.getAsBoolean()) {
            return;
        }
        for (BackfillState b : stores.backfills()) {
            boolean live = b.status() == Status.RUNNING || !b.inFlight().isEmpty() && b.status() != Status.COMPLETED;
            if (live && !active.contains(b.id())) {
                submit(b.id());
            }
        }
    }

    private BackfillState caughtUp(String id) {
        String mine = lastWritten.get(id);
        long deadline = System.currentTimeMillis() + CATCH_UP_MS;
        while (true) {
            BackfillState s = stores.backfill(id);
            if (mine == null || s != null && mine.equals(s.lastEventId()) || System.currentTimeMillis() > deadline) {
                return s;
            }
            pause();
        }
    }

    private void drive(String id) {
        BackfillState local = caughtUp(id);
        if (local == null || local.status() == Status.COMPLETED || local.status() != Status.RUNNING && local.inFlight().isEmpty()) {
            return;
        }
        JobDefinition def = definitions.apply(local);
        PartitionSet set = PartitionSet.of(def.getPartitions());
        Pass pass = new Pass(def, new Semaphore(IN_FLIGHT_ACKS), new AtomicReference<>());
        // A launch recorded just before a crash may lack its request: request the partitions in flight again
        // (the coordinator records a repeat as a duplicate of the one run).
        for (Map.Entry<String, String> f : local.inFlight().entrySet()) {
            request(local, pass, f.getKey(), f.getValue().equals(local.runId(f.getKey(), 0)) ? 0 : local.round());
        }
        Iterator<String> keys = local.keys(set, local.launched());
        ArrayDeque<String> retries = new ArrayDeque<>();
        String retryAfter = null;
        boolean retryScanDone = local.round() == 0 || local.retryPending() == 0;
        boolean cancelSent = false;
        while (!closed) {
            if (!drives.getAsBoolean()) {
                log.info("Backfill {}: this gateway no longer drives backfills (the job registry's task moved); stopping its pass", id);
                out.flush();
                return;
            }
            if (pass.failure.get() != null) {
                throw new IllegalStateException("a write failed", pass.failure.get());
            }
            BackfillState remote = stores.backfill(id);
            // Paused or canceled: launch nothing, but keep recording the partitions in flight as they end.
            boolean canceled = remote != null && remote.status() == Status.CANCELED;
            boolean paused = remote != null && remote.status() == Status.PAUSED || canceled;
            if (canceled && !cancelSent) {
                cancelRuns(local, "backfill " + id + " canceled"); // launches the canceling gateway may not have seen
                cancelSent = true;
            }
            if (remote == null || !paused && remote.status() != Status.RUNNING || paused && local.inFlight().isEmpty()) {
                out.flush();
                return;
            }
            boolean progressed = false;
            for (Map.Entry<String, String> f : List.copyOf(local.inFlight().entrySet())) {
                RunView v = stores.run(f.getValue()).orElse(null);
                if (v == null || !v.finished()) {
                    continue;
                }
                String status = ApiStatus.run(v.status);
                int round = f.getValue().equals(local.runId(f.getKey(), 0)) ? 0 : local.round();
                Object payload = "SUCCEEDED".equals(status)
                        ? new BackfillPartitionSucceeded(f.getKey(), round, f.getValue())
                        : new BackfillPartitionFailed(f.getKey(), round, f.getValue(), status);
                local = emit(local, pass, payload);
                progressed = true;
            }
            while (!paused && local.inFlight().size() < local.maxConcurrent()) {
                if (local.launched() < local.count() && keys.hasNext()) {
                    String p = keys.next();
                    String runId = request(local, pass, p, 0);
                    local = emit(local, pass, new BackfillPartitionLaunched(p, local.launched(), 0, runId));
                } else if (!retryScanDone) {
                    if (retries.isEmpty()) {
                        List<Map.Entry<String, String>> page = stores.backfillFailed(id, retryAfter, RETRY_PAGE);
                        if (page.isEmpty()) {
                            retryScanDone = true;
                            continue;
                        }
                        page.forEach(e -> retries.add(e.getKey()));
                        retryAfter = page.get(page.size() - 1).getKey();
                    }
                    String p = retries.poll();
                    if (local.inFlight().containsKey(p)) {
                        continue;
                    }
                    String runId = request(local, pass, p, local.round());
                    local = emit(local, pass, new BackfillPartitionLaunched(p, -1L, local.round(), runId));
                } else {
                    break;
                }
                progressed = true;
            }
            if (!paused && local.launched() >= local.count() && retryScanDone && local.inFlight().isEmpty()) {
                pass.permits.acquireUninterruptibly(IN_FLIGHT_ACKS); // every request and event acknowledged
                pass.permits.release(IN_FLIGHT_ACKS);
                out.flush();
                BackfillState folded = caughtUp(id);
                if (folded != null && folded.status() == Status.RUNNING && folded.inFlight().isEmpty()
                        && folded.launched() >= folded.count()) {
                    long now = System.currentTimeMillis();
                    BackfillCompleted c = new BackfillCompleted(folded.failed() == 0 ? BackfillOutcome.SUCCEEDED : BackfillOutcome.FAILED,
                            folded.succeeded(), folded.failed(), Math.max(0, now - folded.requestedAt()));
                    BackfillEvent e = event(id, "backfill-" + id, c);
                    append(e);
                    BackfillState done = BackfillFold.apply(folded, e).state();
                    log.info("Backfill {} of job {} completed: {} succeeded, {} failed", id, done.job(), done.succeeded(), done.failed());
                    completed.accept(done);
                }
                return;
            }
            if (!progressed) {
                pause();
            }
        }
    }

    private record Pass(JobDefinition def, Semaphore permits, AtomicReference<Exception> failure) {}

    private BackfillState emit(BackfillState local, Pass pass, Object payload) {
        BackfillEvent e = event(local.id(), "backfill-" + local.id(), payload);
        BackfillState next = BackfillFold.apply(local, e).state();
        out.appendAsync(e, ex -> pass.failure.compareAndSet(null, ex));
        lastWritten.put(local.id(), e.getEventId());
        return next;
    }

    /** Requests a partition's run of a round (without waiting) and returns its run id. */
    private String request(BackfillState b, Pass pass, String partition, int round) {
        String runKey = BackfillState.runKey(b.id(), partition, round);
        String runId = b.runId(partition, round);
        RunRequest request = RunRequest.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes((runId + "/backfill").getBytes(StandardCharsets.UTF_8)).toString())
                .setRunId(runId)
                .setTimestamp(Instant.now())
                .setTraceId("backfill-" + b.id())
                .setJob(b.job())
                .setRunKey(runKey)
                .setParams(Map.copyOf(b.params()))
                .setTags(Map.of(BackfillState.TAG, b.id()))
                .setOrigin(Origin.API)
                .setRequestedBy(b.requestedBy())
                .setDefinition(pass.def)
                .setPartition(partition)
                .build();
        pass.permits.acquireUninterruptibly();
        out.request(request, e -> {
            if (e != null) {
                pass.failure.compareAndSet(null, e);
            }
            pass.permits.release();
        });
        return runId;
    }

    /** Asks every run in flight to cancel (a run not seen yet may still be on its way: the command waits for it). */
    public long cancelRuns(BackfillState b, String reason) {
        for (String runId : b.inFlight().values()) {
            out.control(ControlCommand.newBuilder()
                    .setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(Instant.now())
                    .setTraceId("backfill-" + b.id()).setActor(b.canceledBy())
                    .setCommand(new CancelRun(reason, 30_000L))
                    .build());
        }
        out.flush();
        return b.inFlight().size();
    }

    public static BackfillEvent event(String backfillId, String traceId, Object payload) {
        return BackfillEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setBackfillId(backfillId)
                .setTimestamp(Instant.now())
                .setTraceId(traceId)
                .setPayload(payload)
                .build();
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }
}
