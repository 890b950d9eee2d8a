package dev.baton.jobs.internal;

import dev.baton.events.ValueFormat;
import dev.baton.jobs.Durations;
import dev.baton.jobs.Templates;
import dev.baton.jobs.internal.Node.ListNode;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarKind;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.Ref;
import dev.baton.jobs.internal.ParsedJob.Scope;
import dev.baton.jobs.internal.ParsedJob.TemplateSite;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed access to the values of a job document, shared by the section readers: each accessor reports a problem at
 * the given path when the value has the wrong shape and returns null (or the fallback) instead.
 */
abstract class ValueReader {
    final Problems problems;
    final ParsedJob parsed;

    ValueReader(Problems problems, ParsedJob parsed) {
        this.problems = problems;
        this.parsed = parsed;
    }

    void site(String path, String text, Scope scope, String step, ValueFormat format) {
        if (text != null && Templates.containsTemplates(text)) {
            parsed.sites.add(new TemplateSite(path, text, scope, step, format));
        }
    }

    void checkPattern(String value, Pattern pattern, String path, String what, String rule) {
        if (!pattern.matcher(value).matches()) {
            problems.add(path, "'" + value + "' is not a valid " + what + " (" + rule + ")");
        }
    }

    void keys(MapNode m, String path, List<String> allowed) {
        for (String key : m.entries().keySet()) {
            if (!allowed.contains(key)) {
                String hint = Suggest.hint(key, allowed);
                problems.add(Paths.key(path, key), "unknown key '" + key + "'"
                        + (hint.isEmpty() ? "; expected one of " + String.join(", ", allowed) : hint));
            }
        }
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.isNull();
    }

    static String kindOf(Node node) {
        return node == null ? "nothing" : node.kind();
    }

    MapNode object(Node node, String path) {
        return object(node, path, "an object");
    }

    MapNode object(Node node, String path, String expected) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof MapNode m) {
            return m;
        }
        problems.add(path, "expected " + expected + ", got " + node.kind());
        return null;
    }

    List<Node> list(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ListNode l) {
            return l.items();
        }
        problems.add(path, "expected a list, got " + node.kind());
        return null;
    }

    /** A list of strings; a single string is accepted as a one-element list when {@code scalarShorthand}. */
    List<Ref> refs(Node node, String path, boolean scalarShorthand) {
        List<Ref> refs = new ArrayList<>();
        if (node == null || isNull(node)) {
            return refs;
        }
        if (scalarShorthand && node instanceof ScalarNode s) {
            refs.add(new Ref(s.text(), path));
            return refs;
        }
        List<Node> items = list(node, path);
        if (items == null) {
            return refs;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            String value = string(items.get(i), p);
            if (value == null) {
                if (isNull(items.get(i))) {
                    problems.add(p, "expected a string, got nothing (null)");
                }
                continue;
            }
            if (!seen.add(value)) {
                problems.add(p, "'" + value + "' is listed twice");
                continue;
            }
            refs.add(new Ref(value, p));
        }
        return refs;
    }

    /** A scalar as text; null (absent) for missing or null; a problem for objects and lists. */
    String string(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s) {
            return s.text();
        }
        problems.add(path, "expected a string, got " + node.kind());
        return null;
    }

    String requiredString(MapNode m, String key, String parent) {
        String path = Paths.key(parent, key);
        Node node = m.get(key);
        if (node == null || isNull(node)) {
            problems.add(path, "is required");
            return null;
        }
        String value = string(node, path);
        if (value != null && value.isBlank()) {
            problems.add(path, "must not be empty");
            return null;
        }
        return value;
    }

    Integer integer(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s && s.scalarKind() == ScalarKind.INT) {
            try {
                BigInteger value = s.number() instanceof BigInteger b ? b
                        : s.number() != null ? BigInteger.valueOf(s.number().longValue()) : new BigInteger(s.text());
                return value.intValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                problems.add(path, "'" + s.text() + "' is out of range for an integer");
                return null;
            }
        }
        problems.add(path, "expected an integer, got " + describe(node));
        return null;
    }

    Double number(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s && (s.scalarKind() == ScalarKind.INT || s.scalarKind() == ScalarKind.FLOAT)) {
            try {
                return s.number() != null ? s.number().doubleValue() : new BigDecimal(s.text()).doubleValue();
            } catch (NumberFormatException e) {
                problems.add(path, "'" + s.text() + "' is not a number");
                return null;
            }
        }
        problems.add(path, "expected a number, got " + describe(node));
        return null;
    }

    Boolean bool(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s && s.isBoolean()) {
            return s.scalarKind() == ScalarKind.TRUE;
        }
        problems.add(path, "expected true or false, got " + describe(node));
        return null;
    }

    /** Milliseconds; must be positive, or non-negative when {@code zeroAllowed}. */
    Long duration(Node node, String path, boolean zeroAllowed) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode s)) {
            problems.add(path, "expected a duration such as PT5M or 5m, got " + node.kind());
            return null;
        }
        try {
            long ms = Durations.parseMillis(s.text());
            if (ms < 0 || ms == 0 && !zeroAllowed) {
                problems.add(path, "must be " + (zeroAllowed ? "zero or positive" : "positive") + " (got " + s.text() + ")");
                return null;
            }
            return ms;
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
            return null;
        }
    }

    <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type, E fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text.strip())) {
                return constant;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        problems.add(path, "'" + text + "' is not one of " + String.join(", ", names) + Suggest.hint(text, names));
        return fallback;
    }

    static String describe(Node node) {
        return node instanceof ScalarNode s && !s.isNull() ? node.kind() + " '" + s.text() + "'" : node.kind();
    }
}
