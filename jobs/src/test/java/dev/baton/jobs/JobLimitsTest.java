package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented limits: steps per job and definition bytes at registration, params bytes per run. */
class JobLimitsTest {

    private static String noopJob(int steps, int onFailure) {
        StringBuilder yaml = new StringBuilder("name: many\nsteps:\n");
        for (int i = 0; i < steps; i++) {
            yaml.append("  - {key: s").append(i).append(", noop: true}\n");
        }
        if (onFailure > 0) {
            yaml.append("onFailure:\n");
            for (int i = 0; i < onFailure; i++) {
                yaml.append("  - {key: f").append(i).append(", noop: true}\n");
            }
        }
        return yaml.toString();
    }

    @Test
    void aJobWithTheMaximumNumberOfStepsIsAcceptedAndFitsTheByteLimit() {
        JobDefinition def = TestJobs.parse(noopJob(JobLimits.MAX_STEPS, 0));
        assertThat(def.getSteps()).hasSize(5_000);
        assertThat(JobLimits.encodedSize(def)).isLessThan(JobLimits.MAX_DEFINITION_BYTES);
        assertThat(JobLimits.registeredSize(def)).isLessThan(JobLimits.MAX_DEFINITION_BYTES);
    }

    @Test
    void oneStepOverTheLimitIsRejectedNamingIt() {
        assertThat(problems(noopJob(5_001, 0)))
                .containsExactly(problem("steps", "5001 steps exceed the limit of 5000 steps per job (limit max_steps)"));
    }

    @Test
    void onFailureStepsCountTowardsTheLimit() {
        assertThat(problems(noopJob(4_990, 11))).containsExactly(problem("steps",
                "5001 steps (4990 steps and 11 onFailure steps) exceed the limit of 5000 steps per job (limit max_steps)"));
    }

    @Test
    void aTwentyThousandStepJobIsRejectedNamingTheLimit() {
        assertThat(problems(noopJob(20_000, 0)))
                .contains(problem("steps", "20000 steps exceed the limit of 5000 steps per job (limit max_steps)"));
    }

    @Test
    void aDefinitionOverTheByteLimitIsRejectedNamingIt() {
        String script = "echo " + "x".repeat(300_000);
        String yaml = "name: huge\nsteps:\n  - key: a\n    run: " + script + "\n";
        // The script is stored twice: in the run action and in the source.
        assertThat(problems(yaml)).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("$");
            assertThat(p.message()).matches("the job definition is \\d+ bytes encoded \\(with its source\\), over the"
                    + " limit of 524288 bytes per job definition \\(limit max_definition_bytes\\)");
        });
    }

    @Test
    void aDefinitionJustUnderTheByteLimitIsAccepted() {
        String yaml = "name: big\nsteps:\n  - key: a\n    run: echo " + "x".repeat(200_000) + "\n";
        JobDefinition def = TestJobs.parse(yaml);
        assertThat(JobLimits.encodedSize(def)).isBetween(400_000L, (long) JobLimits.MAX_DEFINITION_BYTES);
    }

    @Test
    void paramsWithinTheLimitPass() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("day", "x".repeat(JobLimits.MAX_PARAMS_BYTES - 3));
        assertThat(JobLimits.paramsBytes(params)).isEqualTo(JobLimits.MAX_PARAMS_BYTES);
        assertThat(JobLimits.checkParams(params)).isEmpty();
    }

    @Test
    void paramsOverTheLimitAreRejectedNamingIt() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("a", "é".repeat(20_000)); // two UTF-8 bytes each: bytes count, not characters
        params.put("b", "x".repeat(25_535));
        params.put("c", null);
        assertThat(JobLimits.checkParams(params)).contains(new Problem("params",
                "the params are 65538 bytes (names and values, UTF-8), over the limit of 65536 bytes per run (limit max_params_bytes)"));
    }
}
