package dev.baton.jobs;

import dev.baton.events.JobDefinition;
import dev.baton.events.ParamSpec;
import dev.baton.events.ParamType;
import dev.baton.jobs.internal.Paths;
import dev.baton.jobs.internal.Suggest;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The params of one run: what the request supplied, checked against the job's declarations (unknown names,
 * missing required ones, and each value against its {@code type}, {@code values}, {@code pattern} and
 * {@code maxLength}), defaults filled in. The one checker: the gateway (400), the scheduler (dead letter or failed
 * tick) and the coordinator (rejected run request) all call {@link #check}, so the three agree on every rule.
 */
public final class JobParams {
    private static final Pattern INT = Pattern.compile("[+-]?[0-9]{1,18}");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final int SHOWN = 40;

    private JobParams() {}

    /**
     * Everything wrong with the supplied params, in a stable order (supplied names first, then declared ones);
     * each problem's path is {@code params.<name>}. Empty when the request may run.
     */
    public static List<Problem> check(JobDefinition job, Map<String, String> supplied) {
        // The size limit stays with the callers that enforce it (the gateway's 400 names the limit); the coordinator
        // relies on its record-size limit, which also covers the definition.
        List<Problem> problems = new ArrayList<>();
        Map<String, ParamSpec> declared = job.getParams();
        supplied.forEach((name, value) -> {
            ParamSpec spec = declared.get(name);
            if (spec == null) {
                problems.add(new Problem(Paths.key("params", name), "unknown parameter '" + name + "' for job '"
                        + job.getName() + "'" + Suggest.hint(name, declared.keySet())));
            } else if (value == null) {
                problems.add(new Problem(Paths.key("params", name), "has no value"));
            } else {
                String wrong = valueProblem(spec, value);
                if (wrong != null) {
                    problems.add(new Problem(Paths.key("params", name), wrong));
                }
            }
        });
        declared.forEach((name, spec) -> {
            if (spec.getRequired() && spec.getDefault$() == null && supplied.get(name) == null
                    && !supplied.containsKey(name)) {
                problems.add(new Problem(Paths.key("params", name), "required parameter is missing"));
            }
        });
        return problems;
    }

    /**
     * Why a value does not fit its declaration ({@code type}, {@code values}, {@code pattern}, {@code maxLength}),
     * or null when it does. The message starts with the (abbreviated) value in quotes.
     */
    public static String valueProblem(ParamSpec spec, String value) {
        String shown = "'" + abbreviate(value) + "'";
        ParamType type = spec.getType() == null ? ParamType.STRING : spec.getType();
        String typeProblem = switch (type) {
            case STRING -> null;
            case INT -> INT.matcher(value).matches() ? null : shown + " is not an integer";
            case DATE -> isDate(value) ? null : shown + " is not a date (expected YYYY-MM-DD)";
            case ENUM -> spec.getValues().contains(value) ? null
                    : shown + " is not one of " + String.join(", ", spec.getValues()) + Suggest.hint(value, spec.getValues());
        };
        if (typeProblem != null) {
            return typeProblem;
        }
        if (spec.getMaxLength() != null) {
            int length = value.codePointCount(0, value.length());
            if (length > spec.getMaxLength()) {
                return shown + " is " + length + " characters long; at most " + spec.getMaxLength() + " are allowed";
            }
        }
        if (spec.getPattern() != null) {
            try {
                if (!Pattern.compile(spec.getPattern()).matcher(value).matches()) {
                    return shown + " does not match the pattern " + spec.getPattern();
                }
            } catch (PatternSyntaxException e) {
                // Registration rejects such patterns; a definition from elsewhere still must not let values through.
                return "the declared pattern is not a valid regular expression: " + e.getDescription();
            }
        }
        return null;
    }

    /** The problems as one line, for a rejection reason or a dead letter: {@code params.day: '2026-13-01' is not a date ...}. */
    public static String reason(List<Problem> problems) {
        return "invalid params: " + String.join("; ", problems.stream().map(Problem::toString).toList());
    }

    /**
     * The run's effective params, in declaration order: the supplied value, else the default, else the empty
     * string for an optional param without a default.
     *
     * @throws JobValidationException with the problems of {@link #check}
     */
    public static Map<String, String> effective(JobDefinition job, Map<String, String> supplied) {
        List<Problem> problems = check(job, supplied);
        if (!problems.isEmpty()) {
            throw new JobValidationException(problems);
        }
        Map<String, String> effective = new LinkedHashMap<>();
        job.getParams().forEach((name, spec) -> {
            String value = supplied.get(name);
            effective.put(name, value != null ? value : spec.getDefault$() != null ? spec.getDefault$() : "");
        });
        return effective;
    }

    /**
     * The supplied params plus the defaults of the declared params not supplied, sorted by name; an optional param
     * without a default stays absent. What the coordinator records on the run (call {@link #check} first).
     */
    public static Map<String, String> withDefaults(JobDefinition job, Map<String, String> supplied) {
        Map<String, String> params = new TreeMap<>();
        job.getParams().forEach((name, spec) -> {
            String value = supplied.get(name);
            if (value != null) {
                params.put(name, value);
            } else if (spec.getDefault$() != null) {
                params.put(name, spec.getDefault$());
            }
        });
        return params;
    }

    private static boolean isDate(String value) {
        if (!DATE.matcher(value).matches()) {
            return false;
        }
        try {
            LocalDate.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String abbreviate(String value) {
        String oneLine = value.replace("\n", "\\n").replace("\r", "\\r");
        return oneLine.length() > SHOWN ? oneLine.substring(0, SHOWN) + "..." : oneLine;
    }
}
