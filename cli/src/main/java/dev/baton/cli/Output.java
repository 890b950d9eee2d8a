package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Readable tables by default, JSON for scripts. */
final class Output {
    private Output() {}

    static void json(PrintWriter out, JsonNode node) {
        try {
            out.println(ApiClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
        } catch (Exception e) {
            out.println(node.toString());
        }
    }

    /** Prints rows of {@code items}, one column per field path (a.b for nested fields). */
    static void table(PrintWriter out, JsonNode items, String... columns) {
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            String c = columns[i];
            header[i] = c.contains("=") ? c.substring(0, c.indexOf('=')).toUpperCase() : c.toUpperCase();
        }
        rows.add(header);
        for (JsonNode item : items) {
            String[] r = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                String path = columns[i].contains("=") ? columns[i].substring(columns[i].indexOf('=') + 1) : columns[i];
                r[i] = text(item, path);
            }
            rows.add(r);
        }
        int[] widths = new int[columns.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.min(60, Math.max(widths[i], r[i].length()));
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String v = r[i].length() > 60 ? r[i].substring(0, 57) + "..." : r[i];
                sb.append(v).append(" ".repeat(widths[i] - v.length() + 2));
            }
            out.println(sb.toString().stripTrailing());
        }
        if (rows.size() == 1) {
            out.println("(none)");
        }
    }

    static String text(JsonNode node, String path) {
        JsonNode n = node;
        for (String p : path.split("\\.")) {
            n = n.path(p);
        }
        if (n.isMissingNode() || n.isNull()) {
            return "-";
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** The array of items in a list response, whatever the envelope is called. */
    static JsonNode items(JsonNode response, String... names) {
        if (response.isArray()) {
            return response;
        }
        for (String n : names) {
            if (response.has(n) && response.get(n).isArray()) {
                return response.get(n);
            }
        }
        for (String n : new String[] {"items", "data", "results"}) {
            if (response.has(n) && response.get(n).isArray()) {
                return response.get(n);
            }
        }
        return ApiClient.JSON.createArrayNode();
    }
}
