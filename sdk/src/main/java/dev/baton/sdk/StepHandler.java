package dev.baton.sdk;

/**
 * A step implemented in Java, run by an agent for {@code java} actions whose {@code handler} equals
 * {@link #name()}.
 *
 * <p>Register an implementation with {@link java.util.ServiceLoader}: list its class name in
 * {@code META-INF/services/dev.baton.sdk.StepHandler} and put the jar on the agent's classpath or in
 * its plugin directory. One instance serves every attempt, possibly several at once on different
 * threads, so keep per-attempt state in locals.
 *
 * <p>Outcome: returning normally succeeds with the outputs and materializations recorded on the
 * context; throwing fails the attempt. A {@link NonRetryableException} tells Baton not to retry;
 * any other exception (including {@link RetryableException}) leaves the decision to the step's retry
 * policy.
 */
public interface StepHandler {

    /** The name jobs refer to in {@code java: {handler: ...}}; unique per agent. */
    String name();

    /**
     * Runs one attempt. Steps run at least once: use {@link StepContext#attemptId()} as the
     * idempotency key for side effects. Stop promptly when the thread is interrupted or
     * {@link StepContext#isCanceled()} turns true.
     */
    void execute(StepContext ctx) throws Exception;
}
