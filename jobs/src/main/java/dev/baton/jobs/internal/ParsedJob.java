package dev.baton.jobs.internal;

import dev.baton.events.JobDefinition;
import dev.baton.events.ParamSpec;
import dev.baton.events.StepDefinition;
import dev.baton.events.ValueFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@link JobReader} found, with the paths the cross-reference checks need. */
public final class ParsedJob {
    /** Where a string that may hold templates sits, and which namespaces it may use. */
    public enum Scope { STEP, JOB_ENV, TRIGGER, SCHEDULE }

    public record Ref(String value, String path) {}

    /**
     * @param step     the step key for STEP scope
     * @param format   the value format for TRIGGER scope
     */
    public record TemplateSite(String path, String text, Scope scope, String step, ValueFormat format) {}

    public record AssetDraft(String key, String path, List<Ref> deps) {}

    /**
     * @param declaredOutputs output names known in advance (http steps), empty for noop and sleep, null when
     *                        the step may emit any output (run and java steps)
     */
    public record StepDraft(String key, String path, boolean onFailure, List<Ref> needs, String actionKind,
                            Set<String> declaredOutputs, List<AssetDraft> produces, StepDefinition step) {}

    /** @param value the value as written (templates unresolved), or null when it is not a string */
    public record ParamUse(String name, String path, String value) {}

    /** Params set by a schedule or trigger, to check against the declared ones. */
    public record ParamSource(String path, String what, List<ParamUse> params, boolean suppliesParams) {}

    public record TriggerDraft(String name, String path, List<Ref> assets) {}

    public JobDefinition.Builder job;
    public final List<StepDraft> steps = new ArrayList<>();
    public final List<StepDraft> onFailure = new ArrayList<>();
    public final Map<String, ParamSpec> params = new LinkedHashMap<>();
    public final List<TemplateSite> sites = new ArrayList<>();
    public final List<ParamSource> paramSources = new ArrayList<>();
    public final List<TriggerDraft> assetTriggers = new ArrayList<>();
    /** The job's partitions (null: not partitioned, or invalid); templates are checked against them. */
    public dev.baton.events.PartitionsSpec partitions;

    public List<StepDraft> allSteps() {
        List<StepDraft> all = new ArrayList<>(steps);
        all.addAll(onFailure);
        return all;
    }
}
