package dev.baton.agent.internal;

import dev.baton.events.JavaAction;
import dev.baton.events.LogStream;
import dev.baton.events.MaterializationReport;
import dev.baton.sdk.LineLogger;
import dev.baton.sdk.NonRetryableException;
import dev.baton.sdk.StepCanceledException;
import dev.baton.sdk.StepContext;
import dev.baton.sdk.StepHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * {@code java} steps: calls a {@link StepHandler} on its own virtual thread. Cancel and timeout set
 * the context's canceled flag and interrupt the thread; a handler that ignores both keeps its thread
 * (Java cannot kill it) but the attempt is reported anyway.
 */
final class JavaRunner implements StepRunner {
    private final Attempt attempt;
    private final JavaAction action;
    private final StepHandler handler;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private final Map<String, String> outputs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> outputRefs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<MaterializationReport> materializations = Collections.synchronizedList(new ArrayList<>());
    private volatile Thread thread;

    JavaRunner(Attempt attempt, JavaAction action, StepHandler handler) {
        this.attempt = attempt;
        this.action = action;
        this.handler = handler;
    }

    @Override public String kind() { return "java"; }

    @Override public CompletableFuture<Outcome> completion() { return done; }

    @Override
    public OptionalLong start() {
        thread = Thread.ofVirtual().name("step-" + attempt.attemptId()).start(this::call);
        return OptionalLong.empty();
    }

    private void call() {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(handler.getClass().getClassLoader());
        try {
            handler.execute(new Context());
            var tooLarge = attempt.checkOutputSize(Map.copyOf(outputs), Map.copyOf(outputRefs));
            done.complete(tooLarge.isPresent() ? tooLarge.get()
                    : new Outcome.Succeeded(Map.copyOf(outputs), Map.copyOf(outputRefs), List.copyOf(materializations)));
        } catch (NonRetryableException e) {
            logFailure(e);
            done.complete(Outcome.userError(message(e), null, false));
        } catch (InterruptedException | StepCanceledException e) {
            done.complete(attempt.canceled().get()
                    ? Outcome.userError("canceled", null, false) // replaced by the canceling party's outcome
                    : failed(e));
        } catch (Throwable e) { // a handler's Error (say OutOfMemoryError in its own code) fails its step, not the agent
            done.complete(failed(e));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private Outcome failed(Throwable e) {
        logFailure(e);
        return Outcome.userError(message(e), null, true);
    }

    private void logFailure(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        for (String line : w.toString().split("\\R")) {
            attempt.log().append(LogStream.STDERR, line);
        }
    }

    private static String message(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public void terminate(Duration grace) {
        Thread t = thread;
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Context implements StepContext {
        private final Logger logger = new LineLogger(handler.name(), Level.INFO, (level, text) -> {
            LogStream stream = level == Level.WARN || level == Level.ERROR ? LogStream.STDERR : LogStream.STDOUT;
            for (String line : text.split("\\R", -1)) {
                attempt.log().append(stream, line);
            }
        });

        @Override public Map<String, String> params() { return Collections.unmodifiableMap(attempt.params()); }
        @Override public Map<String, Map<String, String>> inputs() { return Collections.unmodifiableMap(attempt.inputs()); }
        @Override public Map<String, String> config() { return Collections.unmodifiableMap(action.getConfig()); }
        @Override public String job() { return attempt.job(); }
        @Override public String runId() { return attempt.runId(); }
        @Override public String stepKey() { return attempt.stepKey(); }
        @Override public int attempt() { return attempt.attempt(); }
        @Override public String attemptId() { return attempt.attemptId(); }
        @Override public Path workDir() { return attempt.workDir(); }
        @Override public Logger log() { return logger; }

        @Override
        public void output(String name, String value) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("output name must not be empty");
            }
            outputs.put(name, value == null ? "" : value);
        }

        @Override
        public void outputRef(String name, String uri) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("output name must not be empty");
            }
            outputRefs.put(name, uri);
        }

        @Override
        public void materialize(String assetKey, String partition, Map<String, Object> metadata, String dataVersion) {
            materializations.add(Materializations.of(assetKey, partition, metadata, dataVersion));
        }

        @Override public boolean isCanceled() { return attempt.canceled().get(); }
    }
}
