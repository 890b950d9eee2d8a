package dev.baton.agent.internal;

import dev.baton.events.ErrorClass;
import dev.baton.events.MaterializationReport;
import java.util.List;
import java.util.Map;

/** How an attempt ended, as the agent reports it. */
public sealed interface Outcome {

    record Succeeded(Map<String, String> outputs, Map<String, String> outputRefs,
                     List<MaterializationReport> materializations) implements Outcome {
        public Succeeded {
            outputs = Map.copyOf(outputs);
            outputRefs = Map.copyOf(outputRefs);
            materializations = List.copyOf(materializations);
        }
    }

    record Failed(ErrorClass errorClass, String message, Integer exitCode, boolean retryable) implements Outcome {}

    static Succeeded succeeded() {
        return new Succeeded(Map.of(), Map.of(), List.of());
    }

    static Failed userError(String message, Integer exitCode, boolean retryable) {
        return new Failed(ErrorClass.USER_ERROR, message, exitCode, retryable);
    }

    static Failed infrastructure(String message, boolean retryable) {
        return new Failed(ErrorClass.INFRASTRUCTURE, message, null, retryable);
    }

    /** A short label for metrics: succeeded, or the error class in lower case. */
    default String label() {
        return this instanceof Failed f ? f.errorClass().name().toLowerCase(java.util.Locale.ROOT) : "succeeded";
    }
}
