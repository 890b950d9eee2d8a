package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import dev.baton.events.StepRunIf;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** forEach / maxParallel, when / runIf in the job format; item / item_index templates; condition evaluation. */
class DynamicStepsTest {
    static final String FAN = """
            name: fan
            steps:
              - key: list
                run: echo 'items=["a","b","c"]' >> "$BATON_OUTPUT"
              - key: each
                needs: [list]
                forEach: "${{ steps.list.outputs.items }}"
                maxParallel: 8
                run: echo "got=${{ item }}" >> "$BATON_OUTPUT"
              - key: join
                needs: [each]
                run: echo "all=${{ steps.each.outputs.got }}" >> "$BATON_OUTPUT"
            """;

    @Test
    void theFanExampleParsesAndWritesBack() {
        JobDefinition def = TestJobs.parse(FAN);
        StepDefinition each = def.getSteps().get(1);
        assertThat(each.getForEach()).isEqualTo("${{ steps.list.outputs.items }}");
        assertThat(each.getMaxParallel()).isEqualTo(8);
        assertThat(each.getRunIf()).isEqualTo(StepRunIf.ALL_SUCCEEDED);
        JobDefinition again = TestJobs.parse(JobWriter.toYaml(def));
        assertThat(again.getSteps()).isEqualTo(def.getSteps());
    }

    @Test
    void whenAndRunIfParseAndWriteBack() {
        JobDefinition def = TestJobs.parse("""
                name: c
                params: { region: { default: eu } }
                steps:
                  - { key: a, run: echo }
                  - { key: b, needs: [a], when: "params.region == 'eu' && steps.a.outputs.n > 0", run: echo }
                  - { key: c, needs: [b], runIf: anyFailed, run: echo }
                  - { key: d, needs: [b], runIf: ALL_DONE, run: echo }
                """);
        assertThat(def.getSteps().get(1).getWhen()).isEqualTo("params.region == 'eu' && steps.a.outputs.n > 0");
        assertThat(def.getSteps().get(2).getRunIf()).isEqualTo(StepRunIf.ANY_FAILED);
        assertThat(def.getSteps().get(3).getRunIf()).isEqualTo(StepRunIf.ALL_DONE);
        assertThat(JobWriter.toYaml(def)).contains("runIf: anyFailed").contains("runIf: allDone");
        assertThat(TestJobs.parse(JobWriter.toYaml(def)).getSteps()).isEqualTo(def.getSteps());
    }

    @Test
    void badDynamicKeysAreReportedWithTheirPaths() {
        assertThat(problems("""
                name: x
                params: { p: {} }
                steps:
                  - { key: a, run: echo, maxParallel: 4 }
                  - { key: b, forEach: "[1,2]", run: echo }
                  - { key: c, forEach: "${{ params.p }}", maxParallel: 0, run: echo }
                  - { key: d, runIf: sometimes, run: echo }
                  - { key: e, when: "params.p ==", run: echo }
                  - { key: f, when: "value > 1", run: echo }
                  - { key: g, when: "steps.h.outputs.n == '1'", run: echo }
                  - { key: h, run: echo }
                  - { key: i, run: "echo ${{ item }} ${{ item_index }}" }
                  - { key: j, forEach: "${{ item }}", run: echo }
                  - { key: k, forEach: "${{ params.p }}", run: echo, produces: [k_asset] }
                """)).containsExactlyInAnyOrder(
                problem("steps[0].maxParallel", "maxParallel needs forEach"),
                problem("steps[1].forEach", "expected a template that gives a JSON array, such as"
                        + " \"${{ steps.list.outputs.items }}\" or \"${{ params.regions }}\""),
                problem("steps[2].maxParallel", "must be between 1 and 1000 (got 0)"),
                problem("steps[3].runIf", "'sometimes' is not one of allSucceeded, always, allDone, anyFailed"),
                problem("steps[4].when", "invalid condition expression 'params.p ==': parsing error in '==' at column 10"),
                problem("steps[5].when", "condition reads unknown variable value; available: params.<name>, steps.<step>.outputs.<name>"),
                problem("steps[6].when", "steps.h.outputs.n: step 'h' is not upstream of 'g'; add it to needs (directly or through another step)"),
                problem("steps[8].run", "${{ item }}: item is only available in a step with forEach"),
                problem("steps[8].run", "${{ item_index }}: item_index is only available in a step with forEach"),
                problem("steps[9].forEach", "${{ item }}: forEach cannot use item (it gives the list the items come from)"),
                problem("steps[10].produces", "a forEach step cannot produce assets (its instances would materialize the same asset once each)"));
    }

    @Test
    void itemTemplatesReadTheElementItsFieldsAndItsPosition() {
        TemplateContext ctx = TemplateContext.builder().item("{\"name\":\"eu\",\"n\":{\"x\":1}}", 3).build();
        assertThat(Templates.resolve("${{ item.name }}/${{ item.n }}/${{ item.n.x }}/${{ item_index }}", ctx))
                .isEqualTo("eu/{\"x\":1}/1/3");
        assertThat(Templates.resolve("${{ item }}", TemplateContext.builder().item("\"a\"", 0).build())).isEqualTo("a");
        assertThat(Templates.resolve("${{ item }}", TemplateContext.builder().item("[1,2]", 0).build())).isEqualTo("[1,2]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Templates.resolve("${{ item.zone }}", ctx))
                .hasMessageContaining("the element has no field 'zone'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Templates.resolve("${{ item }}", TemplateContext.empty()))
                .hasMessageContaining("item is only available in a forEach step");
    }

    @Test
    void conditionsEvaluateOverParamsAndUpstreamOutputs() {
        Map<String, Map<String, String>> outputs = Map.of("check", Map.of("count", "5", "mode", "full"));
        assertThat(JobExpressions.evaluateCondition("steps.check.outputs.count > 3 && params.region == 'eu'",
                Map.of("region", "eu"), outputs)).isTrue();
        assertThat(JobExpressions.evaluateCondition("steps.check.outputs.mode == 'delta'", Map.of(), outputs)).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobExpressions.evaluateCondition("params.region",
                        Map.of("region", "eu"), outputs))
                .hasMessage("condition 'params.region' is not true or false (it gave 'eu')");
    }
}
