package dev.baton.jobs.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.baton.jobs.Format;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads one YAML or JSON document into {@link Node}s, reporting syntax errors with line and column. */
public final class TreeReader {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final Problems problems;

    public TreeReader(Problems problems) {
        this.problems = problems;
    }

    /** The root node, or null when the text is not a readable document (a problem has been added). */
    public Node read(String text, Format format) {
        if (text == null || text.isBlank()) {
            problems.add(Paths.ROOT, "the job definition is empty");
            return null;
        }
        try (JsonParser parser = format == Format.JSON ? JSON.createParser(text) : YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(Paths.ROOT, "the job definition is empty");
                return null;
            }
            Node root = readValue(parser, Paths.ROOT);
            if (root == null) {
                return null;
            }
            JsonToken next = parser.nextToken();
            if (next != null) {
                int line = parser.currentTokenLocation().getLineNr();
                problems.add(Paths.ROOT, format == Format.YAML
                        ? "only one YAML document is allowed (another starts at line " + line + ")"
                        : "unexpected content after the JSON object at line " + line);
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            problems.add(Paths.ROOT, syntaxError(e, format));
            return null;
        } catch (IOException e) {
            problems.add(Paths.ROOT, "cannot read the job definition: " + e.getMessage());
            return null;
        }
    }

    private Node readValue(JsonParser p, String path) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken token = p.currentToken();
        if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            problems.add(path, "YAML aliases (*" + p.getText() + ") are not supported; repeat the value instead");
            skip(p);
            return new Node.ScalarNode("", Node.ScalarKind.NULL, null, line);
        }
        switch (token) {
            case START_OBJECT -> {
                Map<String, Node> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String childPath = Paths.key(path, key);
                    p.nextToken();
                    Node value = readValue(p, childPath);
                    if (entries.containsKey(key)) {
                        problems.add(childPath, "duplicate key '" + key + "'");
                    } else if (key.equals("<<")) {
                        problems.add(childPath, "YAML merge keys (<<) are not supported");
                    } else {
                        entries.put(key, value);
                    }
                }
                return new Node.MapNode(entries, line);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(p, Paths.index(path, i++)));
                }
                return new Node.ListNode(items, line);
            }
            case VALUE_STRING -> {
                return new Node.ScalarNode(p.getText(), Node.ScalarKind.STRING, null, line);
            }
            case VALUE_NUMBER_INT -> {
                return new Node.ScalarNode(p.getText(), Node.ScalarKind.INT, number(p), line);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Node.ScalarNode(p.getText(), Node.ScalarKind.FLOAT, number(p), line);
            }
            case VALUE_TRUE -> {
                return new Node.ScalarNode(p.getText(), Node.ScalarKind.TRUE, null, line);
            }
            case VALUE_FALSE -> {
                return new Node.ScalarNode(p.getText(), Node.ScalarKind.FALSE, null, line);
            }
            case VALUE_NULL -> {
                return new Node.ScalarNode(p.getText() == null ? "" : p.getText(), Node.ScalarKind.NULL, null, line);
            }
            default -> {
                problems.add(path, "unsupported value (" + token + ")");
                skip(p);
                return new Node.ScalarNode("", Node.ScalarKind.NULL, null, line);
            }
        }
    }

    private static Number number(JsonParser p) {
        try {
            return p.getNumberValue();
        } catch (IOException | RuntimeException e) {
            return null; // e.g. YAML "1_000" in some versions; the text is kept and numeric readers report it
        }
    }

    private static void skip(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
            p.skipChildren();
        }
    }

    private static String syntaxError(JsonProcessingException e, Format format) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                return "YAML syntax error at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                        + (marked.getProblemMark().getColumn() + 1) + ": " + marked.getProblem()
                        + (marked.getContext() != null ? " (" + marked.getContext() + ")" : "");
            }
            cause = cause.getCause();
        }
        JsonLocation location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return (format == Format.JSON ? "JSON" : "YAML") + " syntax error" + where + ": " + e.getOriginalMessage();
    }
}
