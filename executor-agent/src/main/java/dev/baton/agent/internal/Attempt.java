package dev.baton.agent.internal;

import dev.baton.events.ExecuteStep;
import dev.baton.events.StepCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** One attempt as the step runners see it: the command, its log stream, its scratch directory, limits. */
public final class Attempt {
    private final StepCommand command;
    private final ExecuteStep execute;
    private final LogShipper.AttemptLog log;
    private final Path workRoot;
    private final int outputMaxBytes;
    private final AtomicBoolean canceled = new AtomicBoolean();
    private Path workDir;
    private volatile Redactor redactor = Redactor.NONE;
    private volatile dev.baton.platform.tracing.TraceContext trace;

    public Attempt(StepCommand command, ExecuteStep execute, LogShipper.AttemptLog log, Path workRoot, int outputMaxBytes) {
        this.command = command;
        this.execute = execute;
        this.log = log;
        this.workRoot = workRoot;
        this.outputMaxBytes = outputMaxBytes;
    }

    public StepCommand command() { return command; }
    public ExecuteStep execute() { return execute; }
    public LogShipper.AttemptLog log() { return log; }
    public String runId() { return command.getRunId(); }
    public String stepKey() { return command.getStepKey(); }
    public int attempt() { return command.getAttempt(); }
    public String attemptId() { return command.getAttemptId(); }
    public String job() { return execute.getJob(); }
    public Map<String, String> params() { return execute.getParams(); }
    public Map<String, Map<String, String>> inputs() { return execute.getInputs(); }
    public int outputMaxBytes() { return outputMaxBytes; }

    /** Masks the values of the attempt's secrets; {@link Redactor#NONE} until secrets were resolved. */
    public Redactor redactor() { return redactor; }

    /** From now on, the attempt's log lines and reports mask these secret values. */
    void redactWith(Redactor r) {
        this.redactor = r;
        log.redactWith(r);
    }

    /** The W3C context the step's process joins ({@code TRACEPARENT}); null when the command carried none. */
    public dev.baton.platform.tracing.TraceContext trace() { return trace; }

    void traceWith(dev.baton.platform.tracing.TraceContext t) {
        this.trace = t;
    }

    /** Set when the attempt is being canceled or timed out; runners check it to stop early. */
    public AtomicBoolean canceled() { return canceled; }

    /** The attempt's private scratch directory, created on first use and deleted by {@link #deleteWorkDir()}. */
    public synchronized Path workDir() {
        if (workDir == null) {
            Path dir = workRoot.resolve(safe(command.getAttemptId()));
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the work directory " + dir + ": " + e.getMessage(), e);
            }
            workDir = dir;
        }
        return workDir;
    }

    public synchronized void deleteWorkDir() {
        if (workDir == null) {
            return;
        }
        try (var paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a step may have left files it cannot delete
        }
        workDir = null;
    }

    /** Checks the combined size of outputs and references against {@code agent.output.max.bytes}. */
    public Optional<Outcome.Failed> checkOutputSize(Map<String, String> outputs, Map<String, String> refs) {
        long size = OutputFile.size(outputs) + OutputFile.size(refs);
        if (size > outputMaxBytes) {
            return Optional.of(Outcome.userError("Step outputs are " + size + " bytes, more than the limit of " + outputMaxBytes
                    + " bytes (agent.output.max.bytes). Store large results elsewhere and pass a reference.", null, false));
        }
        return Optional.empty();
    }

    private static String safe(String s) {
        String cleaned = s.replaceAll("[^a-zA-Z0-9._-]", "_");
        return cleaned.isEmpty() || cleaned.startsWith(".") ? "a" + cleaned : cleaned;
    }
}
