package dev.baton.gateway.internal.assets;

import static dev.baton.gateway.internal.assets.AssetRegistrationTest.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.jobs.AssetGraph;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineageTest {
    // crm/customers (source) -> raw_orders -> clean_orders -> revenue -> report
    static final AssetGraph GRAPH = AssetCatalog.of(List.of(
            job("""
                    name: daily
                    steps:
                      - key: extract
                        noop: {}
                        produces: [{ key: raw_orders, deps: [crm/customers] }]
                      - { key: clean, needs: [extract], noop: {}, produces: [clean_orders] }
                    """),
            job("""
                    name: reports
                    steps:
                      - key: sum
                        noop: {}
                        produces: [{ key: revenue, deps: [clean_orders] }]
                      - { key: publish, needs: [sum], noop: {}, produces: [report] }
                    """))).graph();

    @Test
    void walksTheGivenLevelsUpAndDownInDataFlowOrder() {
        Lineage.Walk up = Lineage.walk(GRAPH, "clean_orders", true, false, 1);
        assertThat(up.levels()).containsExactly(Map.entry("raw_orders", -1), Map.entry("clean_orders", 0));
        assertThat(up.edges()).containsExactly(new AssetGraph.Edge("raw_orders", "clean_orders", AssetGraph.EdgeKind.INFERRED, "daily"));
        assertThat(up.truncated()).isTrue();

        Lineage.Walk both = Lineage.walk(GRAPH, "clean_orders", true, true, 2);
        assertThat(both.levels()).containsExactly(Map.entry("crm/customers", -2), Map.entry("raw_orders", -1),
                Map.entry("clean_orders", 0), Map.entry("revenue", 1), Map.entry("report", 2));
        assertThat(both.edges()).extracting(e -> e.upstream() + ">" + e.downstream() + ":" + e.kind())
                .containsExactly("crm/customers>raw_orders:EXPLICIT", "raw_orders>clean_orders:INFERRED",
                        "clean_orders>revenue:EXPLICIT", "revenue>report:INFERRED");
        assertThat(both.truncated()).isFalse();
    }

    @Test
    void anAssetOutsideTheGraphStandsAlone() {
        Lineage.Walk w = Lineage.walk(GRAPH, "adhoc/export", true, true, 3);
        assertThat(w.levels()).containsExactly(Map.entry("adhoc/export", 0));
        assertThat(w.edges()).isEmpty();
        assertThat(w.truncated()).isFalse();
    }
}
