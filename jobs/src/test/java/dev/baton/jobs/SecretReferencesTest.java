package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunAction;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ${{ secrets.NAME }}}: accepted where a step uses a value (run, env, http, java config), left in place by the
 * coordinator's resolution for the agent, and refused where a value would travel in clear (param defaults, schedule
 * and trigger params, outputs) or arrive as data (a param or output naming a secret).
 */
class SecretReferencesTest {
    private static final String JOB = """
            name: uses_secrets
            env:
              TOKEN: "${{ secrets.API_TOKEN }}"
            steps:
              - key: script
                run:
                  script: echo "${{ secrets.DB_PASSWORD }}" "${{secrets.API_TOKEN}}"
                  env: { PW: "${{ secrets.DB_PASSWORD }}" }
              - key: call
                http:
                  url: "https://api.example.com/${{ secrets.API_TOKEN }}/x"
                  headers: { Authorization: "Bearer ${{ secrets.API_TOKEN }}" }
                  body: { password: "${{ secrets.DB_PASSWORD }}" }
              - key: handler
                java: { handler: h, config: { key: "${{ secrets.API_TOKEN }}" } }
            """;

    @Test
    void secretsAreAcceptedInEveryStringAStepUsesAndKeptAsNames() {
        JobDefinition def = TestJobs.parse(JOB);
        RunAction run = (RunAction) def.getSteps().get(0).getAction();
        assertThat(run.getScript()).isEqualTo("echo \"${{ secrets.DB_PASSWORD }}\" \"${{secrets.API_TOKEN}}\"");
        assertThat(run.getEnv()).containsEntry("PW", "${{ secrets.DB_PASSWORD }}").containsEntry("TOKEN", "${{ secrets.API_TOKEN }}");
        HttpAction http = (HttpAction) def.getSteps().get(1).getAction();
        assertThat(http.getHeaders()).containsEntry("Authorization", "Bearer ${{ secrets.API_TOKEN }}");
        assertThat(http.getBody()).contains("${{ secrets.DB_PASSWORD }}");
        assertThat(((JavaAction) def.getSteps().get(2).getAction()).getConfig()).containsEntry("key", "${{ secrets.API_TOKEN }}");
    }

    @Test
    void theCoordinatorsResolutionLeavesSecretsInPlace() {
        TemplateContext ctx = TemplateContext.builder().param("day", "2026-01-01").run("r1", "j").attempt("r1/a/1", 1).build();
        assertThat(Templates.resolve("curl -u \"${{secrets.USER}}:${{ secrets.PW }}\" /${{ params.day }}", ctx))
                .isEqualTo("curl -u \"${{ secrets.USER }}:${{ secrets.PW }}\" /2026-01-01");
        RunAction resolved = Templates.resolveRun(RunAction.newBuilder().setScript("echo ${{ secrets.PW }}").setShell("bash")
                .setEnv(Map.of("PW", "${{ secrets.PW }}", "DAY", "${{ params.day }}")).setWorkingDir(null).build(), ctx);
        // in a script the reference travels as data, in an env var whose value is the reference (the agent resolves env values)
        assertThat(resolved.getScript()).isEqualTo("echo \"${BATON_TPL_1}\"");
        assertThat(resolved.getEnv()).containsEntry("BATON_TPL_1", "${{ secrets.PW }}")
                .containsEntry("PW", "${{ secrets.PW }}").containsEntry("DAY", "2026-01-01");
    }

    @Test
    void aParamOrOutputNamingASecretIsRefusedInsteadOfFetchedByTheAgent() {
        TemplateContext ctx = TemplateContext.builder()
                .param("target", "https://evil.example/?k=${{ secrets.DB_PASSWORD }}")
                .param("spaced", "${{\tsecrets.X}}")
                .stepOutputs("a", Map.of("o", "${{ secrets.DB_PASSWORD }}"))
                .build();
        assertThatThrownBy(() -> Templates.resolve("${{ params.target }}", ctx)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("params.target").hasMessageContaining("secrets can only be named in the job file");
        assertThatThrownBy(() -> Templates.resolve("x ${{ params.spaced }}", ctx)).isInstanceOf(TemplateException.class);
        assertThatThrownBy(() -> Templates.resolve("${{ steps.a.outputs.o }}", ctx)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("steps.a.outputs.o");
    }

    @Test
    void secretNamesAreUpperCase() {
        assertThat(problems("name: x\nsteps:\n  - key: a\n    run: echo ${{ secrets.token }}\n")).containsExactly(problem("steps[0].run",
                "${{ secrets.token }}: expected secrets.<NAME> (upper-case letters, digits and '_', starting with a letter)"));
        assertThat(problems("name: x\nsteps:\n  - key: a\n    run: echo ${{ secrets.A.B }}\n")).extracting(Problem::path)
                .containsExactly("steps[0].run");
    }

    @Test
    void paramDefaultsCannotHoldSecrets() {
        assertThat(problems("""
                name: x
                params:
                  short: "${{ secrets.PW }}"
                  long: { default: "pre ${{ secrets.PW }}", description: d }
                steps: [{key: a, noop: {}}]
                """)).containsExactly(
                problem("params.short", "secrets cannot be used in params (they travel in clear on Kafka and are shown by the"
                        + " API); name the secret where a step uses it (run, env, http url, headers or body)"),
                problem("params.long.default", "secrets cannot be used in params (they travel in clear on Kafka and are shown"
                        + " by the API); name the secret where a step uses it (run, env, http url, headers or body)"));
    }

    @Test
    void scheduleAndTriggerParamsCannotHoldSecrets() {
        assertThat(problems("""
                name: x
                params: { p: {} }
                schedule: { every: 1h, params: { p: "${{ secrets.PW }}" } }
                triggers: [{kafka: {topic: t, params: { p: "${{ secrets.PW }}" }}}]
                steps: [{key: a, noop: {}}]
                """)).extracting(Problem::path, Problem::message).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("schedule.params.p", "${{ secrets.PW }}: " + SECRETS_IN_PARAMS),
                org.assertj.core.groups.Tuple.tuple("triggers[0].kafka.params.p", "${{ secrets.PW }}: " + SECRETS_IN_PARAMS));
    }

    @Test
    void outputsCannotHoldSecrets() {
        assertThat(problems("""
                name: x
                steps:
                  - key: a
                    http: { url: "https://x.example", outputs: { id: "/${{ secrets.PW }}" } }
                """)).containsExactly(problem("steps[0].http.outputs.id",
                "secrets cannot be used in outputs; outputs travel in clear on Kafka"));
    }

    private static final String SECRETS_IN_PARAMS = "secrets cannot be used in params (they travel in clear on Kafka and"
            + " are shown by the API); name the secret where a step uses it (run, env, http url, headers or body)";
}
