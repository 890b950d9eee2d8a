package dev.baton.jobs.internal;

import dev.baton.jobs.TemplateException;
import dev.baton.jobs.TemplateReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Finds {@code ${{ ... }}} occurrences, keeping going past malformed ones so validation can report them all. */
public final class TemplateScanner {
    public static final String OPEN = "${{";
    public static final String CLOSE = "}}";
    private static final Pattern EXPRESSION = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*");

    /** Exactly one of the two is set. */
    public record Item(TemplateReference reference, TemplateException error) {}

    private TemplateScanner() {}

    public static List<Item> scan(String text) {
        List<Item> items = new ArrayList<>();
        if (text == null) {
            return items;
        }
        int from = 0;
        while (true) {
            int start = text.indexOf(OPEN, from);
            if (start < 0) {
                return items;
            }
            int close = text.indexOf(CLOSE, start + OPEN.length());
            if (close < 0) {
                items.add(new Item(null, TemplateException.unterminated(abbreviate(text.substring(start + OPEN.length()).strip()))));
                return items;
            }
            String expression = text.substring(start + OPEN.length(), close).strip();
            if (!EXPRESSION.matcher(expression).matches()) {
                items.add(new Item(null, new TemplateException(expression, expression.isEmpty() ? "empty template"
                        : "not a reference; expected a dotted name such as params.day or steps.extract.outputs.rows")));
            } else {
                List<String> path = Arrays.asList(expression.split("\\."));
                items.add(new Item(new TemplateReference(expression, path, start, close + CLOSE.length()), null));
            }
            from = close + CLOSE.length();
        }
    }

    private static String abbreviate(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 40 ? line.substring(0, 40) + "..." : line;
    }
}
