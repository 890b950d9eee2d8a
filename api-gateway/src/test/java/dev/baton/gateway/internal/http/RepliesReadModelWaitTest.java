package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A call that finds the read model rebalancing waits for it instead of answering 503 at once, within a bound. */
class RepliesReadModelWaitTest {
    private final Vertx vertx = Vertx.vertx();
    private final WorkerExecutor worker = vertx.createSharedWorkerExecutor("replies-test", 2);

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void aCallThatFindsTheStoresMovingIsCalledAgainOnceTheReadModelRuns() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        AtomicInteger calls = new AtomicInteger();
        Replies replies = new Replies(worker, null, ready::get, 10_000);
        vertx.setTimer(300, id -> ready.set(true));
        String answer = replies.blocking(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("query", new InvalidStateStoreException("store runs is not ready: REBALANCING"));
            }
            return "answer";
        }).await(20, TimeUnit.SECONDS);
        assertThat(answer).isEqualTo("answer");
        assertThat(calls).hasValue(2);
    }

    @Test
    void theWaitIsBoundedAndOtherFailuresAreNotRepeated() {
        AtomicInteger calls = new AtomicInteger();
        Replies replies = new Replies(worker, null, () -> false, 100);
        assertThatThrownBy(() -> replies.blocking(() -> {
            calls.incrementAndGet();
            throw new InvalidStateStoreException("store runs is not ready");
        }).await(20, TimeUnit.SECONDS)).isInstanceOf(InvalidStateStoreException.class);
        assertThat(calls).as("not ready within the wait: answered (503) without a second call").hasValue(1);

        AtomicInteger other = new AtomicInteger();
        Replies waiting = new Replies(worker, null, () -> true, 10_000);
        assertThatThrownBy(() -> waiting.blocking(() -> {
            other.incrementAndGet();
            throw ApiError.notFound("no job named 'x' is registered");
        }).await(20, TimeUnit.SECONDS)).hasMessageContaining("no job named");
        assertThat(other).hasValue(1);
    }
}
