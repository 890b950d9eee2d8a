package dev.baton.jobs.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML/JSON document that keeps what Jackson's tree model loses: the scalar text exactly as written
 * ({@code 0123}, {@code 2026-01-01}, {@code yes}) and the line of every node.
 */
public sealed interface Node permits Node.MapNode, Node.ListNode, Node.ScalarNode {
    int line();

    /** A human name for the node kind, for "expected X, got Y" messages. */
    String kind();

    record MapNode(Map<String, Node> entries, int line) implements Node {
        public MapNode {
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        public Node get(String key) {
            return entries.get(key);
        }

        public boolean has(String key) {
            return entries.containsKey(key);
        }

        @Override
        public String kind() {
            return "an object";
        }
    }

    record ListNode(List<Node> items, int line) implements Node {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    enum ScalarKind { STRING, INT, FLOAT, TRUE, FALSE, NULL }

    /**
     * @param text   the scalar as written (for strings: the string value)
     * @param number the value as the parser understood it, for INT and FLOAT
     */
    record ScalarNode(String text, ScalarKind scalarKind, Number number, int line) implements Node {
        public boolean isNull() {
            return scalarKind == ScalarKind.NULL;
        }

        public boolean isBoolean() {
            return scalarKind == ScalarKind.TRUE || scalarKind == ScalarKind.FALSE;
        }

        @Override
        public String kind() {
            return switch (scalarKind) {
                case STRING -> "a string";
                case INT, FLOAT -> "a number";
                case TRUE, FALSE -> "a boolean";
                case NULL -> "nothing (null)";
            };
        }
    }
}
