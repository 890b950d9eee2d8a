package dev.baton.agent.internal;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** Succeeds at once with no outputs (tests and benchmarks). */
final class NoopRunner implements StepRunner {
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();

    @Override public String kind() { return "noop"; }

    @Override
    public OptionalLong start() {
        done.complete(Outcome.succeeded());
        return OptionalLong.empty();
    }

    @Override public CompletableFuture<Outcome> completion() { return done; }

    @Override public void terminate(Duration grace) {}
}
