package dev.baton.gateway.internal.http;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;

/**
 * How a handler answers: blocking work (store reads, parsing, Kafka admin) on the worker, the body as JSON through
 * {@link Http} (after the audit record), any failure as the JSON error it stands for.
 */
final class Replies {
    private final WorkerExecutor worker;
    private final Http http;

    Replies(WorkerExecutor worker, Http http) {
        this.worker = worker;
        this.http = http;
    }

    Http http() {
        return http;
    }

    /** Runs {@code c} on the worker (unordered: calls of different requests do not wait for each other). */
    <T> Future<T> blocking(Callable<T> c) {
        return worker.executeBlocking(c, false);
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
