package dev.baton.jobs;

import dev.baton.events.JobDefinition;
import dev.baton.events.ParamSpec;
import dev.baton.jobs.internal.Paths;
import dev.baton.jobs.internal.Suggest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The params of one run: what the request supplied, checked against the job's declarations, defaults filled in. */
public final class JobParams {
    private JobParams() {}

    /**
     * The run's effective params, in declaration order: the supplied value, else the default, else the empty
     * string for an optional param without a default.
     *
     * @throws JobValidationException for unknown params ({@code params.<name>: unknown parameter}) and missing
     *                                required ones ({@code params.<name>: required parameter is missing})
     */
    public static Map<String, String> effective(JobDefinition job, Map<String, String> supplied) {
        List<Problem> problems = new ArrayList<>();
        Map<String, ParamSpec> declared = job.getParams();
        supplied.forEach((name, value) -> {
            if (!declared.containsKey(name)) {
                problems.add(new Problem(Paths.key("params", name), "unknown parameter '" + name + "' for job '"
                        + job.getName() + "'" + Suggest.hint(name, declared.keySet())));
            } else if (value == null) {
                problems.add(new Problem(Paths.key("params", name), "has no value"));
            }
        });
        Map<String, String> effective = new LinkedHashMap<>();
        declared.forEach((name, spec) -> {
            String value = supplied.get(name);
            if (value == null && spec.getRequired()) {
                problems.add(new Problem(Paths.key("params", name), "required parameter is missing"));
            }
            effective.put(name, value != null ? value : spec.getDefault$() != null ? spec.getDefault$() : "");
        });
        if (!problems.isEmpty()) {
            throw new JobValidationException(problems);
        }
        return effective;
    }
}
