package dev.baton.agent.internal;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Succeeds after the given duration, or stops at once when canceled (tests and benchmarks). */
final class SleepRunner implements StepRunner {
    private final long durationMs;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private volatile ScheduledFuture<?> task;

    SleepRunner(long durationMs, ScheduledExecutorService timer) {
        this.durationMs = Math.max(0, durationMs);
        this.timer = timer;
    }

    @Override public String kind() { return "sleep"; }

    @Override
    public OptionalLong start() {
        task = timer.schedule(() -> done.complete(Outcome.succeeded()), durationMs, TimeUnit.MILLISECONDS);
        return OptionalLong.empty();
    }

    @Override public CompletableFuture<Outcome> completion() { return done; }

    @Override
    public void terminate(Duration grace) {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

}
