package dev.baton.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.sdk.testing.RecordingStepContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepHandlerContractTest {

    /** A handler as a user would write it. */
    static final class CountRows implements StepHandler {
        @Override public String name() { return "count-rows"; }

        @Override
        public void execute(StepContext ctx) {
            int rows = Integer.parseInt(ctx.inputs().get("extract").get("rows")) * 2;
            ctx.log().info("counted {} rows for {}", rows, ctx.params().get("table"));
            ctx.output("rows", String.valueOf(rows));
            ctx.outputRef("report", "s3://bucket/" + ctx.attemptId());
            ctx.materialize("warehouse/" + ctx.params().get("table"), Map.of("rows", rows, "dashboard", Metadata.url("https://x")));
            if (ctx.config().containsKey("fail")) {
                throw new NonRetryableException("bad input");
            }
        }
    }

    @Test
    void handlerRecordsOutputsMaterializationsAndLogLines() throws Exception {
        var ctx = new RecordingStepContext().param("table", "orders").input("extract", "rows", "21").attempt(2, "att-2");
        new CountRows().execute(ctx);

        assertThat(ctx.outputs()).containsExactly(Map.entry("rows", "42"));
        assertThat(ctx.outputRefs()).containsEntry("report", "s3://bucket/att-2");
        assertThat(ctx.materializations()).singleElement().satisfies(m -> {
            assertThat(m.assetKey()).isEqualTo("warehouse/orders");
            assertThat(m.partition()).isNull();
            assertThat(m.metadata()).containsEntry("rows", 42).containsEntry("dashboard", new Metadata.Url("https://x"));
        });
        assertThat(ctx.logLines()).containsExactly("INFO counted 42 rows for orders");
    }

    @Test
    void nonRetryableFailureSurfacesToTheCaller() {
        var ctx = new RecordingStepContext().param("table", "t").input("extract", "rows", "1").config("fail", "yes");
        assertThatThrownBy(() -> new CountRows().execute(ctx)).isInstanceOf(NonRetryableException.class);
    }

    @Test
    void checkCanceledThrowsOnlyAfterCancel() {
        var ctx = new RecordingStepContext();
        ctx.checkCanceled();
        ctx.cancel();
        assertThat(ctx.isCanceled()).isTrue();
        assertThatThrownBy(ctx::checkCanceled).isInstanceOf(StepCanceledException.class);
    }

    @Test
    void lineLoggerFormatsArgumentsAndStackTracesAndHonoursTheLevel() {
        var lines = new java.util.ArrayList<String>();
        var log = new LineLogger("t", org.slf4j.event.Level.INFO, (level, text) -> lines.add(level + ":" + text));
        log.debug("hidden {}", 1);
        log.info("a={} b={}", 1, "two");
        log.error("boom", new IllegalStateException("x"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("INFO:a=1 b=two");
        assertThat(lines.get(1)).startsWith("ERROR:boom").contains("java.lang.IllegalStateException: x").contains("\tat ");
    }
}
