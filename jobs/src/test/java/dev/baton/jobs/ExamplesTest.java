package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.AssetSpec;
import dev.baton.events.CatchUpPolicy;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.RunAction;
import dev.baton.events.ScheduleSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The files under examples/ parse without problems and mean what they say. */
class ExamplesTest {
    static Stream<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(TestJobs.EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    @Test
    void theThreeDocumentedExamplesExist() throws IOException {
        assertThat(exampleFiles().map(p -> p.getFileName().toString()))
                .contains("orders_daily.yaml", "cleanup_tmp.yaml", "orders_events.yaml");
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void parsesWithoutProblems(Path file) throws IOException {
        String text = Files.readString(file);
        assertThat(JobParser.validate(text, Format.ofFileName(file.toString()))).isEmpty();
    }

    @Test
    void ordersDailyIsTheFileFromTheDesign() {
        assertThat(TestJobs.example("orders_daily.yaml")).isEqualTo(JobParserExampleTest.ORDERS_DAILY);
    }

    @Test
    void cleanupTmp() {
        JobDefinition job = TestJobs.parse(TestJobs.example("cleanup_tmp.yaml"));
        ScheduleSpec nightly = job.getSchedules().get(0);
        assertThat(nightly.getName()).isEqualTo("nightly");
        assertThat(nightly.getCron()).isEqualTo("30 2 * * *");
        assertThat(nightly.getTimezone()).isEqualTo("Europe/Berlin");
        assertThat(nightly.getCatchUp()).isEqualTo(CatchUpPolicy.NONE);
        assertThat(nightly.getOverlap()).isEqualTo(OverlapPolicy.SKIP);
        assertThat(job.getSteps().get(0).getRetry().getMaxAttempts()).isEqualTo(3);
        assertThat(job.getSteps().get(0).getPool()).isEqualTo("infra");
        assertThat(((RunAction) job.getSteps().get(0).getAction()).getEnv())
                .containsExactly(Map.entry("MAX_AGE_DAYS", "${{ params.max_age_days }}"));
        assertThat(job.getOnFailure()).singleElement().satisfies(alert -> {
            HttpAction http = (HttpAction) alert.getAction();
            assertThat(http.getMethod()).isEqualTo("POST");
            assertThat(http.getBody()).isEqualTo("{\"text\":\"cleanup_tmp run ${{ run.id }} failed (job ${{ run.job }})\"}");
            assertThat(http.getExpectStatus()).containsExactly(200, 204);
        });
        assertThat(job.getConcurrency().getMaxRuns()).isEqualTo(1);
        assertThat(job.getRunTimeoutMs()).isEqualTo(3_600_000L);
    }

    @Test
    void ordersEvents() {
        JobDefinition job = TestJobs.parse(TestJobs.example("orders_events.yaml"));
        KafkaTrigger trigger = (KafkaTrigger) job.getTriggers().get(0).getTrigger();
        assertThat(trigger.getTopic()).isEqualTo("shop.orders");
        assertThat(trigger.getFilter()).isEqualTo("value.status == 'PAID' && value.amount > 0");
        assertThat(trigger.getParams()).containsEntry("order_id", "${{ trigger.value.order_id }}")
                .containsEntry("customer", "${{ trigger.key }}");
        assertThat(job.getParams().get("order_id").getRequired()).isTrue();
        JavaAction reprice = (JavaAction) job.getSteps().get(1).getAction();
        assertThat(reprice.getConfig()).containsEntry("total", "${{ steps.fetch.outputs.total }}");
        AssetSpec priced = job.getSteps().get(1).getProduces().get(0);
        assertThat(priced.getKey()).isEqualTo("pricing/priced_orders");
        assertThat(priced.getFreshnessMaxLagMs()).isEqualTo(3_600_000L);
        assertThat(priced.getChecks()).extracting(c -> c.getName() + ":" + c.getSeverity())
                .containsExactly("total_positive:ERROR", "has_rows:WARN");

        // What the scheduler does with a matching record: resolve the trigger params into run params.
        var record = new TriggerRecord("shop.orders", 2, 77, null, "cust-1", Map.of(),
                Map.of("order_id", "o-9", "status", "PAID", "amount", 10));
        Map<String, String> params = Templates.resolveValues(trigger.getParams(), TemplateContext.builder().trigger(record).build());
        assertThat(params).containsEntry("order_id", "o-9").containsEntry("source", "shop.orders/2/77");
        assertThat(JobParams.effective(job, params)).containsEntry("region", "eu").containsEntry("customer", "cust-1");
        assertThat(Templates.resolve(trigger.getRunKey(), TemplateContext.builder().trigger(record).build()))
                .isEqualTo("order:o-9@2:77");
        assertThat(JobExpressions.compileFilter(trigger.getFilter()).evaluate(new org.apache.commons.jexl3.MapContext(
                Map.of("value", Map.of("status", "PAID", "amount", 10))))).isEqualTo(true);
    }

    @Test
    void jsonFilesParseLikeYaml() {
        String json = JobWriter.toJson(TestJobs.parse(TestJobs.example("cleanup_tmp.yaml")));
        assertThat(JobParser.validate(json, Format.JSON)).isEmpty();
        assertThat(Format.ofFileName("a/b/job.JSON")).isEqualTo(Format.JSON);
        assertThat(Format.ofFileName("job.yml")).isEqualTo(Format.YAML);
        assertThat(List.of(JobParser.parse(json, Format.JSON, TestJobs.AT).getSource())).containsExactly(json);
    }
}
