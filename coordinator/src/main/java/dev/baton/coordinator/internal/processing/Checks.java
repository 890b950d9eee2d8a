package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Asset materializations of a successful attempt and the results of the checks on what it produced. */
final class Checks {
    private final RunDecider plans;

    Checks(RunDecider plans) {
        this.plans = plans;
    }

    /**
     * One materialization per produced asset, plus any extra the step reported; ids derive from the attempt. In a
     * partitioned run they are of the run's partition unless the report names another one.
     */
    List<Materialized> materializations(RunState s, StepState st, List<MaterializationReport> reported) {
        Map<String, Materialized> out = new LinkedHashMap<>();
        StepDefinition def = plans.plan(s.definition()).step(st.key());
        String runPartition = s.partition();
        for (var asset : def.getProduces()) {
            out.put(asset.getKey() + "|", materialized(st, asset.getKey(), runPartition, null));
        }
        java.util.Set<String> reportedDefaults = new java.util.HashSet<>();
        for (MaterializationReport m : reported) {
            String partition = m.getPartition() != null ? m.getPartition() : runPartition;
            String key = m.getAssetKey() + "|" + (partition == null || partition.equals(runPartition) ? "" : partition);
            if (key.endsWith("|")) {
                reportedDefaults.add(key);
            }
            out.put(key, materialized(st, m.getAssetKey(), partition, m.getDataVersion()));
        }
        if (out.keySet().stream().anyMatch(k -> !k.endsWith("|"))) {
            // a report of other partitions replaces the default (the run's partition, or none) for the same asset,
            // unless the default was reported too
            out.keySet().removeIf(k -> k.endsWith("|") && !reportedDefaults.contains(k) && out.keySet().stream()
                    .anyMatch(o -> !o.endsWith("|") && o.startsWith(k)));
        }
        return List.copyOf(out.values());
    }

    /** Results of the checks of every asset the step declares, on this attempt's metadata. */
    List<AssetChecks.Result> checks(RunState s, String stepKey, Map<String, String> outputs,
                                           List<MaterializationReport> reported) {
        List<AssetChecks.Result> results = new ArrayList<>();
        for (var asset : plans.plan(s.definition()).step(stepKey).getProduces()) {
            MaterializationReport rep = reported.stream().filter(m -> m.getAssetKey().equals(asset.getKey())).findFirst().orElse(null);
            results.addAll(AssetChecks.evaluate(asset, AssetChecks.metadata(outputs, rep)));
        }
        return results;
    }

    private static Materialized materialized(StepState st, String asset, String partition, String dataVersion) {
        String id = DecisionContext.uuid(st.attemptId() + "/" + asset + "/" + (partition == null ? "" : partition));
        return new Materialized(asset, partition, id, dataVersion != null ? dataVersion : id);
    }
}
