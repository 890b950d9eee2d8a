package dev.baton.gateway.internal.backfills;

import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.kafka.EventProducer;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.jobs.PartitionSet;
import dev.baton.platform.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces the run requests of backfills, one per partition, on a thread of its own (never an event loop or the
 * shared worker pool). It walks the partitions lazily with at most {@link #IN_FLIGHT} requests unacknowledged, so a
 * 50,000-partition backfill costs the memory of a few hundred requests, and the HTTP request that started it has
 * long been answered.
 *
 * <p>Exactly one run per partition: each request has the run key {@code backfill:<id>:<partition>}, hence a run id
 * derived from it, and the coordinator turns every repeated request for that id into a recorded duplicate. So a
 * submission can always start again from the first partition: after a retried HTTP request, after this gateway was
 * restarted mid-way ({@link #resume} picks up every backfill still {@code SUBMITTING}), or when two gateways submit
 * the same backfill at once.
 */
public final class BackfillSubmitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackfillSubmitter.class);
    /** Unacknowledged run requests at most, per backfill submission: bounds memory whatever the backfill's size. */
    public static final int IN_FLIGHT = 256;
    /** Partitions between two looks at the backfill's record (a cancel from another gateway stops the submission). */
    static final int CHECK_EVERY = 500;
    /** How often a throttled submission looks whether one of its runs finished (a background thread, not a request). */
    static final long THROTTLE_POLL_MS = 200;

    private final Topics topics;
    private final EventProducer producer;
    private final ReadModel readModel;
    private final Function<Backfill, JobDefinition> definitions;
    // One thread per backfill being submitted: a throttled backfill must not hold the others back.
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "baton-backfill-submitter");
        t.setDaemon(true);
        return t;
    });
    /** Backfills this process is submitting or has queued, so a resume pass does not queue them twice. */
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    /** Backfills canceled through this process, seen before the read model shows the cancel. */
    private final Set<String> canceled = ConcurrentHashMap.newKeySet();

    /** @param definitions the job version a backfill runs (decoded from the read model) */
    public BackfillSubmitter(Topics topics, EventProducer producer, ReadModel readModel,
                             Function<Backfill, JobDefinition> definitions) {
        this.topics = topics;
        this.producer = producer;
        this.readModel = readModel;
        this.definitions = definitions;
    }

    /** Writes the backfill's record and waits for the acknowledgement (blocking). */
    public void write(Backfill b) {
        try {
            producer.kafkaProducer().send(new ProducerRecord<>(topics.backfills(), b.id(), Json.bytes(b))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write backfill " + b.id() + ": " + e.getMessage(), e);
        }
    }

    /** Queues the submission of a backfill unless this process already has it queued or running. */
    public void submit(Backfill b, String requestedBy, String traceId) {
        if (active.add(b.id())) {
            executor.execute(() -> {
                try {
                    run(b, requestedBy, traceId);
                } catch (RuntimeException e) {
                    log.warn("Backfill {} submission stopped; a later resume pass starts it again: {}", b.id(), e.toString());
                } finally {
                    active.remove(b.id());
                }
            });
        }
    }

    public void markCanceled(String id) {
        canceled.add(id);
    }

    /** Queues every backfill the read model shows as still submitting (after a restart, or a failed submission). */
    public void resume() {
        for (byte[] bytes : readModel.backfills()) {
            Backfill b;
            try {
                b = Json.read(bytes, Backfill.class);
            } catch (RuntimeException e) {
                continue; // not a record this gateway can read (written by a newer one): leave it alone
            }
            if (Backfill.SUBMITTING.equals(b.status())) {
                submit(b, b.requestedBy(), "backfill-resume-" + b.id());
            }
        }
    }

    private boolean isCanceled(String id) {
        if (canceled.contains(id)) {
            return true;
        }
        byte[] now = readModel.backfill(id);
        return now != null && Backfill.CANCELED.equals(Json.read(now, Backfill.class).status());
    }

    private void run(Backfill b, String requestedBy, String traceId) {
        JobDefinition def = definitions.apply(b);
        PartitionSet set = PartitionSet.of(def.getPartitions());
        Semaphore permits = new Semaphore(IN_FLIGHT);
        AtomicReference<Exception> failure = new AtomicReference<>();
        // Run ids requested and maybe not finished, when throttled: at most maxConcurrent of them.
        java.util.ArrayDeque<String> window = new java.util.ArrayDeque<>();
        long n = 0;
        for (Iterator<String> it = b.keys(set); it.hasNext(); n++) {
            if (n % CHECK_EVERY == 0 && isCanceled(b.id())) {
                log.info("Backfill {} canceled after {} of {} run requests", b.id(), n, b.count());
                return;
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a run request failed", failure.get());
            }
            String partition = it.next();
            String runKey = Backfill.runKey(b.id(), partition);
            String runId = b.runId(partition);
            if (b.maxConcurrent() != null && !throttle(b, window)) {
                log.info("Backfill {} canceled after {} of {} run requests", b.id(), n, b.count());
                return;
            }
            RunRequest request = RunRequest.newBuilder()
                    .setEventId(UUID.nameUUIDFromBytes((runId + "/" + traceId).getBytes(StandardCharsets.UTF_8)).toString())
                    .setRunId(runId)
                    .setTimestamp(Instant.now())
                    .setTraceId(traceId)
                    .setJob(b.job())
                    .setRunKey(runKey)
                    .setParams(Map.copyOf(b.params()))
                    .setTags(Map.of(Backfill.TAG, b.id()))
                    .setOrigin(Origin.API)
                    .setRequestedBy(requestedBy)
                    .setDefinition(def)
                    .setPartition(partition)
                    .build();
            byte[] bytes = producer.serialize(topics.runRequests(), request);
            permits.acquireUninterruptibly();
            if (b.maxConcurrent() != null) {
                window.add(runId);
            }
            producer.kafkaProducer().send(new ProducerRecord<>(topics.runRequests(), runId, bytes), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                permits.release();
            });
        }
        permits.acquireUninterruptibly(IN_FLIGHT); // every request acknowledged
        if (failure.get() != null) {
            throw new IllegalStateException("a run request failed", failure.get());
        }
        if (!isCanceled(b.id())) {
            write(b.withStatus(Backfill.SUBMITTED, System.currentTimeMillis()));
        }
        log.info("Backfill {} of job {}: {} run requests submitted", b.id(), b.job(), n);
    }

    /**
     * Waits until fewer than {@code maxConcurrent} of the runs in the window are unfinished in the read model (a run
     * not shown yet counts as unfinished). False when the backfill was canceled meanwhile.
     */
    private boolean throttle(Backfill b, java.util.ArrayDeque<String> window) {
        while (true) {
            window.removeIf(id -> readModel.run(id).map(v -> v.finished()).orElse(false));
            if (window.size() < b.maxConcurrent()) {
                return true;
            }
            if (isCanceled(b.id())) {
                return false;
            }
            try {
                Thread.sleep(THROTTLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
