package dev.baton.agent.internal;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one attempt of one step kind. The {@link Execution} drives it: {@link #start()}, then waits
 * for {@link #completion()}, a cancel or the step's timeout; on cancel or timeout it calls
 * {@link #terminate(Duration)}.
 */
public interface StepRunner {

    /** Step kind for metrics and logs: run, http, java, noop, sleep. */
    String kind();

    /**
     * Starts the work and returns at once; the pid when a process was spawned. Throws when the
     * step cannot start at all (its result is then reported as a failure).
     */
    OptionalLong start() throws Exception;

    /** Completes with the result once the work ended by itself (or after {@link #terminate}). */
    CompletableFuture<Outcome> completion();

    /**
     * Stops the work: asks politely (SIGTERM, interrupt), waits up to {@code grace}, then forces it
     * (SIGKILL of the whole process tree). Returns when the work is gone or could not be stopped.
     */
    void terminate(Duration grace);

    /** Releases files and other resources after the attempt, whatever happened. */
    default void cleanUp() {}
}
