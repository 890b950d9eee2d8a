package dev.baton.coordinator.internal.processing;

import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.SleepAction;
import dev.baton.events.StepDefinition;
import dev.baton.events.SubJobAction;
import dev.baton.jobs.TemplateException;
import dev.baton.jobs.TemplateReference;
import dev.baton.jobs.Templates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a step's {@code ExecuteStep} carries besides its action, derived once per step definition (in {@link Plan}, so
 * once per job version). The coordinator resolves every template before it sends a command, so the agent needs the
 * run's params and the upstream outputs only where the documented contract shows them to the step (docs/jobs.md,
 * "What a step's command carries"): a {@code run} step's environment ({@code BATON_PARAM_*}, {@code BATON_INPUT_*})
 * and a {@code java} step's {@code StepContext.params()/inputs()}. {@code noop}, {@code sleep} and {@code http} steps
 * get neither. The instances of a {@code forEach} step leave out the params and upstream outputs the {@code forEach}
 * template reads (the list they map over), which every instance would otherwise repeat; each gets its own element
 * through {@code ${{ item }}}.
 *
 * @param exposed        whether the step's action shows params and upstream outputs to the step at all
 * @param omittedParams  params left out (those the {@code forEach} template reads)
 * @param omittedOutputs upstream outputs left out, by step key (those the {@code forEach} template reads)
 */
public record CommandData(boolean exposed, Set<String> omittedParams, Map<String, Set<String>> omittedOutputs) {
    public CommandData {
        omittedParams = Set.copyOf(omittedParams);
        omittedOutputs = Map.copyOf(omittedOutputs);
    }

    /** Derives the rules of one step definition; uses the template parser on its {@code forEach}. */
    public static CommandData of(StepDefinition def) {
        Set<String> params = new TreeSet<>();
        Map<String, Set<String>> outputs = new TreeMap<>();
        if (def.getForEach() != null) {
            List<TemplateReference> refs;
            try {
                refs = Templates.references(def.getForEach());
            } catch (TemplateException e) {
                refs = List.of(); // cannot happen for a registered definition; then nothing is left out
            }
            for (TemplateReference ref : refs) {
                List<String> p = ref.path();
                if (p.size() >= 2 && p.get(0).equals("params")) {
                    params.add(p.get(1));
                } else if (p.size() >= 4 && p.get(0).equals("steps") && p.get(2).equals("outputs")) {
                    outputs.computeIfAbsent(p.get(1), k -> new TreeSet<>()).add(p.get(3));
                }
            }
        }
        return new CommandData(exposes(def.getAction()), params, outputs);
    }

    /** Whether the agent shows params and upstream outputs to a step running this action (docs/agent.md). */
    static boolean exposes(Object action) {
        return switch (action) {
            case NoopAction a -> false;
            case SleepAction a -> false;
            case HttpAction a -> false; // url, headers and body are resolved; the request sees nothing else
            case SubJobAction a -> false; // never sent to an agent
            case RunAction a -> true; // BATON_PARAM_<NAME>, BATON_INPUT_<STEP>_<NAME>
            case JavaAction a -> true; // StepContext.params(), inputs()
            default -> true; // an action type added later keeps the whole contract until it says otherwise
        };
    }

    /** The params the command carries, out of the run's effective params. */
    public Map<String, String> params(Map<String, String> all) {
        if (!exposed) {
            return Map.of();
        }
        if (omittedParams.isEmpty()) {
            return all;
        }
        Map<String, String> out = new LinkedHashMap<>(all);
        out.keySet().removeAll(omittedParams);
        return out;
    }

    /** The upstream outputs the command carries, out of those of every succeeded upstream step. */
    public Map<String, Map<String, String>> inputs(Map<String, Map<String, String>> all) {
        if (!exposed) {
            return Map.of();
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>(all);
        omittedOutputs.forEach((step, names) -> {
            Map<String, String> o = out.get(step);
            if (o != null) {
                Map<String, String> kept = new LinkedHashMap<>(o);
                kept.keySet().removeAll(names);
                out.put(step, kept);
            }
        });
        return out;
    }
}
