package dev.baton.jobs;

import java.util.List;
import java.util.stream.Collectors;

/** A job file that cannot be registered, with every problem found (not only the first). */
public class JobValidationException extends RuntimeException {
    private final transient List<Problem> problems;

    public JobValidationException(List<Problem> problems) {
        super(describe(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a validation exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems in document order. */
    public List<Problem> problems() {
        return problems;
    }

    private static String describe(List<Problem> problems) {
        return problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in job definition:"
                + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
    }
}
