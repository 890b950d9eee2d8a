package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a step's command carries besides its action (docs/jobs.md "What a step's command carries"). */
class CommandDataTest {

    static final JobDefinition JOB = Fold.job("""
            name: carried
            params:
              ids: { default: "[]" }
              extra: { default: "[]" }
              other: { default: "o" }
            steps:
              - key: list
                run: echo list
              - { key: pause, needs: [list], sleep: 1s }
              - key: handler
                needs: [list]
                java: { handler: h, config: { day: "${{ params.other }}" } }
              - key: each
                needs: [list]
                forEach: "${{ steps.list.outputs.items }}"
                java: { handler: h, config: { item: "${{ item }}" } }
              - key: both
                forEach: "${{ params.ids }}"
                run: echo "${{ item }} ${{ params.extra }}"
            """);

    static final Map<String, String> PARAMS = Map.of("ids", "[1,2]", "extra", "[3]", "other", "o");
    static final Map<String, Map<String, String>> INPUTS = Map.of("list", Map.of("items", "[1,2]", "note", "n"));

    static CommandData of(String key) {
        return new Plan(JOB).commandData(key);
    }

    @Test
    void runAndJavaStepsCarryEveryParamAndOutputTheOthersNone() {
        assertThat(of("list").params(PARAMS)).isEqualTo(PARAMS);
        assertThat(of("handler").params(PARAMS)).as("a java handler reads ctx.params()").isEqualTo(PARAMS);
        assertThat(of("handler").inputs(INPUTS)).isEqualTo(INPUTS);
        assertThat(of("pause").exposed()).isFalse();
        assertThat(of("pause").params(PARAMS)).isEmpty();
        assertThat(of("pause").inputs(INPUTS)).isEmpty();
    }

    @Test
    void aForEachInstanceLeavesOutWhatItsForEachTemplateReadsAndOnlyThat() {
        CommandData each = of("each[7]");
        assertThat(each.omittedOutputs()).isEqualTo(Map.of("list", Set.of("items")));
        assertThat(each.params(PARAMS)).isEqualTo(PARAMS);
        assertThat(each.inputs(INPUTS)).isEqualTo(Map.of("list", Map.of("note", "n")));
        CommandData both = of("both[0]");
        assertThat(both.params(PARAMS)).as("extra is read by the script's template, resolved in the coordinator; "
                + "it is not the list, so the process still sees it").isEqualTo(Map.of("extra", "[3]", "other", "o"));
        Plan plan = new Plan(JOB);
        assertThat(plan.commandData("both[0]")).as("derived once per definition, shared by its instances")
                .isSameAs(plan.commandData("both[5]")).isSameAs(plan.commandData("both"));
    }
}
