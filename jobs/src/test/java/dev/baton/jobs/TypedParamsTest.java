package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.ParamSpec;
import dev.baton.events.ParamType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed and constrained params: the job format (params section) and the one checker, {@link JobParams#check}. */
class TypedParamsTest {
    private static final JobDefinition JOB = TestJobs.parse("""
            name: typed
            params:
              day: { type: date, default: "2026-01-01" }
              count: { type: int }
              region: { type: enum, values: [eu, us] }
              code: { pattern: "[A-Z]{3}", maxLength: 3 }
              note: { maxLength: 5 }
            steps: [{key: a, noop: {}}]
            """);

    @Test
    void theFormatReadsTypesAndConstraints() {
        assertThat(JOB.getParams().get("day").getType()).isEqualTo(ParamType.DATE);
        assertThat(JOB.getParams().get("count").getType()).isEqualTo(ParamType.INT);
        assertThat(JOB.getParams().get("region").getValues()).containsExactly("eu", "us");
        assertThat(JOB.getParams().get("code").getPattern()).isEqualTo("[A-Z]{3}");
        assertThat(JOB.getParams().get("note").getMaxLength()).isEqualTo(5);
        assertThat(JOB.getParams().get("note").getType()).isEqualTo(ParamType.STRING);
    }

    @Test
    void validValuesPass() {
        assertThat(JobParams.check(JOB, Map.of("day", "2026-02-28", "count", "-12", "region", "us", "code", "ABC", "note", "héllo")))
                .isEmpty();
    }

    @Test
    void eachRuleRejectsNamingTheParam() {
        assertThat(JobParams.check(JOB, Map.of("day", "2026-02-30"))).containsExactly(
                new Problem("params.day", "'2026-02-30' is not a date (expected YYYY-MM-DD)"));
        assertThat(JobParams.check(JOB, Map.of("count", "1; id"))).containsExactly(
                new Problem("params.count", "'1; id' is not an integer"));
        assertThat(JobParams.check(JOB, Map.of("region", "ue"))).containsExactly(
                new Problem("params.region", "'ue' is not one of eu, us; did you mean 'eu'?"));
        assertThat(JobParams.check(JOB, Map.of("code", "abc"))).containsExactly(
                new Problem("params.code", "'abc' does not match the pattern [A-Z]{3}"));
        assertThat(JobParams.check(JOB, Map.of("code", "ABCD"))).containsExactly(
                new Problem("params.code", "'ABCD' is 4 characters long; at most 3 are allowed"));
        assertThat(JobParams.check(JOB, Map.of("note", "x\"; touch /tmp/pwned; echo \""))).singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("params.note"));
    }

    @Test
    void theReasonNamesEveryParam() {
        String reason = JobParams.reason(JobParams.check(JOB, Map.of("count", "x", "nope", "1")));
        assertThat(reason).startsWith("invalid params: ").contains("params.count: 'x' is not an integer")
                .contains("params.nope: unknown parameter 'nope'");
    }

    @Test
    void aPatternMustMatchTheWholeValue() {
        ParamSpec spec = ParamSpec.newBuilder().setPattern("[0-9]+").build();
        assertThat(JobParams.valueProblem(spec, "12")).isNull();
        assertThat(JobParams.valueProblem(spec, "12a")).isNotNull();
    }

    @Test
    void declarationsAreValidated() {
        assertThat(problems("""
                name: bad
                params:
                  a: { type: number }
                  b: { type: enum }
                  c: { values: [x] }
                  d: { pattern: "[a" }
                  e: { maxLength: 0 }
                  f: { type: int, default: "seven" }
                  g: { type: enum, values: [x, y], default: z }
                steps: [{key: a, noop: {}}]
                """)).containsExactly(
                problem("params.a.type", "'number' is not one of STRING, INT, DATE, ENUM"),
                problem("params.b.values", "an enum parameter needs a non-empty list of values"),
                problem("params.c.values", "values are only allowed with type: enum"),
                problem("params.d.pattern", "not a valid regular expression: Unclosed character class"),
                problem("params.e.maxLength", "must be at least 1 (got 0)"),
                problem("params.f.default", "'seven' is not an integer"),
                problem("params.g.default", "'z' is not one of x, y; did you mean 'x'?"));
    }

    @Test
    void literalValuesSetBySchedulesMustFitTheirDeclaration() {
        assertThat(problems("""
                name: sched
                params:
                  count: { type: int }
                  day: { type: date }
                schedule: { cron: "0 * * * *", params: { count: many, day: "${{ schedule.date }}" } }
                steps: [{key: a, noop: {}}]
                """)).containsExactly(problem("schedule.params.count", "'many' is not an integer"));
    }

    @Test
    void typedParamsRoundTripThroughTheWriter() {
        JobDefinition again = TestJobs.parse(JobWriter.toYaml(JOB));
        assertThat(again.getParams()).isEqualTo(JOB.getParams());
        assertThat(List.copyOf(again.getParams().keySet())).containsExactly("day", "count", "region", "code", "note");
    }

    @Test
    void theUnsafeOptInIsReadAndWritten() {
        JobDefinition job = TestJobs.parse("""
                name: opt
                steps:
                  - key: a
                    run: echo ${{ params.x }}
                    unsafeVerbatimTemplates: true
                  - key: b
                    run: echo hi
                params: { x: {} }
                """);
        assertThat(job.getSteps().get(0).getUnsafeVerbatimTemplates()).isTrue();
        assertThat(job.getSteps().get(1).getUnsafeVerbatimTemplates()).isFalse();
        assertThat(TestJobs.parse(JobWriter.toYaml(job)).getSteps().get(0).getUnsafeVerbatimTemplates()).isTrue();
    }
}
