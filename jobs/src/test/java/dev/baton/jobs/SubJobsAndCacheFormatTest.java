package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.StepDefinition;
import dev.baton.events.SubJobAction;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code job:} steps (sub-jobs) and {@code cache:} in the job format. */
class SubJobsAndCacheFormatTest {

    @Test
    void aJobStepAndACacheParseAndWriteBack() {
        JobDefinition job = TestJobs.parse("""
                name: report
                params: { day: { required: true } }
                steps:
                  - { key: short, job: orders_daily }
                  - key: load
                    job: { name: orders_daily, params: { day: "${{ params.day }}", limit: 10 } }
                  - key: sum
                    needs: [load]
                    run: echo "${{ steps.load.outputs.cleaned }}"
                    cache: { key: "sum-${{ params.day }}-${{ steps.load.outputs.cleaned }}", ttl: 7d }
                """);
        assertThat(((SubJobAction) job.getSteps().get(0).getAction()).getJob()).isEqualTo("orders_daily");
        SubJobAction load = (SubJobAction) job.getSteps().get(1).getAction();
        assertThat(load.getParams()).containsEntry("day", "${{ params.day }}").containsEntry("limit", "10");
        StepDefinition sum = job.getSteps().get(2);
        assertThat(sum.getCache().getKey()).isEqualTo("sum-${{ params.day }}-${{ steps.load.outputs.cleaned }}");
        assertThat(sum.getCache().getTtlMs()).isEqualTo(Duration.ofDays(7).toMillis());
        assertThat(job.getSteps().get(0).getCache()).isNull();

        JobDefinition again = JobParser.parse(JobWriter.toJson(job), Format.JSON, TestJobs.AT);
        assertThat(again.getSteps()).isEqualTo(job.getSteps());
    }

    @Test
    void aJobThatCallsItselfIsRejectedAtItsStep() {
        assertThat(TestJobs.problems("""
                name: loop
                steps:
                  - { key: a, noop: {} }
                  - { key: again, needs: [a], job: { name: loop } }
                """)).containsExactly(TestJobs.problem("steps[1].job",
                "step 'again' runs job 'loop', the job it belongs to: a job cannot call itself as a sub-job"));
    }

    @Test
    void badJobStepsAndCachesNameTheirPath() {
        assertThat(TestJobs.problems("""
                name: bad
                steps:
                  - { key: a, job: { name: Other, parms: {} } }
                  - { key: b, job: { name: other }, produces: [x] }
                  - { key: c, run: echo, cache: { key: "k" } }
                  - { key: d, run: echo, cache: { key: "${{ secrets.TOKEN }}", ttl: 1h } }
                  - { key: e, run: echo, cache: { key: "${{ steps.nope.outputs.x }}", ttl: 1h } }
                  - { key: f, job: other, run: echo }
                """)).extracting(Problem::path).contains("steps[0].job.parms", "steps[0].job.name", "steps[1].produces",
                "steps[2].cache.ttl", "steps[3].cache.key", "steps[4].cache.key", "steps[5]");
    }

    @Test
    void theExampleCallsOrdersDailyAndCachesItsSummary() {
        JobDefinition job = TestJobs.parse(TestJobs.example("orders_report.yaml"));
        assertThat(((SubJobAction) job.getSteps().get(0).getAction()).getJob()).isEqualTo("orders_daily");
        assertThat(job.getSteps().get(1).getCache().getTtlMs()).isEqualTo(Duration.ofDays(7).toMillis());
    }
}
