package dev.baton.jobs.internal;

import dev.baton.events.ParamSpec;
import dev.baton.events.ValueFormat;
import dev.baton.jobs.TemplateReference;
import dev.baton.jobs.internal.ParsedJob.AssetDraft;
import dev.baton.jobs.internal.ParsedJob.ParamSource;
import dev.baton.jobs.internal.ParsedJob.ParamUse;
import dev.baton.jobs.internal.ParsedJob.Ref;
import dev.baton.jobs.internal.ParsedJob.Scope;
import dev.baton.jobs.internal.ParsedJob.StepDraft;
import dev.baton.jobs.internal.ParsedJob.TemplateSite;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks that need the whole job: step keys, needs, cycles, templates, params set by schedules and triggers, assets. */
public final class JobChecks {
    private static final Map<Scope, Set<String>> NAMESPACES = Map.of(
            Scope.STEP, Set.of(TemplateGrammar.PARAMS, TemplateGrammar.STEPS, TemplateGrammar.RUN, TemplateGrammar.ATTEMPT,
                    TemplateGrammar.PARTITION, TemplateGrammar.SECRETS, TemplateGrammar.ITEM, TemplateGrammar.ITEM_INDEX),
            Scope.JOB_ENV, Set.of(TemplateGrammar.PARAMS, TemplateGrammar.RUN, TemplateGrammar.ATTEMPT,
                    TemplateGrammar.PARTITION, TemplateGrammar.SECRETS),
            Scope.TRIGGER, Set.of(TemplateGrammar.TRIGGER),
            Scope.SCHEDULE, Set.of(TemplateGrammar.SCHEDULE));

    /** Params and run keys travel in clear on Kafka and come back from the API: no secret may become one. */
    static final String NO_SECRETS_IN_PARAMS = "secrets cannot be used in params (they travel in clear on Kafka and"
            + " are shown by the API); name the secret where a step uses it (run, env, http url, headers or body)";

    private final Problems problems;
    private final ParsedJob job;
    /** First step with each key (duplicates are reported and otherwise ignored). */
    private final Map<String, StepDraft> byKey = new LinkedHashMap<>();
    /** Step path to the steps it validly needs. */
    private final Map<String, List<StepDraft>> needs = new HashMap<>();
    /** Step key to its transitive upstream step keys. */
    private final Map<String, Set<String>> upstream = new HashMap<>();

    public JobChecks(Problems problems, ParsedJob job) {
        this.problems = problems;
        this.job = job;
    }

    public void check() {
        stepKeys();
        needs();
        cycles(job.steps);
        cycles(job.onFailure);
        for (StepDraft step : byKey.values()) {
            upstream.put(step.key(), closure(step));
        }
        templates();
        conditions();
        paramSources();
        assets();
        subJobs();
    }

    /**
     * A job step that names its own job would start itself forever: rejected here. Longer cycles (a calls b calls a)
     * need the other jobs' definitions; the coordinator stops them when the step starts (each run carries the chain of
     * jobs that called it, and a step whose job is already in it fails).
     */
    private void subJobs() {
        String self = job.job == null || !job.job.hasName() ? null : job.job.getName();
        for (StepDraft d : job.allSteps()) {
            if (!(d.step().getAction() instanceof dev.baton.events.SubJobAction sub)) {
                continue;
            }
            String p = Paths.key(d.path(), "job");
            if (sub.getJob().equals(self)) {
                problems.add(p, "step '" + d.key() + "' runs job '" + self + "', the job it belongs to: a job cannot"
                        + " call itself as a sub-job");
            }
            if (!d.produces().isEmpty()) {
                problems.add(Paths.key(d.path(), "produces"), "a job step produces no assets itself; the sub-job's"
                        + " steps declare what they produce");
            }
            if (d.step().getHeartbeatTimeoutMs() != null) {
                problems.add(Paths.key(d.path(), "heartbeatTimeout"), "a job step has no agent to heartbeat; remove it");
            }
            if (d.step().getInfraRetries() != null) {
                problems.add(Paths.key(d.path(), "infraRetries"), "a job step has no agent to lose; the sub-job's"
                        + " steps have their own infrastructure retries");
            }
        }
    }

    private void stepKeys() {
        for (StepDraft step : job.allSteps()) {
            if (step.key().isEmpty()) {
                continue;
            }
            StepDraft first = byKey.putIfAbsent(step.key(), step);
            if (first != null) {
                problems.add(Paths.key(step.path(), "key"), "duplicate step key '" + step.key() + "' (also at "
                        + first.path() + ")");
            }
        }
    }

    private void needs() {
        for (StepDraft step : job.allSteps()) {
            List<StepDraft> valid = new ArrayList<>();
            for (Ref need : step.needs()) {
                StepDraft target = byKey.get(need.value());
                if (need.value().equals(step.key())) {
                    problems.add(need.path(), "a step cannot need itself");
                } else if (target == null) {
                    List<String> candidates = job.allSteps().stream()
                            .filter(s -> s.onFailure() == step.onFailure()).map(StepDraft::key).toList();
                    problems.add(need.path(), "unknown step '" + need.value() + "'" + Suggest.hint(need.value(), candidates));
                } else if (step.onFailure() && !target.onFailure()) {
                    problems.add(need.path(), "onFailure steps can only need other onFailure steps; '" + need.value()
                            + "' is a main step");
                } else if (!step.onFailure() && target.onFailure()) {
                    problems.add(need.path(), "'" + need.value() + "' is an onFailure step; main steps cannot need it");
                } else {
                    valid.add(target);
                }
            }
            needs.put(step.path(), valid);
        }
    }

    private void cycles(List<StepDraft> steps) {
        Map<StepDraft, Integer> state = new HashMap<>(); // absent: unvisited, 1: on stack, 2: done
        Set<Set<String>> reported = new HashSet<>();
        for (StepDraft step : steps) {
            if (byKey.get(step.key()) == step && !state.containsKey(step)) {
                dfs(step, state, new ArrayDeque<>(), reported, steps);
            }
        }
    }

    private void dfs(StepDraft step, Map<StepDraft, Integer> state, Deque<StepDraft> stack, Set<Set<String>> reported,
                     List<StepDraft> order) {
        state.put(step, 1);
        stack.addLast(step);
        for (StepDraft next : needs.getOrDefault(step.path(), List.of())) {
            Integer s = state.get(next);
            if (s == null) {
                dfs(next, state, stack, reported, order);
            } else if (s == 1) {
                List<StepDraft> cycle = new ArrayList<>();
                boolean on = false;
                for (StepDraft d : stack) {
                    on |= d == next;
                    if (on) {
                        cycle.add(d);
                    }
                }
                Set<String> members = cycle.stream().map(StepDraft::key).collect(Collectors.toSet());
                if (reported.add(members)) {
                    // Start the description at the step declared first, so the message is stable.
                    int start = 0;
                    for (int i = 1; i < cycle.size(); i++) {
                        if (order.indexOf(cycle.get(i)) < order.indexOf(cycle.get(start))) {
                            start = i;
                        }
                    }
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i <= cycle.size(); i++) {
                        names.add(cycle.get((start + i) % cycle.size()).key());
                    }
                    problems.add(Paths.key(cycle.get(start).path(), "needs"),
                            "dependency cycle: " + String.join(" -> ", names) + " (each step needs the next)");
                }
            }
        }
        stack.removeLast();
        state.put(step, 2);
    }

    private Set<String> closure(StepDraft step) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<StepDraft> todo = new ArrayDeque<>(needs.getOrDefault(step.path(), List.of()));
        while (!todo.isEmpty()) {
            StepDraft d = todo.removeFirst();
            if (seen.add(d.key())) {
                todo.addAll(needs.getOrDefault(d.path(), List.of()));
            }
        }
        seen.remove(step.key());
        return seen;
    }

    // ---------------------------------------------------------------- templates

    private void templates() {
        for (TemplateSite site : job.sites) {
            for (TemplateScanner.Item item : TemplateScanner.scan(site.text())) {
                if (item.error() != null) {
                    problems.add(site.path(), "invalid template " + item.error().getMessage());
                    continue;
                }
                String error = referenceError(site, item.reference());
                if (error != null) {
                    problems.add(site.path(), item.reference().text() + ": " + error);
                }
            }
        }
    }

    private String referenceError(TemplateSite site, TemplateReference ref) {
        String shape = TemplateGrammar.shapeError(ref.path());
        if (shape != null) {
            return shape;
        }
        String ns = ref.namespace();
        if (!NAMESPACES.get(site.scope()).contains(ns)) {
            return unavailable(site.scope(), ns);
        }
        return switch (ns) {
            case TemplateGrammar.PARAMS -> unknownParam(ref.path().get(1));
            case TemplateGrammar.STEPS -> stepReferenceError(site, ref.path().get(1), ref.path().get(3));
            case TemplateGrammar.TRIGGER -> site.format() == ValueFormat.STRING && ref.path().get(1).equals("value")
                    && ref.path().size() > 2 ? "the value has no fields when the trigger's format is STRING" : null;
            case TemplateGrammar.PARTITION -> partitionReferenceError(ref.path());
            case TemplateGrammar.ITEM, TemplateGrammar.ITEM_INDEX -> itemReferenceError(site, ns);
            default -> null;
        };
    }

    private String itemReferenceError(TemplateSite site, String ns) {
        StepDraft current = byKey.get(site.step());
        if (current == null) {
            return null; // the using step has no valid key; reported already
        }
        if (site.path().endsWith(".forEach")) {
            return "forEach cannot use " + ns + " (it gives the list the items come from)";
        }
        if (current.step().getForEach() == null) {
            return ns + " is only available in a step with forEach";
        }
        return null;
    }

    /** A step's when: reads only declared params and outputs of its upstream steps. */
    private void conditions() {
        for (StepDraft step : job.allSteps()) {
            String when = step.step().getWhen();
            if (when == null || byKey.get(step.key()) != step) {
                continue;
            }
            String path = Paths.key(step.path(), "when");
            org.apache.commons.jexl3.JexlExpression expression;
            try {
                expression = dev.baton.jobs.JobExpressions.compileCondition(when);
            } catch (IllegalArgumentException e) {
                continue; // reported by the step reader
            }
            TemplateSite site = new TemplateSite(path, when, Scope.STEP, step.key(), null);
            for (List<String> v : dev.baton.jobs.JobExpressions.conditionVariables(expression)) {
                String error;
                if (v.get(0).equals(TemplateGrammar.PARAMS)) {
                    error = v.size() == 2 ? unknownParam(v.get(1)) : "expected params.<name>";
                } else {
                    error = v.size() == 4 && v.get(2).equals("outputs") ? stepReferenceError(site, v.get(1), v.get(3))
                            : "expected steps.<step>.outputs.<name>";
                }
                if (error != null) {
                    problems.add(path, String.join(".", v) + ": " + error);
                }
            }
        }
    }

    private String partitionReferenceError(List<String> path) {
        if (job.partitions == null) {
            return "the job has no partitions; declare them under partitions";
        }
        dev.baton.jobs.PartitionSet set = dev.baton.jobs.PartitionSet.of(job.partitions);
        String field = path.get(path.size() - 1);
        if (path.size() == 3) {
            var dim = set.dimensions().stream().filter(d -> d.name().equals(path.get(1))).findFirst();
            if (dim.isEmpty() || !set.multiDimensional()) {
                return set.multiDimensional() ? "unknown partition dimension '" + path.get(1) + "'; the dimensions are "
                        + String.join(", ", set.dimensions().stream().map(dev.baton.jobs.PartitionSet.Dimension::name).toList())
                        : "the job's partitions have one dimension; use partition." + field;
            }
            return field.equals("key") || dim.get() instanceof dev.baton.jobs.PartitionSet.TimeDimension ? null
                    : "dimension '" + path.get(1) + "' is a " + (dim.get() instanceof dev.baton.jobs.PartitionSet.DynamicDimension
                            ? "dynamic set" : "static list") + ": its partitions have no " + field;
        }
        return field.equals("key") || set.timeDimension().isPresent() ? null
                : "the job's partitions have no time window, so no partition." + field;
    }

    private static String unavailable(Scope scope, String ns) {
        if (ns.equals(TemplateGrammar.SECRETS)) {
            return NO_SECRETS_IN_PARAMS;
        }
        return switch (scope) {
            case STEP, JOB_ENV -> switch (ns) {
                case TemplateGrammar.TRIGGER -> "trigger.* is only available in Kafka trigger params and runKey;"
                        + " pass the value as a param there and use ${{ params.<name> }}";
                case TemplateGrammar.SCHEDULE -> "schedule.* is only available in schedule params;"
                        + " pass the value as a param there and use ${{ params.<name> }}";
                case TemplateGrammar.PARTITION -> "partition.* is not available here";
                default -> "job-level env cannot use step outputs; set the variable in the step's env";
            };
            case TRIGGER -> "only trigger.* is available in Kafka trigger params and runKey";
            case SCHEDULE -> "only schedule.* is available in schedule params";
        };
    }

    private String unknownParam(String name) {
        if (job.params.containsKey(name)) {
            return null;
        }
        return "unknown parameter '" + name + "'" + (job.params.isEmpty() ? "; declare it under params"
                : Suggest.hint(name, job.params.keySet()).isEmpty()
                        ? "; declared: " + String.join(", ", job.params.keySet())
                        : Suggest.hint(name, job.params.keySet()));
    }

    private String stepReferenceError(TemplateSite site, String stepKey, String output) {
        StepDraft target = byKey.get(stepKey);
        StepDraft current = byKey.get(site.step());
        if (target == null) {
            return "unknown step '" + stepKey + "'" + Suggest.hint(stepKey, byKey.keySet());
        }
        if (stepKey.equals(site.step())) {
            return "a step cannot use its own outputs";
        }
        if (current == null) {
            return null; // the using step has no valid key; reported already
        }
        if (current.onFailure() && !target.onFailure()) {
            return "onFailure steps cannot use outputs of main steps (the step may not have run);"
                    + " only outputs of upstream onFailure steps";
        }
        if (!upstream.getOrDefault(current.key(), Set.of()).contains(stepKey)) {
            return "step '" + stepKey + "' is not upstream of '" + current.key()
                    + "'; add it to needs (directly or through another step)";
        }
        Set<String> declared = target.declaredOutputs();
        if (declared != null && !declared.contains(output)) {
            return declared.isEmpty()
                    ? target.actionKind().equals("http")
                            ? "step '" + stepKey + "' declares no outputs (http.outputs)"
                            : "step '" + stepKey + "' is a " + target.actionKind() + " step, which has no outputs"
                    : "step '" + stepKey + "' has no output '" + output + "'; it declares " + String.join(", ", declared);
        }
        return null;
    }

    // ---------------------------------------------------------------- params set by schedules and triggers

    private void paramSources() {
        for (ParamSource source : job.paramSources) {
            Set<String> set = new HashSet<>();
            for (ParamUse use : source.params()) {
                set.add(use.name());
                String error = unknownParam(use.name());
                if (error != null) {
                    problems.add(use.path(), error);
                } else if (use.value() != null && !dev.baton.jobs.Templates.containsTemplates(use.value())) {
                    // A literal value must fit the declaration now rather than fail every tick or record later.
                    String wrong = dev.baton.jobs.JobParams.valueProblem(job.params.get(use.name()), use.value());
                    if (wrong != null) {
                        problems.add(use.path(), wrong);
                    }
                }
            }
            for (Map.Entry<String, ParamSpec> param : job.params.entrySet()) {
                if (!param.getValue().getRequired() || set.contains(param.getKey())) {
                    continue;
                }
                if (source.suppliesParams()) {
                    problems.add(source.path(), "required parameter '" + param.getKey() + "' is not set by " + source.what());
                } else {
                    problems.add(source.path(), source.what() + " starts runs without params, but parameter '"
                            + param.getKey() + "' is required");
                }
            }
        }
    }

    // ---------------------------------------------------------------- assets

    private void assets() {
        Map<String, StepDraft> producers = new HashMap<>();
        for (StepDraft step : job.steps) {
            for (AssetDraft asset : step.produces()) {
                StepDraft first = producers.putIfAbsent(asset.key(), step);
                if (first != null) {
                    problems.add(asset.path(), "asset '" + asset.key() + "' is already produced by step '"
                            + first.key() + "'");
                }
                for (Ref dep : asset.deps()) {
                    if (dep.value().equals(asset.key())) {
                        problems.add(dep.path(), "an asset cannot depend on itself");
                    }
                }
            }
        }
        for (ParsedJob.TriggerDraft trigger : job.assetTriggers) {
            for (Ref asset : trigger.assets()) {
                StepDraft producer = producers.get(asset.value());
                if (producer != null) {
                    problems.add(asset.path(), "this job produces '" + asset.value() + "' itself (step '"
                            + producer.key() + "'); triggering on it would start the job again after every run");
                }
            }
        }
    }
}
