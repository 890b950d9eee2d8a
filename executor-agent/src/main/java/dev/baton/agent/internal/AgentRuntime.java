package dev.baton.agent.internal;

import dev.baton.agent.AgentConfig;
import dev.baton.events.ErrorClass;
import dev.baton.events.ExecuteStep;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.RunningStep;
import dev.baton.events.SleepAction;
import dev.baton.events.StepCommand;
import dev.baton.platform.secrets.SecretProviders;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent's loops share: slots, running attempts, recently finished and canceled attempt
 * ids, the report and log writers, the timer and the step runners.
 */
public final class AgentRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private final AgentConfig config;
    private final Reports reports;
    private final LogShipper logs;
    private final AgentMetrics metrics;
    private final HandlerRegistry handlers;
    private final Semaphore slots;
    private final ConcurrentHashMap<String, Execution> running = new ConcurrentHashMap<>();
    private final RecentAttempts recent = new RecentAttempts(100_000, Duration.ofHours(6), Clock.systemUTC());
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService logFlusher;
    /** The periodic log flush while an attempt's log is open; read and written under the log shipper's open lock only. */
    private java.util.concurrent.ScheduledFuture<?> flushing;
    private final HttpClient http;
    private final ActionSecrets secrets;
    /** Why the agent cannot go on (an OutOfMemoryError or other Error in one of its threads), or null. */
    private volatile String fatal;

    public AgentRuntime(AgentConfig config, Reports reports, LogShipper logs, AgentMetrics metrics,
                        HandlerRegistry handlers, Semaphore slots, SecretProviders secretProviders) {
        this.config = config;
        this.secrets = new ActionSecrets(secretProviders, metrics, config.secretsMissingRetryable());
        this.reports = reports;
        this.logs = logs;
        this.metrics = metrics;
        this.handlers = handlers;
        this.slots = slots;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-agent-timer-" + config.agentId());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        // Log flushes get their own thread: a send blocked by backpressure must not delay heartbeats.
        this.logFlusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-agent-logs-" + config.agentId());
            t.setDaemon(true);
            return t;
        });
        long flush = config.logFlushInterval().toMillis();
        // Only while an attempt's log is open: at rest the flush thread does not wake (docs/benchmarks.md, idle, a seventh look).
        logs.whileAnyOpen(() -> {
            try {
                flushing = logFlusher.scheduleAtFixedRate(safely("log flush", logs::flushAll), flush, flush, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                flushing = null; // the runtime is closing: each log's close sends what it holds
            }
        }, () -> {
            if (flushing != null) {
                flushing.cancel(false);
                flushing = null;
            }
        });
    }

    public AgentConfig config() { return config; }
    public Reports reports() { return reports; }
    public AgentMetrics metrics() { return metrics; }
    public ScheduledExecutorService timer() { return timer; }
    public Semaphore slots() { return slots; }

    /**
     * Takes one command that holds a slot. Returns the acknowledgement to apply now, or empty when
     * the attempt was started and {@code ack} will be called from its thread later.
     */
    public Optional<AcknowledgeType> dispatch(StepCommand cmd, ExecuteStep exec, long recordTimestamp,
                                              Consumer<AcknowledgeType> ack) throws Exception {
        String id = cmd.getAttemptId();
        RecentAttempts.Fate fate = recent.get(id);
        if (fate == RecentAttempts.Fate.CANCELED && !running.containsKey(id)) {
            log.info("Attempt {} of run {} was canceled before it started; reporting it canceled", id, cmd.getRunId());
            try {
                reports.finished(cmd, new Outcome.Failed(ErrorClass.CANCELED, "canceled before it started", null, false),
                        Duration.ZERO).get(60, TimeUnit.SECONDS);
            } finally {
                slots.release();
            }
            metrics.failure(ErrorClass.CANCELED);
            return Optional.of(AcknowledgeType.ACCEPT);
        }
        if (fate != null || running.containsKey(id)) {
            // A redelivery of an attempt this agent runs or ran: its reports are (being) written already.
            log.info("Attempt {} of run {} is already {} here; acknowledging the duplicate command", id, cmd.getRunId(),
                    running.containsKey(id) ? "running" : "done");
            slots.release();
            return Optional.of(AcknowledgeType.ACCEPT);
        }
        Attempt attempt = new Attempt(cmd, exec, logs.open(cmd), config.workDir(), config.outputMaxBytes());
        Execution e = new Execution(this, attempt, recordTimestamp, ack);
        running.put(id, e);
        Thread.ofVirtual().name("attempt-" + id).start(e::run);
        return Optional.empty();
    }

    /** Resolves the action's secrets (from now on the attempt masks their values) and builds its runner. */
    StepRunner runner(Attempt attempt) throws StepStartException {
        ActionSecrets.Resolved resolved = secrets.resolve(attempt.execute().getAction());
        attempt.redactWith(resolved.redactor());
        Object action = resolved.action();
        return switch (action) {
            case NoopAction n -> new NoopRunner();
            case SleepAction s -> new SleepRunner(s.getDurationMs(), timer);
            case RunAction r -> new ProcessRunner(attempt, r, config.inheritEnv());
            case HttpAction h -> new HttpRunner(attempt, h, http, attempt.execute().getTimeoutMs(),
                    () -> metrics.credentialFailure("http", "denied"));
            case JavaAction j -> handlers.get(j.getHandler())
                    .map(h -> (StepRunner) new JavaRunner(attempt, j, h))
                    .orElseThrow(() -> new StepStartException(Outcome.infrastructure("no StepHandler named '" + j.getHandler()
                            + "' on agent " + config.agentId() + " (it has " + handlers.names() + ")", true)));
            default -> throw new StepStartException(Outcome.infrastructure(
                    "unsupported action " + (action == null ? "null" : action.getClass().getSimpleName()), false));
        };
    }

    ScheduledFuture<?> scheduleHeartbeats(Execution e, Duration interval) {
        long ms = interval.toMillis();
        return timer.scheduleAtFixedRate(safely("heartbeat", e::heartbeat), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} every {@code interval} on the agent's timer. */
    public ScheduledFuture<?> every(Duration interval, String what, Runnable task) {
        long ms = interval.toMillis();
        return timer.scheduleAtFixedRate(safely(what, task), ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * A periodic task that throws is cancelled by its executor: log instead, and keep it scheduled. An Error (out of
     * memory, a linkage error) would silently end heartbeats or the registration: the agent reports DOWN instead.
     */
    private Runnable safely(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("Periodic {} failed: {}", what, e.toString());
            } catch (Error e) {
                fatal("periodic " + what + " (thread " + Thread.currentThread().getName() + ") failed", e);
                throw e;
            }
        };
    }

    /** Records an error the agent cannot recover from; {@link #fatal()} makes its health DOWN. The first one wins. */
    void fatal(String where, Throwable e) {
        log.error("{}: the agent cannot go on and reports DOWN", where, e);
        if (fatal == null) {
            fatal = where + ": " + e;
        }
    }

    /** Why the agent cannot go on, or null. */
    public String fatal() {
        return fatal;
    }

    /** A started attempt whose start could not be reported: its command goes back to the broker. */
    void released(Execution e) {
        if (running.remove(e.attemptId(), e)) {
            slots.release();
        }
    }

    void completed(Execution e) {
        recent.record(e.attemptId(), RecentAttempts.Fate.FINISHED);
        if (running.remove(e.attemptId(), e)) {
            slots.release();
        }
    }

    /** A cancel from the control topic: stop the attempt if it runs here, and remember it either way. */
    public void cancel(StepCommand cmd, String reason, long graceMs) {
        recent.record(cmd.getAttemptId(), RecentAttempts.Fate.CANCELED);
        Execution e = running.get(cmd.getAttemptId());
        if (e != null) {
            long grace = Math.min(Math.max(0, graceMs), config.cancelGraceMax().toMillis());
            log.info("Canceling attempt {} of run {} (grace {} ms)", cmd.getAttemptId(), cmd.getRunId(), grace);
            e.stop(new Execution.StopRequest(ErrorClass.CANCELED, false,
                    "canceled" + (reason == null || reason.isBlank() ? "" : ": " + reason), Duration.ofMillis(grace)));
        }
    }

    public int runningCount() {
        return running.size();
    }

    public Collection<Execution> running() {
        return List.copyOf(running.values());
    }

    public List<RunningStep> runningSteps() {
        return running.values().stream().map(Execution::runningStep).toList();
    }

    /** Waits until no attempt runs, at most {@code timeout}; true when none runs. */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Execution> now = List.copyOf(running.values());
            if (now.isEmpty()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                CompletableFuture.allOf(now.stream().map(Execution::finished).toArray(CompletableFuture[]::new))
                        .get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return running.isEmpty();
            } catch (Exception timeoutOrFailure) {
                // loop: re-check the deadline and the set of running attempts
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        logFlusher.shutdownNow();
        http.close();
    }
}
