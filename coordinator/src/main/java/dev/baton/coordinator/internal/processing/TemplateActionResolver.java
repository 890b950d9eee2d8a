package dev.baton.coordinator.internal.processing;

import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.Templates;

/** Resolves step actions with the job module's template engine. */
public final class TemplateActionResolver implements ActionResolver {
    @Override
    public Object resolve(Object action, TemplateScope scope) {
        TemplateContext.Builder b = TemplateContext.builder()
                .params(scope.params())
                .run(scope.runId(), scope.job())
                .attempt(scope.attemptId(), scope.attempt())
                .partition(scope.partition());
        scope.stepOutputs().forEach(b::stepOutputs);
        try {
            return Templates.resolveAction(action, b.build());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
