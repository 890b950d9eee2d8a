package dev.baton.jobs;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * The JEXL dialect of Kafka trigger filters and asset checks, shared by the validator and the components that
 * evaluate them. Expressions only: no assignments, loops, lambdas, {@code new}, pragmas or annotations; class
 * access is limited to JEXL's restricted permissions. Strict: an undefined variable is an error, not null.
 */
public final class JobExpressions {
    /** Variables a Kafka trigger filter may read: the record key, value, headers and position. */
    public static final Set<String> FILTER_VARIABLES =
            Set.of("key", "value", "headers", "topic", "partition", "offset", "timestamp");

    private static final JexlFeatures FEATURES = new JexlFeatures()
            .sideEffect(false)
            .sideEffectGlobal(false)
            .loops(false)
            .newInstance(false)
            .lambda(false)
            .pragma(false)
            .annotation(false);
    private static final JexlEngine ENGINE = new JexlBuilder()
            .features(FEATURES)
            .permissions(JexlPermissions.RESTRICTED)
            .strict(true)
            .safe(false)
            .silent(false)
            .cache(512)
            .create();

    private JobExpressions() {}

    /** The shared engine (thread-safe). */
    public static JexlEngine engine() {
        return ENGINE;
    }

    /**
     * Compiles a Kafka trigger filter and checks that it reads only {@link #FILTER_VARIABLES}.
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static JexlExpression compileFilter(String source) {
        JexlExpression expression = compile("filter", source);
        Set<String> unknown = new LinkedHashSet<>();
        if (expression instanceof JexlScript script) {
            for (List<String> variable : script.getVariables()) {
                if (!variable.isEmpty() && !FILTER_VARIABLES.contains(variable.get(0))) {
                    unknown.add(variable.get(0));
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("filter reads unknown variable" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; available: key, value, headers, topic, partition, offset, timestamp");
        }
        return expression;
    }

    /**
     * Compiles an asset check over materialization metadata (variables are metadata keys, e.g. {@code rows > 0}).
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static JexlExpression compileCheck(String source) {
        return compile("check", source);
    }

    /** Variables a step's {@code when:} condition may read: the run's params and its upstream steps' outputs. */
    public static final Set<String> CONDITION_VARIABLES = Set.of("params", "steps");

    /**
     * Compiles a step's {@code when:} condition (the filter language over {@code params.<name>} and
     * {@code steps.<step>.outputs.<name>}, values as strings) and checks its variables.
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static JexlExpression compileCondition(String source) {
        JexlExpression expression = compile("condition", source);
        Set<String> unknown = new LinkedHashSet<>();
        for (List<String> variable : conditionVariables(expression)) {
            if (!CONDITION_VARIABLES.contains(variable.get(0))) {
                unknown.add(variable.get(0));
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("condition reads unknown variable" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; available: params.<name>, steps.<step>.outputs.<name>");
        }
        return expression;
    }

    /** The variables (as dotted paths) an expression reads. */
    public static List<List<String>> conditionVariables(JexlExpression expression) {
        List<List<String>> out = new java.util.ArrayList<>();
        if (expression instanceof JexlScript script) {
            for (List<String> variable : script.getVariables()) {
                if (!variable.isEmpty()) {
                    out.add(variable);
                }
            }
        }
        return out;
    }

    /**
     * Evaluates a {@code when:} condition. Pure.
     *
     * @param stepOutputs outputs of finished upstream steps, by step key
     * @throws IllegalArgumentException when it fails or is not a boolean, with a message fit for a user
     */
    public static boolean evaluateCondition(String source, java.util.Map<String, String> params,
                                            java.util.Map<String, java.util.Map<String, String>> stepOutputs) {
        JexlExpression expression = compileCondition(source);
        java.util.Map<String, Object> steps = new java.util.HashMap<>();
        stepOutputs.forEach((k, v) -> steps.put(k, java.util.Map.of("outputs", v)));
        org.apache.commons.jexl3.MapContext ctx = new org.apache.commons.jexl3.MapContext();
        ctx.set("params", params);
        ctx.set("steps", steps);
        Object result;
        try {
            result = expression.evaluate(ctx);
        } catch (JexlException e) {
            throw new IllegalArgumentException("condition '" + source + "' failed: " + describe(e));
        }
        if (result instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("condition '" + source + "' is not true or false (it gave "
                + (result == null ? "null" : "'" + result + "'") + ")");
    }

    private static JexlExpression compile(String what, String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("empty " + what + " expression");
        }
        try {
            return ENGINE.createExpression(new JexlInfo(what, 1, 1), source);
        } catch (JexlException e) {
            throw new IllegalArgumentException("invalid " + what + " expression '" + source + "': " + describe(e));
        }
    }

    private static String describe(JexlException e) {
        String message = e.getMessage();
        if (message == null) {
            return "syntax error";
        }
        // "filter@1:6 parsing error in '>'" -> "parsing error in '>' at column 6"
        int at = message.indexOf('@');
        int space = message.indexOf(' ');
        if (at >= 0 && space > at) {
            String position = message.substring(at + 1, space);
            int colon = position.indexOf(':');
            String rest = message.substring(space + 1);
            return colon >= 0 ? rest + " at column " + position.substring(colon + 1) : rest;
        }
        return message;
    }
}
