package dev.baton.gateway.internal.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Bodies of the job routes ({@code /api/v1/jobs...}). */
public final class JobResponses {
    private JobResponses() {}

    /** The answer to a registration: 201 with a new version, 200 when the definition is unchanged. */
    public record Registered(String name, int version, boolean changed) {}

    /** A job in the list, and the head of its detail. */
    public record Summary(String name, int version, String description, String registeredAt, List<String> steps,
                          List<String> schedules, int triggers, List<String> produces, Map<String, String> tags) {
        public static Summary of(JobDefinition d) {
            Set<String> assets = new LinkedHashSet<>();
            d.getSteps().forEach(st -> st.getProduces().forEach(a -> assets.add(a.getKey())));
            return new Summary(d.getName(), d.getVersion(), d.getDescription(), d.getRegisteredAt().toString(),
                    d.getSteps().stream().map(StepDefinition::getKey).toList(),
                    d.getSchedules().stream().map(x -> x.getName()).toList(), d.getTriggers().size(), List.copyOf(assets),
                    d.getTags());
        }
    }

    /**
     * One version of a job with the versions there are, its definition and the file it was registered from.
     *
     * @param definition the definition in the job file's own shape ({@code JobWriter.toTree})
     */
    public record Detail(@JsonUnwrapped Summary summary, int latestVersion, List<Integer> versions,
                         Map<String, Object> definition, String source) {}
}
