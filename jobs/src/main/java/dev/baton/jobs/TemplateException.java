package dev.baton.jobs;

/** A template that is malformed or cannot be resolved in the given context. */
public class TemplateException extends RuntimeException {
    private final String expression;
    private final String reason;

    public TemplateException(String expression, String reason) {
        this(expression, reason, (expression.isEmpty() ? "${{ }}" : "${{ " + expression + " }}") + ": " + reason);
    }

    private TemplateException(String expression, String reason, String message) {
        super(message);
        this.expression = expression;
        this.reason = reason;
    }

    /** A {@code ${{} that is never closed; {@code fragment} is what follows it on the line. */
    public static TemplateException unterminated(String fragment) {
        return new TemplateException(fragment, "never closed with '}}'",
                "'${{ " + fragment + "' is never closed with '}}'");
    }

    /** The expression inside the braces (trimmed), or the unparseable text. */
    public String expression() {
        return expression;
    }

    /** Why it failed, without the expression. */
    public String reason() {
        return reason;
    }
}
