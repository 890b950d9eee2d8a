package dev.baton.jobs.internal;

import dev.baton.events.StepRunIf;
import dev.baton.jobs.JobExpressions;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.util.List;

/** A step's dynamic keys: {@code forEach} and {@code maxParallel}, {@code when} and {@code runIf}. */
public final class DynamicReader extends ValueReader {
    /** Largest {@code maxParallel}: a forEach step's in-flight window is kept in the run's state. */
    static final int MAX_PARALLEL_LIMIT = 1000;
    /** The spellings of {@code runIf} in a job file, by enum constant. */
    static final List<String> RUN_IF = List.of("allSucceeded", "always", "allDone", "anyFailed");

    /** What the keys set (nulls when absent). */
    record Dynamic(String forEach, Integer maxParallel, String when, StepRunIf runIf) {}

    DynamicReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    Dynamic read(MapNode m, String path, String stepKey, boolean onFailure) {
        String forEachPath = Paths.key(path, "forEach");
        String forEach = nonEmptyString(m.get("forEach"), forEachPath);
        if (forEach != null) {
            if (!dev.baton.jobs.Templates.containsTemplates(forEach)) {
                problems.add(forEachPath, "expected a template that gives a JSON array, such as"
                        + " \"${{ steps.list.outputs.items }}\" or \"${{ params.regions }}\"");
            }
            site(forEachPath, forEach, Scope.STEP, stepKey, null);
            if (onFailure) {
                problems.add(forEachPath, "onFailure steps cannot use forEach");
            }
        }
        String maxPath = Paths.key(path, "maxParallel");
        Integer maxParallel = integer(m.get("maxParallel"), maxPath);
        if (maxParallel != null) {
            if (maxParallel < 1 || maxParallel > MAX_PARALLEL_LIMIT) {
                problems.add(maxPath, "must be between 1 and " + MAX_PARALLEL_LIMIT + " (got " + maxParallel + ")");
                maxParallel = null;
            } else if (forEach == null) {
                problems.add(maxPath, "maxParallel needs forEach");
            }
        }
        String whenPath = Paths.key(path, "when");
        String when = nonEmptyString(m.get("when"), whenPath);
        if (when != null) {
            try {
                JobExpressions.compileCondition(when);
            } catch (IllegalArgumentException e) {
                problems.add(whenPath, e.getMessage());
            }
        }
        StepRunIf runIf = StepRunIf.ALL_SUCCEEDED;
        String runIfPath = Paths.key(path, "runIf");
        String text = string(m.get("runIf"), runIfPath);
        if (text != null) {
            int i = indexIgnoringCase(text.strip());
            if (i < 0) {
                problems.add(runIfPath, "'" + text + "' is not one of " + String.join(", ", RUN_IF)
                        + Suggest.hint(text, RUN_IF));
            } else {
                runIf = StepRunIf.values()[i];
            }
        }
        return new Dynamic(forEach, maxParallel, when, runIf);
    }

    /** The job-file spelling of a runIf value. */
    public static String spelling(StepRunIf runIf) {
        return RUN_IF.get(runIf.ordinal());
    }

    private String nonEmptyString(Node node, String path) {
        String value = string(node, path);
        if (value != null && value.isBlank()) {
            problems.add(path, "must not be empty");
            return null;
        }
        return value;
    }

    private static int indexIgnoringCase(String text) {
        for (int i = 0; i < RUN_IF.size(); i++) {
            if (RUN_IF.get(i).equalsIgnoreCase(text) || StepRunIf.values()[i].name().equalsIgnoreCase(text)) {
                return i;
            }
        }
        return -1;
    }
}
