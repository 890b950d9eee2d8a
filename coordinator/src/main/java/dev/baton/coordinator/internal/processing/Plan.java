package dev.baton.coordinator.internal.processing;

import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The step graph of a definition, derived once per definition (definitions are validated at registration). */
public final class Plan {
    private final Map<String, StepDefinition> steps = new LinkedHashMap<>();
    private final Map<String, Set<String>> upstream = new LinkedHashMap<>();
    private final Map<String, CommandData> commandData = new LinkedHashMap<>();

    /** Every string of the definition's steps (actions, env, conditions), for {@link #referencedOutputs}. */
    private final String text;

    public Plan(JobDefinition def) {
        StringBuilder all = new StringBuilder();
        def.getSteps().forEach(s -> all.append(s).append('\n'));
        def.getOnFailure().forEach(s -> all.append(s).append('\n'));
        this.text = all.toString();
        for (StepDefinition s : def.getSteps()) {
            steps.put(s.getKey(), s);
        }
        for (StepDefinition s : def.getOnFailure()) {
            steps.put(s.getKey(), s);
        }
        for (String key : steps.keySet()) {
            upstream.put(key, transitiveUpstream(key));
            commandData.put(key, CommandData.of(steps.get(key)));
        }
    }

    /** What the commands of a step (or of an instance of a forEach step) carry besides the action, see {@link CommandData}. */
    public CommandData commandData(String key) {
        CommandData d = commandData.get(key);
        return d != null ? d : commandData.get(definitionKey(key));
    }

    /** The definition of a step, or of the forEach step an instance key ({@code each[3]}) belongs to. */
    public StepDefinition step(String key) {
        StepDefinition d = steps.get(key);
        return d != null ? d : steps.get(definitionKey(key));
    }

    public List<String> needs(String key) {
        return step(key).getNeeds();
    }

    /** All steps this one depends on, directly or transitively (an instance: those of its forEach step). */
    public Set<String> upstreamOf(String key) {
        Set<String> u = upstream.get(key);
        return u != null ? u : upstream.get(definitionKey(key));
    }

    private static String definitionKey(String key) {
        String parent = dev.baton.runmodel.state.StepInstances.parent(key);
        return parent == null ? key : parent;
    }

    private final Map<String, Set<String>> referencedOutputs = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Output names of {@code step} that any step of the job reads ({@code steps.<step>.outputs.<name>} in templates and
     * conditions): a forEach step with no instance that wrote one still has it, as a JSON array.
     */
    public Set<String> referencedOutputs(String step) {
        return referencedOutputs.computeIfAbsent(step, k -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("steps\\s*\\.\\s*"
                    + java.util.regex.Pattern.quote(k) + "\\s*\\.\\s*outputs\\s*\\.\\s*([A-Za-z0-9_-]+)").matcher(text);
            Set<String> names = new java.util.TreeSet<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            return Set.copyOf(names);
        });
    }

    private Set<String> transitiveUpstream(String key) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(steps.get(key).getNeeds());
        while (!todo.isEmpty()) {
            String k = todo.removeLast();
            if (seen.add(k) && steps.containsKey(k)) {
                todo.addAll(steps.get(k).getNeeds());
            }
        }
        return Set.copyOf(seen);
    }
}
