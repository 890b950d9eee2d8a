package dev.baton.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the file a run step writes its outputs to ({@code $BATON_OUTPUT}), in the format of GitHub
 * Actions' {@code $GITHUB_OUTPUT}: {@code name=value} lines, and for values spanning lines
 * <pre>
 * name&lt;&lt;EOF
 * first line
 * second line
 * EOF
 * </pre>
 * where {@code EOF} is any delimiter that does not occur in the value. Blank lines between entries
 * are ignored; a later entry with the same name wins.
 */
public final class OutputFile {

    /** A line that is neither form, or a multi-line value without its closing delimiter. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    private OutputFile() {}

    public static Map<String, String> read(Path file) throws IOException, FormatException {
        if (!Files.exists(file)) {
            return Map.of();
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public static Map<String, String> parse(List<String> lines) throws FormatException {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = stripCr(lines.get(i));
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            int heredoc = line.indexOf("<<");
            if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
                String name = line.substring(0, heredoc).trim();
                String delimiter = line.substring(heredoc + 2).trim();
                if (delimiter.isEmpty()) {
                    throw new FormatException("line " + (i + 1) + ": missing delimiter after '" + name + "<<'");
                }
                checkName(name, i);
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                for (; j < lines.size(); j++) {
                    String l = stripCr(lines.get(j));
                    if (l.equals(delimiter)) {
                        closed = true;
                        break;
                    }
                    if (j > i + 1) {
                        value.append('\n');
                    }
                    value.append(l);
                }
                if (!closed) {
                    throw new FormatException("line " + (i + 1) + ": value of '" + name + "' is not closed by a line '" + delimiter + "'");
                }
                out.put(name, value.toString());
                i = j;
            } else if (eq > 0) {
                String name = line.substring(0, eq).trim();
                checkName(name, i);
                out.put(name, line.substring(eq + 1));
            } else {
                throw new FormatException("line " + (i + 1) + ": expected name=value or name<<DELIMITER");
            }
        }
        return out;
    }

    private static void checkName(String name, int lineIndex) throws FormatException {
        if (name.isEmpty()) {
            throw new FormatException("line " + (lineIndex + 1) + ": empty output name");
        }
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** UTF-8 size of names and values, the measure of {@code agent.output.max.bytes}. */
    public static long size(Map<String, String> outputs) {
        long n = 0;
        for (var e : outputs.entrySet()) {
            n += e.getKey().getBytes(StandardCharsets.UTF_8).length;
            n += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }
}
