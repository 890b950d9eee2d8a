package dev.baton.sdk;

import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;

/** What a {@link StepHandler} sees of its attempt, and how it reports results. */
public interface StepContext {

    /** The run's parameters (after defaults), by name; a forEach instance's leave out the list it maps over (docs/jobs.md). */
    Map<String, String> params();

    /** Outputs of upstream steps: step key → output name → value; a forEach instance's leave out the list it maps over. */
    Map<String, Map<String, String>> inputs();

    /** The action's {@code config} map from the job definition, templates resolved. */
    Map<String, String> config();

    String job();

    String runId();

    String stepKey();

    /** 1 for the first attempt, then 2, 3, … for retries. */
    int attempt();

    /**
     * Unique per attempt and stable across redeliveries of the same attempt: the idempotency key
     * for side effects (a step may run more than once for the same attempt id).
     */
    String attemptId();

    /** A scratch directory private to this attempt, deleted afterwards. */
    Path workDir();

    /**
     * A logger whose lines go to the attempt's log stream ({@code baton.logs}); {@code WARN} and
     * {@code ERROR} lines are marked as stderr, the others as stdout. Never log secrets.
     */
    Logger log();

    /** Sets an output (a small string) that downstream steps receive as inputs. */
    void output(String name, String value);

    /** Records a reference (URI) to a large result stored elsewhere; never the result itself. */
    void outputRef(String name, String uri);

    /**
     * Reports that this attempt materialized an asset. Metadata values may be {@link Number}s,
     * {@link Boolean}s, {@link String}s, {@link java.net.URI}/{@link java.net.URL}s, {@link Metadata#json}
     * and {@link Metadata#url} values; anything else is written as its JSON form.
     */
    default void materialize(String assetKey, Map<String, Object> metadata) {
        materialize(assetKey, null, metadata, null);
    }

    /** Materialization of one partition of a partitioned asset. */
    default void materialize(String assetKey, String partition, Map<String, Object> metadata) {
        materialize(assetKey, partition, metadata, null);
    }

    /**
     * Materialization with an explicit data version (for example a content hash); Baton derives one
     * when {@code dataVersion} is null.
     */
    void materialize(String assetKey, String partition, Map<String, Object> metadata, String dataVersion);

    /** True once the attempt was canceled or timed out; the handler thread is also interrupted. */
    boolean isCanceled();

    /** Throws {@link StepCanceledException} if the attempt was canceled; call it between units of work. */
    default void checkCanceled() {
        if (isCanceled()) {
            throw new StepCanceledException("attempt " + attemptId() + " was canceled");
        }
    }
}
