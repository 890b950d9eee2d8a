package dev.baton.jobs;

/** A template that is malformed or cannot be resolved in the given context. */
public class TemplateException extends RuntimeException {
    private final String expression;
    private final String reason;

    public TemplateException(String expression, String reason) {
        super("${{ " + expression + " }}: " + reason);
        this.expression = expression;
        this.reason = reason;
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
