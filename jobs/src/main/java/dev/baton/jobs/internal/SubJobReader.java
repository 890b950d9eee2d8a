package dev.baton.jobs.internal;

import dev.baton.events.StepCacheSpec;
import dev.baton.events.SubJobAction;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A step's dynamic-work parts owned here: the sub-job action ({@code job: {name, params}}, or {@code job: name}) and
 * the step cache ({@code cache: {key, ttl}}). Kept apart from {@link ActionReader} so those stay small.
 */
final class SubJobReader {
    private SubJobReader() {}

    /** {@code job: name} or {@code job: {name, params}}; param values may hold step templates. */
    static SubJobAction read(ValueReader r, Node node, String path, String step) {
        String name;
        String namePath;
        Map<String, String> params = new LinkedHashMap<>();
        if (node instanceof ScalarNode s && !s.isNull()) {
            name = s.text();
            namePath = path;
        } else if (node instanceof MapNode m) {
            r.keys(m, path, Keys.SUB_JOB);
            namePath = Paths.key(path, "name");
            name = r.requiredString(m, "name", path);
            MapNode pm = r.object(m.get("params"), Paths.key(path, "params"));
            if (pm != null) {
                pm.entries().forEach((param, value) -> {
                    String pp = Paths.key(Paths.key(path, "params"), param);
                    r.checkPattern(param, Names.IDENTIFIER, pp, "param name",
                            "letters, digits and '_', not starting with a digit");
                    String v = value instanceof ScalarNode sv ? (sv.isNull() ? null : sv.text()) : NodeJson.toJson(value);
                    if (v == null) {
                        r.problems.add(pp, "expected a value, got nothing (null)");
                    } else if (dev.baton.jobs.Templates.mentionsSecrets(v)) {
                        r.problems.add(pp, JobChecks.NO_SECRETS_IN_PARAMS);
                    } else {
                        params.put(param, v);
                        r.site(pp, v, Scope.STEP, step, null);
                    }
                });
            }
        } else {
            r.problems.add(path, "expected a job name or an object {name, params}, got " + ValueReader.kindOf(node));
            return null;
        }
        if (name != null) {
            r.checkPattern(name, Names.KEY, namePath, "job name",
                    "lower-case letters, digits, '_' and '-', not starting with '-', at most 100 characters");
        }
        return SubJobAction.newBuilder().setJob(name == null ? "" : name).setParams(params).build();
    }

    /** {@code cache: {key, ttl}}: null when absent. The key is a step template (params, upstream outputs, partition). */
    static StepCacheSpec cache(ValueReader r, Node node, String path, String step) {
        if (node == null || ValueReader.isNull(node)) {
            return null;
        }
        MapNode m = r.object(node, path, "an object {key, ttl}");
        if (m == null) {
            return null;
        }
        r.keys(m, path, Keys.CACHE);
        String key = r.requiredString(m, "key", path);
        if (key != null) {
            if (dev.baton.jobs.Templates.mentionsSecrets(key)) {
                r.problems.add(Paths.key(path, "key"), "secrets cannot be used in cache keys; they travel in clear on Kafka");
            } else {
                r.site(Paths.key(path, "key"), key, Scope.STEP, step, null);
            }
        }
        Long ttl = r.duration(m.get("ttl"), Paths.key(path, "ttl"), false);
        if (ttl == null && !m.has("ttl")) {
            r.problems.add(Paths.key(path, "ttl"), "is required: how long an entry may be reused, such as 7d or PT12H");
        }
        return key == null || ttl == null ? null : new StepCacheSpec(key, ttl);
    }
}
