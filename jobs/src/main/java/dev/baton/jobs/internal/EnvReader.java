package dev.baton.jobs.internal;

import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.util.LinkedHashMap;
import java.util.Map;

/** Environment variable maps: the job's {@code env}, a step's and a run action's. */
final class EnvReader extends ValueReader {
    EnvReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    Map<String, String> env(Node node, String path, Scope scope, String step) {
        Map<String, String> env = new LinkedHashMap<>();
        MapNode m = object(node, path);
        if (m == null) {
            return env;
        }
        m.entries().forEach((name, value) -> {
            String p = Paths.key(path, name);
            checkPattern(name, Names.IDENTIFIER, p, "environment variable name",
                    "letters, digits and '_', not starting with a digit");
            String v = string(value, p);
            if (v == null) {
                problems.add(p, "expected a value, got " + value.kind());
            } else {
                env.put(name, v);
                site(p, v, scope, step, null);
            }
        });
        return env;
    }
}
