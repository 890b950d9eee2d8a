package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Template references are checked against the job at parse time. */
class TemplateValidationTest {
    private static final String HEAD = """
            name: x
            params:
              day: {}
            env:
              DAY: "${{ params.day }}"
            steps:
              - key: extract
                run: echo
              - key: mid
                needs: [extract]
                noop: {}
              - key: fetch
                needs: [mid]
                http: { url: 'https://x.example', outputs: { id: /id } }
              - key: nap
                sleep: 1s
            """;

    private static String withStep(String step) {
        return HEAD + step;
    }

    @Test
    void validReferencesPass() {
        TestJobs.parse(withStep("""
                  - key: use
                    needs: [fetch, nap]
                    run: |
                      echo ${{params.day}} ${{ steps.extract.outputs.anything }} ${{ steps.fetch.outputs.id }}
                      echo ${{ run.id }} ${{ run.job }} ${{ attempt.id }} ${{ attempt.number }} $HOME ${HOME}
                """));
    }

    @Test
    void unknownParamSuggests() {
        assertThat(problems(withStep("  - key: use\n    run: echo ${{ params.dya }}\n")))
                .containsExactly(problem("steps[4].run", "${{ params.dya }}: unknown parameter 'dya'; did you mean 'day'?"));
    }

    @Test
    void unknownParamWithoutParams() {
        assertThat(problems("name: x\nsteps: [{key: a, run: 'echo ${{ params.day }}'}]\n"))
                .containsExactly(problem("steps[0].run", "${{ params.day }}: unknown parameter 'day'; declare it under params"));
    }

    @Test
    void stepOutputsOfAnUnknownStep() {
        assertThat(problems(withStep("  - key: use\n    run: echo ${{ steps.extrct.outputs.rows }}\n")))
                .containsExactly(problem("steps[4].run", "${{ steps.extrct.outputs.rows }}: unknown step 'extrct'; did you mean 'extract'?"));
    }

    @Test
    void stepOutputsOfAStepThatIsNotUpstream() {
        assertThat(problems(withStep("  - key: use\n    needs: [nap]\n    run: echo ${{ steps.extract.outputs.rows }}\n")))
                .containsExactly(problem("steps[4].run", "${{ steps.extract.outputs.rows }}: step 'extract' is not upstream"
                        + " of 'use'; add it to needs (directly or through another step)"));
    }

    @Test
    void transitiveUpstreamIsEnough() {
        // use -> fetch -> mid -> extract
        TestJobs.parse(withStep("  - key: use\n    needs: [fetch]\n    run: echo ${{ steps.extract.outputs.rows }}\n"));
    }

    @Test
    void stepOutputsOfADownstreamStep() {
        assertThat(problems("""
                name: x
                steps:
                  - {key: a, run: 'echo ${{ steps.b.outputs.x }}'}
                  - {key: b, needs: [a], run: echo}
                """)).containsExactly(problem("steps[0].run",
                "${{ steps.b.outputs.x }}: step 'b' is not upstream of 'a'; add it to needs (directly or through another step)"));
    }

    @Test
    void ownOutputs() {
        assertThat(problems("name: x\nsteps: [{key: a, run: 'echo ${{ steps.a.outputs.x }}'}]\n"))
                .containsExactly(problem("steps[0].run", "${{ steps.a.outputs.x }}: a step cannot use its own outputs"));
    }

    @Test
    void undeclaredHttpOutput() {
        assertThat(problems(withStep("  - key: use\n    needs: [fetch]\n    run: echo ${{ steps.fetch.outputs.name }}\n")))
                .containsExactly(problem("steps[4].run", "${{ steps.fetch.outputs.name }}: step 'fetch' has no output 'name'; it declares id"));
    }

    @Test
    void noopAndSleepHaveNoOutputs() {
        assertThat(problems(withStep("  - key: use\n    needs: [fetch, nap]\n    run: echo ${{ steps.mid.outputs.x }} ${{ steps.nap.outputs.y }}\n")))
                .containsExactly(
                        problem("steps[4].run", "${{ steps.mid.outputs.x }}: step 'mid' is a noop step, which has no outputs"),
                        problem("steps[4].run", "${{ steps.nap.outputs.y }}: step 'nap' is a sleep step, which has no outputs"));
    }

    @Test
    void malformedStepReference() {
        assertThat(problems(withStep("  - key: use\n    needs: [extract]\n    run: echo ${{ steps.extract.result }}\n")))
                .containsExactly(problem("steps[4].run", "${{ steps.extract.result }}: expected steps.<step>.outputs.<name>"));
    }

    @Test
    void unknownNamespace() {
        // secrets.* became a namespace (resolved by the agent, see SecretReferencesTest); any other stays unknown.
        assertThat(problems(withStep("  - key: use\n    run: echo ${{ vault.token }}\n"))).containsExactly(problem("steps[4].run",
                "${{ vault.token }}: unknown namespace 'vault'; expected one of params, steps, run, attempt, trigger, schedule, partition, secrets"));
    }

    @Test
    void unknownRunField() {
        assertThat(problems(withStep("  - key: use\n    run: echo ${{ run.status }}\n")))
                .containsExactly(problem("steps[4].run", "${{ run.status }}: expected run.id or run.job"));
    }

    @Test
    void triggerNamespaceIsNotAvailableInSteps() {
        assertThat(problems(withStep("  - key: use\n    run: echo ${{ trigger.key }}\n"))).containsExactly(problem("steps[4].run",
                "${{ trigger.key }}: trigger.* is only available in Kafka trigger params and runKey; pass the value as a"
                        + " param there and use ${{ params.<name> }}"));
    }

    @Test
    void malformedAndUnterminatedTemplatesAreAllReported() {
        assertThat(problems(withStep("  - key: use\n    run: \"${{ }} ${{ params day }} ${{ params.day\"\n"))).containsExactly(
                problem("steps[4].run", "invalid template ${{ }}: empty template"),
                problem("steps[4].run", "invalid template ${{ params day }}: not a reference; expected a dotted name such as"
                        + " params.day or steps.extract.outputs.rows"),
                problem("steps[4].run", "invalid template '${{ params.day' is never closed with '}}'"));
    }

    @Test
    void templatesAreCheckedInEveryTemplatedField() {
        assertThat(problems("""
                name: x
                steps:
                  - key: r
                    run: { script: echo, env: { A: "${{ params.a }}" }, workingDir: "/tmp/${{ params.b }}" }
                  - key: h
                    http:
                      url: "https://x.example/${{ params.c }}"
                      headers: { X-Id: "${{ params.d }}" }
                      body: { text: "${{ params.e }}" }
                  - key: j
                    java: { handler: h, config: { k: "${{ params.f }}" } }
                """)).extracting(Problem::path).containsExactly(
                "steps[0].run.env.A", "steps[0].run.workingDir", "steps[1].http.headers.X-Id", "steps[1].http.body",
                "steps[1].http.url", "steps[2].java.config.k");
    }

    @Test
    void jobEnvCannotUseStepOutputs() {
        assertThat(problems("name: x\nenv: {A: '${{ steps.a.outputs.x }}'}\nsteps: [{key: a, run: echo}]\n")).containsExactly(problem(
                "env.A", "${{ steps.a.outputs.x }}: job-level env cannot use step outputs; set the variable in the step's env"));
    }

    @Test
    void onFailureStepsCannotUseMainStepOutputs() {
        assertThat(problems("name: x\nsteps: [{key: a, run: echo}]\nonFailure: [{key: alert, run: 'echo ${{ steps.a.outputs.x }}'}]\n"))
                .containsExactly(problem("onFailure[0].run", "${{ steps.a.outputs.x }}: onFailure steps cannot use outputs"
                        + " of main steps (the step may not have run); only outputs of upstream onFailure steps"));
    }

    @Test
    void onFailureStepsMayUseUpstreamOnFailureOutputs() {
        TestJobs.parse("""
                name: x
                steps: [{key: a, run: echo}]
                onFailure:
                  - {key: collect, run: echo}
                  - {key: alert, needs: [collect], run: 'echo ${{ steps.collect.outputs.summary }} ${{ run.id }}'}
                """);
    }

    @Test
    void triggerParamsUseOnlyTheTriggerNamespace() {
        assertThat(problems("name: x\nparams: {id: {}}\nsteps: [{key: a, run: echo}]\n"
                + "triggers: [{kafka: {topic: t, params: {id: '${{ params.id }}'}}}]\n")).containsExactly(problem(
                "triggers[0].kafka.params.id", "${{ params.id }}: only trigger.* is available in Kafka trigger params and runKey"));
    }

    @Test
    void triggerTemplateShapes() {
        TestJobs.parse("""
                name: x
                params: {a: {}, b: {}, c: {}, d: {}}
                steps: [{key: s, run: echo}]
                triggers:
                  - kafka:
                      topic: t
                      runKey: "${{ trigger.topic }}-${{ trigger.partition }}-${{ trigger.offset }}"
                      params:
                        a: "${{ trigger.key }}"
                        b: "${{ trigger.value.order.lines.0.sku }}"
                        c: "${{ trigger.headers.x-trace.id }}"
                        d: "${{ trigger.timestamp }} ${{ trigger.value }}"
                """);
        assertThat(problems("name: x\nparams: {a: {}}\nsteps: [{key: s, run: echo}]\n"
                + "triggers: [{kafka: {topic: t, params: {a: '${{ trigger.headers }}'}}}]\n"))
                .containsExactly(problem("triggers[0].kafka.params.a", "${{ trigger.headers }}: expected trigger.headers.<name>"));
    }

    @Test
    void stringTriggerValuesHaveNoFields() {
        assertThat(problems("name: x\nparams: {a: {}}\nsteps: [{key: s, run: echo}]\n"
                + "triggers: [{kafka: {topic: t, format: STRING, runKey: '${{ trigger.value.id }}'}}]\n"))
                .containsExactly(problem("triggers[0].kafka.runKey",
                        "${{ trigger.value.id }}: the value has no fields when the trigger's format is STRING"));
    }

    @Test
    void scheduleParamsUseOnlyTheScheduleNamespace() {
        TestJobs.parse("name: x\nparams: {day: {}}\nsteps: [{key: s, run: echo}]\n"
                + "schedule: {cron: '0 2 * * *', params: {day: '${{ schedule.date }}'}}\n");
        assertThat(problems("name: x\nparams: {day: {}}\nsteps: [{key: s, run: echo}]\n"
                + "schedule: {cron: '0 2 * * *', params: {day: '${{ run.id }}'}}\n"))
                .containsExactly(problem("schedule.params.day", "${{ run.id }}: only schedule.* is available in schedule params"));
    }

    @Test
    void scheduleNamespaceIsNotAvailableInSteps() {
        assertThat(problems("name: x\nsteps: [{key: s, run: 'echo ${{ schedule.date }}'}]\n")).containsExactly(problem("steps[0].run",
                "${{ schedule.date }}: schedule.* is only available in schedule params; pass the value as a param there"
                        + " and use ${{ params.<name> }}"));
    }

    @Test
    void templatesInLiteralFieldsAreNotInterpreted() {
        // descriptions, param defaults and tags are text, not templates
        TestJobs.parse("name: x\ndescription: 'see ${{ nothing }}'\nparams: {p: {default: '${{ x }}'}}\n"
                + "steps: [{key: s, noop: {}}]\ntags: {t: '${{ y }}'}\n");
    }
}
