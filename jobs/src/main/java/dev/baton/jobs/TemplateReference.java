package dev.baton.jobs;

import java.util.List;

/**
 * One {@code ${{ ... }}} occurrence in a string.
 *
 * @param expression the trimmed inside, e.g. {@code steps.extract.outputs.rows}
 * @param path       the expression split at dots, e.g. {@code [steps, extract, outputs, rows]}
 * @param start      index of {@code $} in the text
 * @param end        index just after the closing braces
 */
public record TemplateReference(String expression, List<String> path, int start, int end) {
    public TemplateReference {
        path = List.copyOf(path);
    }

    /** The first segment: {@code params}, {@code steps}, {@code run}, {@code attempt}, {@code trigger} or {@code schedule}. */
    public String namespace() {
        return path.get(0);
    }

    /** The reference as users write it, normalised: {@code ${{ params.day }}}. */
    public String text() {
        return "${{ " + expression + " }}";
    }
}
