package dev.baton.gateway.internal.http;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * How a handler answers: blocking work (store reads, parsing, Kafka admin) on the worker, the body as JSON through
 * {@link Http} (after the audit record), any failure as the JSON error it stands for.
 */
final class Replies {
    private static final long READY_POLL_MS = 20;
    private final WorkerExecutor worker;
    private final Http http;
    private final BooleanSupplier readModelReady;
    private final long readModelWaitMs;

    Replies(WorkerExecutor worker, Http http) {
        this(worker, http, () -> true, 0);
    }

    /**
     * {@code readModelReady} and {@code readModelWaitMs}: a call that fails because the read model's stores are not
     * queryable (its Streams client rebalances) waits up to that long for it to run again and is then called once more,
     * so a rebalance of a second or two is not a 503 for every client. Calls are queries, or writes keyed so that a
     * second call is a duplicate (backfill ids, run keys): a call that wrote and then failed on a store is safe to repeat.
     */
    Replies(WorkerExecutor worker, Http http, BooleanSupplier readModelReady, long readModelWaitMs) {
        this.worker = worker;
        this.http = http;
        this.readModelReady = readModelReady;
        this.readModelWaitMs = readModelWaitMs;
    }

    Http http() {
        return http;
    }

    /** Runs {@code c} on the worker (unordered: calls of different requests do not wait for each other). */
    <T> Future<T> blocking(Callable<T> c) {
        return worker.executeBlocking(() -> {
            try {
                return c.call();
            } catch (Exception e) {
                if (readModelWaitMs <= 0 || !storesUnavailable(e) || !awaitReadModel()) {
                    throw e;
                }
                return c.call();
            }
        }, false);
    }

    static boolean storesUnavailable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InvalidStateStoreException) {
                return true;
            }
        }
        return false;
    }

    /** Waits (on the worker) until the read model runs again; false when it did not within the wait. */
    private boolean awaitReadModel() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readModelWaitMs);
        while (!readModelReady.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(READY_POLL_MS);
        }
        return true;
    }

    /** Answers with the error {@code work} fails with; on success {@code work} has answered itself. */
    void reply(RoutingContext ctx, Future<?> work) {
        work.onFailure(e -> http.fail(ctx, e));
    }

    /** Computes the body on the worker and answers 200 with it (or the error). */
    void ok(RoutingContext ctx, Callable<?> body) {
        reply(ctx, blocking(body).map(b -> {
            http.json(ctx, 200, b);
            return null;
        }));
    }
}
