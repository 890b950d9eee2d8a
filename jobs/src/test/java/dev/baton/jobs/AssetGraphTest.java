package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.AssetGraph.Edge;
import dev.baton.jobs.AssetGraph.EdgeKind;
import dev.baton.jobs.AssetGraph.Producer;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssetGraphTest {
    /** raw_orders -> clean_orders (inferred), crm/customers -> clean_orders (explicit). */
    private static final JobDefinition DAILY = TestJobs.parse("""
            name: daily
            steps:
              - {key: extract, run: echo, produces: [raw_orders]}
              - {key: check, needs: [extract], noop: {}}
              - {key: clean, needs: [check], run: echo, produces: [{key: clean_orders, deps: [crm/customers]}]}
            """);
    /** clean_orders -> revenue -> report; revenue and margin are made by one step (no edge between them). */
    private static final JobDefinition REPORTS = TestJobs.parse("""
            name: reports
            steps:
              - {key: aggregate, run: echo, produces: [{key: revenue, deps: [clean_orders]}, margin]}
              - {key: publish, needs: [aggregate], run: echo, produces: [report]}
            """);

    @Test
    void nodesAreProducedAndReferencedAssets() {
        AssetGraph graph = AssetGraph.of(List.of(DAILY, REPORTS));
        assertThat(graph.assets()).containsExactly("clean_orders", "crm/customers", "margin", "raw_orders", "report", "revenue");
        assertThat(graph.producer("clean_orders")).contains(new Producer("daily", "clean"));
        assertThat(graph.producer("crm/customers")).isEmpty();
    }

    @Test
    void edgesAreExplicitOrInferredThroughStepsThatProduceNothing() {
        AssetGraph graph = AssetGraph.of(List.of(DAILY, REPORTS));
        assertThat(graph.edges()).containsExactlyInAnyOrder(
                new Edge("crm/customers", "clean_orders", EdgeKind.EXPLICIT, "daily"),
                new Edge("raw_orders", "clean_orders", EdgeKind.INFERRED, "daily"),
                new Edge("clean_orders", "revenue", EdgeKind.EXPLICIT, "reports"),
                new Edge("revenue", "report", EdgeKind.INFERRED, "reports"),
                new Edge("margin", "report", EdgeKind.INFERRED, "reports"));
    }

    @Test
    void upstreamByLevels() {
        AssetGraph graph = AssetGraph.of(List.of(DAILY, REPORTS));
        assertThat(graph.upstream("report", 1)).containsExactly("margin", "revenue");
        assertThat(graph.upstream("report", 2)).containsExactly("margin", "revenue", "clean_orders");
        assertThat(graph.upstream("report")).containsExactly("margin", "revenue", "clean_orders", "crm/customers", "raw_orders");
        assertThat(graph.upstream("raw_orders")).isEmpty();
    }

    @Test
    void downstreamByLevels() {
        AssetGraph graph = AssetGraph.of(List.of(DAILY, REPORTS));
        assertThat(graph.downstream("raw_orders", 1)).containsExactly("clean_orders");
        assertThat(graph.downstream("raw_orders", 2)).containsExactly("clean_orders", "revenue");
        assertThat(graph.downstream("raw_orders")).containsExactly("clean_orders", "revenue", "report");
        assertThat(graph.downstream("report")).isEmpty();
    }

    @Test
    void topologicalOrderPutsUpstreamFirst() {
        AssetGraph graph = AssetGraph.of(List.of(REPORTS, DAILY));
        assertThat(graph.topologicalOrder())
                .containsExactly("crm/customers", "margin", "raw_orders", "clean_orders", "revenue", "report");
    }

    @Test
    void rejectsBadArguments() {
        AssetGraph graph = AssetGraph.of(List.of(DAILY));
        assertThatThrownBy(() -> graph.upstream("nope", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown asset 'nope'");
        assertThatThrownBy(() -> graph.downstream("raw_orders", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("levels must be at least 1 (got 0)");
    }

    @Test
    void crossJobCycleIsNamed() {
        JobDefinition feedback = TestJobs.parse("""
                name: feedback
                steps:
                  - {key: score, run: echo, produces: [{key: raw_orders, deps: [report]}]}
                """);
        JobDefinition daily = TestJobs.parse("""
                name: daily
                steps:
                  - {key: clean, run: echo, produces: [{key: clean_orders, deps: [raw_orders]}]}
                """);
        AssetGraphException e = catchThrowableOfType(AssetGraphException.class,
                () -> AssetGraph.of(List.of(REPORTS, feedback, daily)));
        assertThat(e.cycles()).containsExactly(List.of("clean_orders", "revenue", "report", "raw_orders", "clean_orders"));
        assertThat(e.getMessage()).isEqualTo("asset dependency cycle: clean_orders -> revenue -> report -> raw_orders"
                + " -> clean_orders (clean_orders -> revenue: deps in job 'reports'; revenue -> report: step needs in job"
                + " 'reports'; report -> raw_orders: deps in job 'feedback'; raw_orders -> clean_orders: deps in job 'daily')");
    }

    @Test
    void withoutTheClosingJobThereIsNoCycle() {
        JobDefinition daily = TestJobs.parse("""
                name: daily
                steps:
                  - {key: clean, run: echo, produces: [{key: clean_orders, deps: [raw_orders]}]}
                """);
        assertThat(AssetGraph.of(List.of(REPORTS, daily)).downstream("raw_orders")).containsExactly("clean_orders", "revenue", "report");
    }

    @Test
    void twoProducersForOneAsset() {
        JobDefinition other = TestJobs.parse("name: other\nsteps: [{key: load, run: echo, produces: [raw_orders]}]\n");
        AssetGraphException e = catchThrowableOfType(AssetGraphException.class, () -> AssetGraph.of(List.of(DAILY, other)));
        assertThat(e.conflicts()).containsOnlyKeys("raw_orders");
        assertThat(e.conflicts().get("raw_orders")).containsExactly(new Producer("daily", "extract"), new Producer("other", "load"));
        assertThat(e.getMessage()).isEqualTo("asset 'raw_orders' is produced by more than one step: daily.extract, other.load");
        assertThat(e.cycles()).isEmpty();
    }

    @Test
    void oneVersionPerJob() {
        assertThatThrownBy(() -> AssetGraph.of(List.of(DAILY, DAILY))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job 'daily' is given more than once; pass one version per job");
    }

    @Test
    void emptyGraph() {
        AssetGraph graph = AssetGraph.of(List.of());
        assertThat(graph.assets()).isEmpty();
        assertThat(graph.topologicalOrder()).isEmpty();
        assertThat(graph.contains("x")).isFalse();
    }
}
