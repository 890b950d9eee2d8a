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

    public Plan(JobDefinition def) {
        for (StepDefinition s : def.getSteps()) {
            steps.put(s.getKey(), s);
        }
        for (StepDefinition s : def.getOnFailure()) {
            steps.put(s.getKey(), s);
        }
        for (String key : steps.keySet()) {
            upstream.put(key, transitiveUpstream(key));
        }
    }

    public StepDefinition step(String key) {
        return steps.get(key);
    }

    public List<String> needs(String key) {
        return steps.get(key).getNeeds();
    }

    /** All steps this one depends on, directly or transitively. */
    public Set<String> upstreamOf(String key) {
        return upstream.get(key);
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
