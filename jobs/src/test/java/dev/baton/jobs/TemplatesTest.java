package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.StepDefinition;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private static final TemplateContext CTX = TemplateContext.builder()
            .param("day", "2026-01-01")
            .param("empty", "")
            .stepOutputs("extract", Map.of("rows", "42"))
            .run("run-1", "orders_daily")
            .attempt("run-1/clean/2", 2)
            .build();

    @Test
    void resolvesEveryStepNamespace() {
        assertThat(Templates.resolve("${{ params.day }} ${{ steps.extract.outputs.rows }} ${{ run.id }} ${{ run.job }}"
                + " ${{ attempt.id }} ${{ attempt.number }}", CTX))
                .isEqualTo("2026-01-01 42 run-1 orders_daily run-1/clean/2 2");
    }

    @Test
    void whitespaceInsideTheBracesIsOptional() {
        assertThat(Templates.resolve("${{params.day}}|${{   params.day\t}}|${{\n params.day \n}}", CTX))
                .isEqualTo("2026-01-01|2026-01-01|2026-01-01");
    }

    @Test
    void shellSyntaxPassesThroughUntouched() {
        String script = "echo $HOME ${HOME} ${HOME:-x} $(date) ${#ARR[@]} $$ {{ not }} ${ {x} } ${{ params.day }}";
        assertThat(Templates.resolve(script, CTX))
                .isEqualTo("echo $HOME ${HOME} ${HOME:-x} $(date) ${#ARR[@]} $$ {{ not }} ${ {x} } 2026-01-01");
    }

    @Test
    void textWithoutTemplatesIsReturnedAsIs() {
        String text = "plain";
        assertThat(Templates.resolve(text, CTX)).isSameAs(text);
        assertThat(Templates.resolve(null, CTX)).isNull();
    }

    @Test
    void substitutedValuesAreNotRescanned() {
        TemplateContext ctx = TemplateContext.builder().param("a", "${{ params.b }}").param("b", "secret").build();
        assertThat(Templates.resolve("${{ params.a }}", ctx)).isEqualTo("${{ params.b }}");
    }

    @Test
    void emptyParamValueResolvesToEmpty() {
        assertThat(Templates.resolve("[${{ params.empty }}]", CTX)).isEqualTo("[]");
    }

    @Test
    void missingParamNamesTheExpression() {
        TemplateException e = catchThrowableOfType(TemplateException.class, () -> Templates.resolve("x ${{ params.nope }}", CTX));
        assertThat(e.expression()).isEqualTo("params.nope");
        assertThat(e.getMessage()).isEqualTo("${{ params.nope }}: parameter 'nope' has no value");
    }

    @Test
    void missingStepOutput() {
        assertThatThrownBy(() -> Templates.resolve("${{ steps.extract.outputs.cols }}", CTX))
                .isInstanceOf(TemplateException.class)
                .hasMessage("${{ steps.extract.outputs.cols }}: step 'extract' has no output 'cols'; it has rows");
        assertThatThrownBy(() -> Templates.resolve("${{ steps.load.outputs.rows }}", CTX))
                .hasMessage("${{ steps.load.outputs.rows }}: no outputs available for step 'load'");
    }

    @Test
    void missingContextParts() {
        assertThatThrownBy(() -> Templates.resolve("${{ run.id }}", TemplateContext.empty()))
                .hasMessage("${{ run.id }}: run.id is not available here (no run in context)");
        assertThatThrownBy(() -> Templates.resolve("${{ attempt.number }}", TemplateContext.empty()))
                .hasMessage("${{ attempt.number }}: attempt.number is not available here (no attempt in context)");
        assertThatThrownBy(() -> Templates.resolve("${{ trigger.key }}", CTX))
                .hasMessage("${{ trigger.key }}: trigger.* is only available in Kafka trigger params and runKey");
        assertThatThrownBy(() -> Templates.resolve("${{ schedule.date }}", CTX))
                .hasMessage("${{ schedule.date }}: schedule.* is only available in schedule params");
    }

    @Test
    void malformedTemplates() {
        assertThatThrownBy(() -> Templates.resolve("${{ params.day", CTX))
                .isInstanceOf(TemplateException.class).hasMessage("'${{ params.day' is never closed with '}}'");
        assertThatThrownBy(() -> Templates.resolve("${{ }}", CTX)).hasMessage("${{ }}: empty template");
        assertThatThrownBy(() -> Templates.resolve("${{ params['day'] }}", CTX)).hasMessage("${{ params['day'] }}: not a"
                + " reference; expected a dotted name such as params.day or steps.extract.outputs.rows");
        assertThatThrownBy(() -> Templates.resolve("${{ env.HOME }}", CTX)).hasMessage("${{ env.HOME }}: unknown namespace"
                + " 'env'; expected one of params, steps, run, attempt, trigger, schedule, partition, secrets");
        assertThatThrownBy(() -> Templates.resolve("${{ params.a.b }}", CTX)).hasMessage("${{ params.a.b }}: expected params.<name>");
    }

    @Test
    void referencesListsEveryOccurrenceWithPositions() {
        String text = "a ${{ params.day }} b ${{steps.x.outputs.y}}";
        List<TemplateReference> refs = Templates.references(text);
        assertThat(refs).extracting(TemplateReference::expression).containsExactly("params.day", "steps.x.outputs.y");
        assertThat(refs.get(1).path()).containsExactly("steps", "x", "outputs", "y");
        assertThat(refs.get(1).namespace()).isEqualTo("steps");
        assertThat(text.substring(refs.get(0).start(), refs.get(0).end())).isEqualTo("${{ params.day }}");
        assertThat(refs.get(1).text()).isEqualTo("${{ steps.x.outputs.y }}");
        assertThat(Templates.references("no templates $HOME")).isEmpty();
    }

    @Test
    void triggerNamespaceOverJson() throws Exception {
        var value = new ObjectMapper().readTree("""
                {"order_id": "o-7", "amount": 12.5, "paid": true, "note": null,
                 "lines": [{"sku": "A"}, {"sku": "B"}], "customer": {"id": 9}}""");
        TriggerRecord record = new TriggerRecord("shop.orders", 3, 1234L, Instant.parse("2026-01-02T03:04:05Z"), "cust-9",
                Map.of("x-trace.id", "abc"), value);
        TemplateContext ctx = TemplateContext.builder().trigger(record).build();
        assertThat(Templates.resolve("${{ trigger.value.order_id }}|${{ trigger.value.amount }}|${{ trigger.value.paid }}"
                + "|${{ trigger.value.note }}|${{ trigger.value.lines.1.sku }}|${{ trigger.value.customer }}", ctx))
                .isEqualTo("o-7|12.5|true||B|{\"id\":9}");
        assertThat(Templates.resolve("${{ trigger.key }} ${{ trigger.topic }}/${{ trigger.partition }}/${{ trigger.offset }}"
                + " ${{ trigger.timestamp }} ${{ trigger.headers.x-trace.id }}", ctx))
                .isEqualTo("cust-9 shop.orders/3/1234 2026-01-02T03:04:05Z abc");
        assertThatThrownBy(() -> Templates.resolve("${{ trigger.value.missing }}", ctx))
                .hasMessage("${{ trigger.value.missing }}: trigger.value has no field 'missing'");
        assertThatThrownBy(() -> Templates.resolve("${{ trigger.value.note.x }}", ctx))
                .hasMessage("${{ trigger.value.note.x }}: trigger.value.note is null");
        assertThatThrownBy(() -> Templates.resolve("${{ trigger.headers.nope }}", ctx))
                .hasMessage("${{ trigger.headers.nope }}: the record has no header 'nope'");
    }

    @Test
    void triggerNamespaceOverMapsStringsAndAvro() {
        TemplateContext maps = TemplateContext.builder().trigger(new TriggerRecord("t", 0, 1, null, null, null,
                Map.of("id", 5, "tags", List.of("a", "b")))).build();
        assertThat(Templates.resolve("${{ trigger.value.id }} ${{ trigger.value.tags.0 }} ${{ trigger.value.tags }}", maps))
                .isEqualTo("5 a [\"a\",\"b\"]");
        assertThatThrownBy(() -> Templates.resolve("${{ trigger.key }}", maps)).hasMessage("${{ trigger.key }}: the record has no key");

        TemplateContext string = TemplateContext.builder().trigger(new TriggerRecord("t", 0, 1, null, "k", null, "raw text")).build();
        assertThat(Templates.resolve("${{ trigger.value }}", string)).isEqualTo("raw text");
        assertThatThrownBy(() -> Templates.resolve("${{ trigger.value.x }}", string))
                .hasMessage("${{ trigger.value.x }}: trigger.value is not an object (format STRING has no fields)");

        var schema = SchemaBuilder.record("Order").fields().requiredString("id").requiredLong("amount").endRecord();
        GenericRecord avro = new GenericData.Record(schema);
        avro.put("id", new org.apache.avro.util.Utf8("o-1"));
        avro.put("amount", 7L);
        TemplateContext ctx = TemplateContext.builder().trigger(new TriggerRecord("t", 0, 1, null, "k", null, avro)).build();
        assertThat(Templates.resolve("${{ trigger.value.id }}:${{ trigger.value.amount }}", ctx)).isEqualTo("o-1:7");
    }

    @Test
    void scheduleNamespace() {
        TemplateContext ctx = TemplateContext.builder()
                .schedule(new ScheduleTick("nightly", Instant.parse("2026-03-28T23:30:00Z"), ZoneId.of("Europe/Berlin")))
                .build();
        // 23:30 UTC is already the next day in Berlin
        assertThat(Templates.resolve("${{ schedule.name }} ${{ schedule.time }} ${{ schedule.date }}", ctx))
                .isEqualTo("nightly 2026-03-28T23:30:00Z 2026-03-29");
    }

    @Test
    void resolvesRunActionStrings() {
        RunAction action = RunAction.newBuilder().setScript("echo ${{ params.day }} $HOME").setShell("sh")
                .setEnv(Map.of("ROWS", "${{ steps.extract.outputs.rows }}")).setWorkingDir("/data/${{ run.job }}").build();
        RunAction resolved = Templates.resolveRun(action, CTX);
        assertThat(resolved).isEqualTo(new RunAction("echo 2026-01-01 $HOME", "sh", Map.of("ROWS", "42"), "/data/orders_daily"));
        assertThat(action.getScript()).isEqualTo("echo ${{ params.day }} $HOME");
    }

    @Test
    void resolvesHttpActionStrings() {
        HttpAction action = new HttpAction("POST", "https://x.example/${{ params.day }}", Map.of("X-Run", "${{ run.id }}"),
                "{\"attempt\": ${{ attempt.number }}}", List.of(200), Map.of("id", "/${{ not.resolved }}"));
        assertThat(Templates.resolveAction(action, CTX)).isEqualTo(new HttpAction("POST", "https://x.example/2026-01-01",
                Map.of("X-Run", "run-1"), "{\"attempt\": 2}", List.of(200), Map.of("id", "/${{ not.resolved }}")));
    }

    @Test
    void resolvesJavaActionConfigAndLeavesOthers() {
        JavaAction action = new JavaAction("dev.example.H", Map.of("day", "${{ params.day }}"));
        assertThat(Templates.resolveAction(action, CTX)).isEqualTo(new JavaAction("dev.example.H", Map.of("day", "2026-01-01")));
        NoopAction noop = new NoopAction();
        assertThat(Templates.resolveAction(noop, CTX)).isSameAs(noop);
    }

    @Test
    void resolvesAWholeStep() {
        StepDefinition step = TestJobs.parse(TestJobs.example("orders_daily.yaml")).getSteps().get(1);
        StepDefinition resolved = Templates.resolveStep(step, CTX);
        assertThat(((RunAction) resolved.getAction()).getScript()).startsWith("test \"42\" = \"42\"\n");
        assertThat(resolved.getRetry()).isEqualTo(step.getRetry());
        assertThat(resolved.getKey()).isEqualTo("clean");
    }

    @Test
    void failingActionResolutionNamesTheExpression() {
        RunAction action = RunAction.newBuilder().setScript("echo").setEnv(Map.of("X", "${{ params.missing }}")).build();
        TemplateException e = catchThrowableOfType(TemplateException.class, () -> Templates.resolveRun(action, CTX));
        assertThat(e.expression()).isEqualTo("params.missing");
    }
}
