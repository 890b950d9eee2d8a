package dev.baton.agent.internal;

import dev.baton.events.ErrorClass;
import dev.baton.events.RunningStep;
import dev.baton.events.StepCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one attempt on this agent: start the runner, report started, then acknowledge the
 * command (from here on the coordinator watches the heartbeats), heartbeat, wait for the result, a
 * cancel or the timeout, and report the result.
 */
public final class Execution {
    private static final Logger log = LoggerFactory.getLogger(Execution.class);
    /** How long a report may take before the agent gives up on it. */
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(60);
    /** After SIGKILL (or interrupt) of a canceled step, how long to wait for its runner to finish. */
    private static final Duration AFTER_TERMINATE = Duration.ofSeconds(5);

    /** Why and how to stop a running attempt. */
    public record StopRequest(ErrorClass errorClass, boolean retryable, String message, Duration grace) {}

    private final AgentRuntime runtime;
    private final Attempt attempt;
    private final long recordTimestamp;
    private final Consumer<AcknowledgeType> ack;
    private final CompletableFuture<StopRequest> stop = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile Instant startedAt;
    private volatile String kind = "unknown";
    private boolean reportedTerminal;
    private volatile boolean acked;
    private volatile StepCommand reportCommand;

    Execution(AgentRuntime runtime, Attempt attempt, long recordTimestamp, Consumer<AcknowledgeType> ack) {
        this.runtime = runtime;
        this.attempt = attempt;
        this.recordTimestamp = recordTimestamp;
        this.ack = ack;
    }

    public StepCommand command() { return attempt.command(); }
    public String attemptId() { return attempt.attemptId(); }
    /** Completes when the attempt's final report was written (or given up on). */
    public CompletableFuture<Void> finished() { return finished; }

    /** Asks the attempt to stop; the first request wins. */
    public void stop(StopRequest request) {
        stop.complete(request);
    }

    public RunningStep runningStep() {
        Instant at = startedAt;
        return new RunningStep(attempt.runId(), attempt.stepKey(), attempt.attempt(), attempt.attemptId(),
                at == null ? Instant.now() : at);
    }

    void run() {
        try {
            execute();
        } catch (RuntimeException | Error e) {
            log.error("Attempt {} failed inside the agent", attempt.attemptId(), e);
            if (!acked) {
                ack.accept(AcknowledgeType.RELEASE);
                runtime.released(this);
            } else {
                runtime.completed(this);
            }
            finished.complete(null);
            if (e instanceof VirtualMachineError vme && !(vme instanceof StackOverflowError)) {
                // Out of memory (or a broken JVM) is not this attempt's problem: the whole agent is unreliable now.
                runtime.fatal("attempt " + attempt.attemptId() + " (thread " + Thread.currentThread().getName() + ")", vme);
                throw vme;
            }
        }
    }

    private void execute() {
        AttemptSpan span = AttemptSpan.start(attempt.command(), attempt.job(), runtime.config().agentId(),
                runtime.config().region());
        attempt.traceWith(span.context());
        reportCommand = span.forReports(attempt.command());
        try {
            execute(span);
        } catch (RuntimeException | Error e) {
            span.end("ERROR", "agent error: " + e);
            throw e;
        }
    }

    private void execute(AttemptSpan span) {
        long t0 = System.nanoTime();
        StepRunner runner = null;
        OptionalLong pid = OptionalLong.empty();
        Outcome.Failed early = null;
        try {
            runner = runtime.runner(attempt);
            kind = runner.kind();
            pid = runner.start();
        } catch (StepStartException e) {
            early = e.outcome();
        } catch (Exception e) {
            early = Outcome.infrastructure("the agent could not start the step: " + e.getMessage(), true);
        }
        startedAt = Instant.now();
        span.started(startedAt);
        runtime.metrics().dispatchToStart(Duration.ofMillis(startedAt.toEpochMilli() - recordTimestamp));
        if (early != null) {
            attempt.log().system("Could not start: " + early.message());
        }
        try {
            runtime.reports().started(reportCommand, pid).get(REPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Nobody knows this attempt started: stop it and let the broker hand the command out again.
            log.error("Could not report the start of attempt {}; releasing its command: {}", attempt.attemptId(), e.toString());
            if (runner != null) {
                attempt.canceled().set(true);
                runner.terminate(Duration.ZERO);
            }
            acked = true;
            ack.accept(AcknowledgeType.RELEASE);
            attempt.log().close();
            cleanUp(runner);
            span.end("RELEASED", "could not report the start: " + e);
            runtime.released(this);
            finished.complete(null);
            return;
        }
        acked = true;
        ack.accept(AcknowledgeType.ACCEPT);

        ScheduledFuture<?> heartbeat = runtime.scheduleHeartbeats(this, heartbeatInterval());
        // Secret values never leave the agent: not in outputs, materializations or error messages.
        Outcome outcome = attempt.redactor().redact(early != null ? early : await(runner));
        Duration duration = Duration.ofNanos(System.nanoTime() - t0);
        heartbeat.cancel(false);
        if (outcome instanceof Outcome.Failed f) {
            attempt.log().system("Failed (" + f.errorClass() + (f.retryable() ? ", retryable" : "") + "): " + f.message());
        }
        attempt.log().close(); // the logs are complete before the final report goes out
        try {
            CompletableFuture<?> sent;
            synchronized (this) {
                reportedTerminal = true;
                sent = runtime.reports().finished(reportCommand, outcome, duration);
            }
            sent.get(REPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // The heartbeats stop, so the coordinator declares the attempt lost and retries it per policy.
            log.error("Could not report the result of attempt {}: {}", attempt.attemptId(), e.toString());
        }
        span.end(outcome.label().toUpperCase(java.util.Locale.ROOT),
                outcome instanceof Outcome.Failed f ? f.errorClass() + ": " + f.message() : null);
        runtime.metrics().stepFinished(kind, outcome.label(), duration);
        if (outcome instanceof Outcome.Failed f) {
            runtime.metrics().failure(f.errorClass());
        }
        cleanUp(runner);
        runtime.completed(this);
        finished.complete(null);
    }

    /** Sends a heartbeat unless the final report was already sent (keeps heartbeats before it). */
    synchronized void heartbeat() {
        if (!reportedTerminal) {
            StepCommand cmd = reportCommand;
            runtime.reports().heartbeat(cmd != null ? cmd : attempt.command()).exceptionally(e -> {
                log.warn("Heartbeat of attempt {} failed: {}", attempt.attemptId(), e.toString());
                return null;
            });
        }
    }

    private Duration heartbeatInterval() {
        long fromCommand = attempt.execute().getHeartbeatIntervalMs();
        long max = runtime.config().heartbeatInterval().toMillis();
        return Duration.ofMillis(fromCommand > 0 ? Math.min(fromCommand, max) : max);
    }

    private Outcome await(StepRunner runner) {
        CompletableFuture<Outcome> done = runner.completion();
        Long timeoutMs = attempt.execute().getTimeoutMs();
        try {
            CompletableFuture<Object> any = CompletableFuture.anyOf(done, stop);
            if (timeoutMs != null && timeoutMs > 0) {
                any.get(timeoutMs, TimeUnit.MILLISECONDS);
            } else {
                any.get();
            }
        } catch (TimeoutException e) {
            if (!done.isDone()) {
                attempt.canceled().set(true);
                attempt.log().system("Timed out after " + timeoutMs + " ms; stopping the step");
                runner.terminate(runtime.config().cancelGraceMax());
                awaitQuietly(done);
                return new Outcome.Failed(ErrorClass.TIMEOUT, "timed out after " + timeoutMs + " ms", null, true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(new StopRequest(ErrorClass.INFRASTRUCTURE, true, "agent interrupted", Duration.ZERO));
        } catch (Exception e) {
            return Outcome.infrastructure("agent error while waiting for the step: " + e, true);
        }
        if (done.isDone()) {
            return done.join();
        }
        StopRequest r = stop.join();
        attempt.canceled().set(true);
        attempt.log().system(r.message() + "; stopping the step (grace " + r.grace().toMillis() + " ms)");
        runner.terminate(r.grace());
        awaitQuietly(done);
        return new Outcome.Failed(r.errorClass(), r.message(), null, r.retryable());
    }

    private static void awaitQuietly(CompletableFuture<Outcome> done) {
        try {
            done.get(AFTER_TERMINATE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // reported anyway; a Java handler that ignores interrupts keeps its thread
        }
    }

    private void cleanUp(StepRunner runner) {
        try {
            if (runner != null) {
                runner.cleanUp();
            }
        } catch (RuntimeException e) {
            log.warn("Clean-up of attempt {}: {}", attempt.attemptId(), e.toString());
        }
        attempt.deleteWorkDir();
    }
}
