package dev.baton.coordinator.internal.processing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.events.StepDefinition;
import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.Templates;
import dev.baton.runmodel.events.Event.ErrorClass;
import dev.baton.runmodel.events.Event.StepFailed;
import dev.baton.runmodel.events.Event.StepMapped;
import dev.baton.runmodel.events.Event.StepSucceeded;
import dev.baton.runmodel.state.ForEachProgress;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepInstances;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * forEach: resolves a ready step's list ({@code STEP_MAPPED}), keeps up to {@code maxParallel} instances
 * ({@code key[i]}, in element order) in flight, and ends the mapped step when its instances have: succeeded with each
 * output as a JSON array in element order, or failed when an instance failed for good (no new instance starts after
 * that; those in flight finish).
 */
final class ForEach {
    /** In-flight instances when the step sets no {@code maxParallel} (docs/jobs.md). */
    static final int DEFAULT_MAX_PARALLEL = 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CACHE_LIMIT = 64;

    private final RunDecider plans;
    /**
     * Parsed lists of mapped steps, by run and step: the list is re-derived from the same upstream output on every
     * dispatch, so a cache of this pure function saves re-parsing a 10,000-element array per instance.
     */
    private final Map<String, Items> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Items> eldest) {
            return size() > CACHE_LIMIT;
        }
    };

    private record Items(String source, List<String> elements) {}

    ForEach(RunDecider plans) {
        this.plans = plans;
    }

    static boolean isMapped(StepDefinition def) {
        return def.getForEach() != null;
    }

    /** A mapped step became ready: resolve its list, record {@code STEP_MAPPED} (or fail the step). */
    void start(StepState st, DecisionContext ctx, Steps steps) {
        RunState s = ctx.state();
        StepDefinition def = plans.plan(s.definition()).step(st.key());
        List<String> elements;
        try {
            elements = elements(s, def);
        } catch (IllegalArgumentException e) {
            ctx.append(st.key(), new StepFailed(0, "", ErrorClass.USER_ERROR, e.getMessage(), null, false, true, 0));
            return;
        }
        int max = def.getMaxParallel() != null ? def.getMaxParallel() : DEFAULT_MAX_PARALLEL;
        ctx.append(st.key(), new StepMapped(elements.size(), max));
        fill(ctx.state().step(st.key()), ctx, steps);
    }

    /**
     * Starts instances up to the window, and ends the mapped step when nothing is left to run.
     *
     * @return whether it appended anything
     */
    boolean fill(StepState mapped, DecisionContext ctx, Steps steps) {
        boolean changed = false;
        while (true) {
            RunState s = ctx.state();
            StepState st = s.step(mapped.key());
            ForEachProgress p = st.forEach();
            if (st.status() != StepStatus.RUNNING || p == null) {
                return changed;
            }
            boolean stopping = p.failed() > 0 || p.canceled() > 0 || s.status() != RunStatus.RUNNING;
            if (p.active() == 0 && (p.started() == p.count() || stopping)) {
                finish(st, p, ctx);
                return true;
            }
            if (stopping || p.started() >= p.count() || p.active() >= p.maxParallel()) {
                return changed;
            }
            StepState instance = StepState.pending(StepInstances.key(st.key(), p.started()), false);
            steps.dispatchOrQueue(instance, ctx);
            changed = true;
        }
    }

    /** The element of an instance as JSON text, for {@code ${{ item }}}. */
    String item(RunState s, String instanceKey) {
        String parent = StepInstances.parent(instanceKey);
        StepDefinition def = plans.plan(s.definition()).step(parent);
        return elements(s, def).get(StepInstances.index(instanceKey));
    }

    private void finish(StepState st, ForEachProgress p, DecisionContext ctx) {
        if (p.failed() > 0 || p.canceled() > 0 || p.started() < p.count()) {
            String message = p.failed() + " of " + p.count() + " instances failed"
                    + (p.canceled() > 0 ? ", " + p.canceled() + " canceled" : "")
                    + (p.started() < p.count() ? "; " + (p.count() - p.started()) + " not started" : "");
            ctx.append(st.key(), new StepFailed(0, "", ErrorClass.USER_ERROR, message, null, false, true, 0));
            return;
        }
        ctx.append(st.key(), new StepSucceeded(0, "", collect(st.key(), p.count(), ctx), Map.of(), 0, List.of()));
    }

    /** Each output name as a JSON array of the instances' values in element order (null where one has none). */
    private Map<String, String> collect(String step, int count, DecisionContext ctx) {
        List<Map<String, String>> all = new ArrayList<>(count);
        TreeSet<String> names = new TreeSet<>(plans.plan(ctx.state().definition()).referencedOutputs(step));
        for (int i = 0; i < count; i++) {
            Map<String, String> o = ctx.instanceOutputs(step, i);
            all.add(o == null ? Map.of() : o);
            if (o != null) {
                names.addAll(o.keySet());
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : names) {
            ArrayNode array = JSON.createArrayNode();
            for (Map<String, String> o : all) {
                String v = o.get(name);
                if (v == null) {
                    array.addNull();
                } else {
                    array.add(v);
                }
            }
            out.put(name, array.toString());
        }
        return out;
    }

    private List<String> elements(RunState s, StepDefinition def) {
        String key = s.runId() + "\u0000" + def.getKey();
        TemplateContext.Builder b = TemplateContext.builder().params(s.params()).run(s.runId(), s.job());
        RunDecider.upstreamOutputs(s, plans.plan(s.definition()), def.getKey(), StepState::outputs).forEach(b::stepOutputs);
        String source;
        try {
            source = Templates.resolve(def.getForEach(), b.build());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("forEach: cannot resolve " + def.getForEach() + ": " + e.getMessage());
        }
        synchronized (cache) {
            Items cached = cache.get(key);
            if (cached != null && cached.source().equals(source)) {
                return cached.elements();
            }
        }
        JsonNode node;
        try {
            node = JSON.readTree(source);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("forEach: expected a JSON array, got " + describe(node, source));
        }
        List<String> elements = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            elements.add(element.toString());
        }
        List<String> list = List.copyOf(elements);
        synchronized (cache) {
            cache.put(key, new Items(source, list));
        }
        return list;
    }

    private static String describe(JsonNode node, String source) {
        String shown = source.length() > 80 ? source.substring(0, 80) + "..." : source;
        if (node == null || node.isMissingNode()) {
            return "text that is not JSON: '" + shown + "'";
        }
        return "a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ": " + shown;
    }
}
