package dev.baton.sdk.testing;

import dev.baton.sdk.LineLogger;
import dev.baton.sdk.StepContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A {@link StepContext} for unit tests of handlers: set the inputs, call
 * {@link dev.baton.sdk.StepHandler#execute}, then assert on {@link #outputs()},
 * {@link #materializations()} and {@link #logLines()}.
 */
public final class RecordingStepContext implements StepContext {

    /** One recorded {@link #materialize} call. */
    public record Materialization(String assetKey, String partition, Map<String, Object> metadata, String dataVersion) {}

    private final Map<String, String> params = new HashMap<>();
    private final Map<String, Map<String, String>> inputs = new HashMap<>();
    private final Map<String, String> config = new HashMap<>();
    private final Map<String, String> outputs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> outputRefs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Materialization> materializations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean canceled = new AtomicBoolean();
    private final Logger log = new LineLogger("step", Level.DEBUG, (level, text) -> logLines.add(level + " " + text));
    private String job = "test-job";
    private String runId = "run-" + UUID.randomUUID();
    private String stepKey = "step";
    private int attempt = 1;
    private String attemptId = UUID.randomUUID().toString();
    private Path workDir;

    public RecordingStepContext param(String name, String value) { params.put(name, value); return this; }
    public RecordingStepContext input(String step, String name, String value) {
        inputs.computeIfAbsent(step, k -> new HashMap<>()).put(name, value);
        return this;
    }
    public RecordingStepContext config(String name, String value) { config.put(name, value); return this; }
    public RecordingStepContext job(String job) { this.job = job; return this; }
    public RecordingStepContext runId(String runId) { this.runId = runId; return this; }
    public RecordingStepContext stepKey(String stepKey) { this.stepKey = stepKey; return this; }
    public RecordingStepContext attempt(int attempt, String attemptId) { this.attempt = attempt; this.attemptId = attemptId; return this; }
    public RecordingStepContext workDir(Path dir) { this.workDir = dir; return this; }
    /** Simulates a cancel request. */
    public void cancel() { canceled.set(true); }

    public Map<String, String> outputs() { return Map.copyOf(outputs); }
    public Map<String, String> outputRefs() { return Map.copyOf(outputRefs); }
    public List<Materialization> materializations() { return List.copyOf(materializations); }
    /** Logged lines as {@code LEVEL text}. */
    public List<String> logLines() { return List.copyOf(logLines); }

    @Override public Map<String, String> params() { return Collections.unmodifiableMap(params); }
    @Override public Map<String, Map<String, String>> inputs() { return Collections.unmodifiableMap(inputs); }
    @Override public Map<String, String> config() { return Collections.unmodifiableMap(config); }
    @Override public String job() { return job; }
    @Override public String runId() { return runId; }
    @Override public String stepKey() { return stepKey; }
    @Override public int attempt() { return attempt; }
    @Override public String attemptId() { return attemptId; }

    @Override
    public synchronized Path workDir() {
        if (workDir == null) {
            try {
                workDir = Files.createTempDirectory("baton-step");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return workDir;
    }

    @Override public Logger log() { return log; }
    @Override public void output(String name, String value) { outputs.put(name, value); }
    @Override public void outputRef(String name, String uri) { outputRefs.put(name, uri); }

    @Override
    public void materialize(String assetKey, String partition, Map<String, Object> metadata, String dataVersion) {
        materializations.add(new Materialization(assetKey, partition,
                metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata)), dataVersion));
    }

    @Override public boolean isCanceled() { return canceled.get(); }
}
