package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The short version of the ui scenario (2,000 runs; the full 2,000-asset / 5,000-edge lineage graph) in headless
 * Chromium: it completes and reports its fields, and the whole graph was drawn. Timings are printed, never asserted.
 */
class UiBenchSmokeTest {

    @Test
    void uiScenarioCompletesAndDrawsTheWholeLineageGraph() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Map<String, Object> result = new Bench(new PrintStream(buf, true, StandardCharsets.UTF_8), true).run("ui");
        System.out.println(buf.toString(StandardCharsets.UTF_8) + Bench.json(result));
        assertThat(result).containsEntry("scenario", "ui")
                .containsKeys("runs_first_rows_p50_ms", "lineage_rendered_p50_ms", "runs_longest_task_ms", "lineage_longest_task_ms");
        assertThat(result).containsEntry("assets", 2000).containsEntry("edges", 5000);
        assertThat(result.get("lineage_nodes_drawn")).isEqualTo(2000L);
    }
}
