package dev.baton.jobs.internal;

import dev.baton.events.ParamSpec;
import dev.baton.events.ParamType;
import dev.baton.jobs.JobParams;
import dev.baton.events.ValueFormat;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.ParamSource;
import dev.baton.jobs.internal.ParsedJob.ParamUse;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The job's {@code params} declarations, and the param values schedules and triggers set. */
final class ParamReader extends ValueReader {
    ParamReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    void read(Node node, String path) {
        MapNode m = object(node, path);
        if (m == null) {
            return;
        }
        m.entries().forEach((name, value) -> {
            String p = Paths.key(path, name);
            checkPattern(name, Names.IDENTIFIER, p, "parameter name",
                    "letters, digits and '_', not starting with a digit, at most 100 characters");
            ParamSpec.Builder spec = ParamSpec.newBuilder().setDefault$(null).setRequired(false).setDescription(null);
            if (value instanceof ScalarNode s) {
                if (!s.isNull()) {
                    spec.setDefault$(s.text());
                }
            } else if (value instanceof MapNode pm) {
                keys(pm, p, Keys.PARAM);
                Node def = pm.get("default");
                if (def != null && !(def instanceof ScalarNode)) {
                    problems.add(Paths.key(p, "default"), "expected a string, got " + def.kind());
                } else if (def != null && !((ScalarNode) def).isNull()) {
                    spec.setDefault$(((ScalarNode) def).text());
                }
                Boolean required = bool(pm.get("required"), Paths.key(p, "required"));
                spec.setRequired(Boolean.TRUE.equals(required));
                if (Boolean.TRUE.equals(required) && spec.getDefault$() != null) {
                    problems.add(Paths.key(p, "required"),
                            "a required parameter cannot have a default (callers must always pass it); drop one of them");
                }
                spec.setDescription(string(pm.get("description"), Paths.key(p, "description")));
                constraints(pm, p, spec);
            } else {
                problems.add(p, "expected an object {default, required, description, type, values, pattern, maxLength}"
                        + " or a default value, got " + value.kind());
            }
            parsed.params.put(name, spec.build());
        });
    }

    /** {@code type}, {@code values}, {@code pattern} and {@code maxLength}; the default must satisfy them. */
    private void constraints(MapNode pm, String p, ParamSpec.Builder spec) {
        ParamType type = enumValue(pm.get("type"), Paths.key(p, "type"), ParamType.class, ParamType.STRING);
        spec.setType(type);
        List<String> values = new ArrayList<>();
        List<Node> items = list(pm.get("values"), Paths.key(p, "values"));
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                String v = string(items.get(i), Paths.index(Paths.key(p, "values"), i));
                if (v != null && !values.contains(v)) {
                    values.add(v);
                }
            }
        }
        if (type == ParamType.ENUM && values.isEmpty()) {
            problems.add(Paths.key(p, "values"), "an enum parameter needs a non-empty list of values");
        } else if (type != ParamType.ENUM && items != null) {
            problems.add(Paths.key(p, "values"), "values are only allowed with type: enum");
        }
        spec.setValues(values);
        String pattern = string(pm.get("pattern"), Paths.key(p, "pattern"));
        if (pattern != null) {
            try {
                Pattern.compile(pattern);
                spec.setPattern(pattern);
            } catch (PatternSyntaxException e) {
                problems.add(Paths.key(p, "pattern"), "not a valid regular expression: " + e.getDescription());
            }
        }
        Integer maxLength = integer(pm.get("maxLength"), Paths.key(p, "maxLength"));
        if (maxLength != null && maxLength < 1) {
            problems.add(Paths.key(p, "maxLength"), "must be at least 1 (got " + maxLength + ")");
        } else {
            spec.setMaxLength(maxLength);
        }
        if (spec.getDefault$() != null) {
            String wrong = JobParams.valueProblem(spec.build(), spec.getDefault$());
            if (wrong != null) {
                problems.add(Paths.key(p, "default"), wrong);
            }
        }
    }

    /** Params set by a schedule or trigger: values may use templates of the given scope. */
    Map<String, String> values(Node node, String path, Scope scope, ValueFormat format, String what) {
        Map<String, String> values = new LinkedHashMap<>();
        List<ParamUse> uses = new ArrayList<>();
        MapNode m = object(node, path);
        if (m != null) {
            m.entries().forEach((name, value) -> {
                String p = Paths.key(path, name);
                String v = string(value, p);
                uses.add(new ParamUse(name, p, v));
                if (v == null) {
                    problems.add(p, "expected a value, got " + value.kind());
                } else {
                    values.put(name, v);
                    site(p, v, scope, null, format);
                }
            });
        }
        parsed.paramSources.add(new ParamSource(path, what, uses, true));
        return values;
    }
}
