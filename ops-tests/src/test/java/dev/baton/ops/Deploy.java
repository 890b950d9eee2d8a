package dev.baton.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The files under deploy/ and the PromQL they hold. */
final class Deploy {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Deploy() {}

    /** The repository root (the directory holding deploy/), from the module's working directory. */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("deploy/prometheus"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("deploy/prometheus not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Path alerts() { return root().resolve("deploy/prometheus/alerts.yml"); }
    static Path alertTests() { return root().resolve("deploy/prometheus/alerts.test.yml"); }
    static Path dashboard() { return root().resolve("deploy/grafana/baton.json"); }

    static JsonNode read(ObjectMapper m, Path p) {
        try {
            return m.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** alert name → expression, in file order. */
    static Map<String, String> alertRules() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode g : read(YAML, alerts()).path("groups")) {
            for (JsonNode r : g.path("rules")) {
                if (r.has("alert")) {
                    out.put(r.path("alert").asText(), r.path("expr").asText());
                }
            }
        }
        return out;
    }

    /** "panel title / refId" → expression of every target of every panel of the dashboard. */
    static Map<String, String> dashboardQueries() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode p : read(JSON, dashboard()).path("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.put(p.path("title").asText() + " / " + t.path("refId").asText(), t.path("expr").asText());
            }
        }
        return out;
    }

    private static final Pattern THRESHOLD = Pattern.compile("(?s)^(.*?)\\s*(?:==|!=|>=|<=|>|<)\\s*-?[0-9.]+(?:e-?[0-9]+)?\\s*$");

    /**
     * What must return data for an alert's expression to be meaningful: the operands of its top-level
     * {@code and}/{@code or}/{@code unless}, each without its final threshold comparison ({@code x < 0.99} → {@code x}).
     * A healthy system fires no alert, so the whole expression is empty by design; its measured side is not.
     */
    static List<String> measured(String alertExpr) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        String e = alertExpr.trim();
        boolean quoted = false;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '(' || c == '{' || c == '[')) {
                depth++;
            } else if (!quoted && (c == ')' || c == '}' || c == ']')) {
                depth--;
            } else if (!quoted && depth == 0) {
                for (String op : List.of(" and ", " or ", " unless ")) {
                    if (e.startsWith(op, i)) {
                        parts.add(e.substring(start, i));
                        start = i + op.length();
                    }
                }
            }
        }
        parts.add(e.substring(start));
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            Matcher m = THRESHOLD.matcher(p.trim());
            out.add(m.matches() ? m.group(1).trim() : p.trim());
        }
        return out;
    }
}
