package dev.baton.coordinator.internal.processing;

import java.util.Map;

/** Resolves {@code ${{ ... }}} templates in a step action at dispatch time. Pure. */
@FunctionalInterface
public interface ActionResolver {
    /**
     * @param action one of the Avro action records (RunAction, HttpAction, ...)
     * @throws IllegalArgumentException naming the expression that cannot be resolved
     */
    Object resolve(Object action, TemplateScope scope);

    /**
     * One templated text (a step's cache key) resolved as plain text.
     *
     * @throws IllegalArgumentException naming the expression that cannot be resolved
     */
    default String resolveText(String template, TemplateScope scope) {
        return template;
    }

    /**
     * @param partition the run's partition, or null
     * @param unsafeVerbatim the step's {@code unsafeVerbatimTemplates} opt-in: values inserted as written
     * @param item a forEach instance's element as JSON text (null: not an instance), {@code itemIndex} its position
     */
    record TemplateScope(String runId, String job, String stepKey, int attempt, String attemptId,
                         Map<String, String> params, Map<String, Map<String, String>> stepOutputs,
                         dev.baton.jobs.Partition partition, boolean unsafeVerbatim, String item, Integer itemIndex) {
        public TemplateScope(String runId, String job, String stepKey, int attempt, String attemptId,
                             Map<String, String> params, Map<String, Map<String, String>> stepOutputs) {
            this(runId, job, stepKey, attempt, attemptId, params, stepOutputs, null, false);
        }

        public TemplateScope(String runId, String job, String stepKey, int attempt, String attemptId,
                             Map<String, String> params, Map<String, Map<String, String>> stepOutputs,
                             dev.baton.jobs.Partition partition, boolean unsafeVerbatim) {
            this(runId, job, stepKey, attempt, attemptId, params, stepOutputs, partition, unsafeVerbatim, null, null);
        }
    }
}
