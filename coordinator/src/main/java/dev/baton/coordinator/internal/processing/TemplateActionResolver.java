package dev.baton.coordinator.internal.processing;

import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.Templates;

/**
 * Resolves step actions with the job module's template engine: values stay data (shell quoting or environment
 * variables in run scripts, encoding in http urls and JSON bodies) unless the step opted into
 * {@code unsafeVerbatimTemplates}. {@code ${{ secrets.NAME }}} is never resolved here: it passes through as text
 * (in a run script inside an environment variable) for the agent to resolve.
 */
public final class TemplateActionResolver implements ActionResolver {
    @Override
    public Object resolve(Object action, TemplateScope scope) {
        try {
            return Templates.resolveAction(action, context(scope), scope.unsafeVerbatim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public String resolveText(String template, TemplateScope scope) {
        try {
            return Templates.resolve(template, context(scope));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static TemplateContext context(TemplateScope scope) {
        TemplateContext.Builder b = TemplateContext.builder()
                .params(scope.params())
                .run(scope.runId(), scope.job())
                .attempt(scope.attemptId(), scope.attempt())
                .partition(scope.partition());
        scope.stepOutputs().forEach(b::stepOutputs);
        if (scope.item() != null) {
            b.item(scope.item(), scope.itemIndex());
        }
        return b.build();
    }
}
