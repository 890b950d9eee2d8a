package dev.baton.coordinator.internal.processing;

import static dev.baton.coordinator.internal.processing.Fold.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.RunAction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run carries its partition: checked against the job's partitions, read by templates, recorded on materializations. */
class PartitionedRunTest {
    static final JobDefinition DAILY_SALES = Fold.job("""
            name: daily_sales
            partitions:
              daily: { start: "2026-01-01", timezone: Europe/Berlin }
            steps:
              - key: load
                run: echo "loading ${{ partition.key }} from ${{ partition.start }} to ${{ partition.end }}"
                produces: [sales]
              - key: report
                needs: [load]
                noop: {}
                produces: [sales_report]
            """);

    static final JobDefinition REGIONAL = Fold.job("""
            name: regional
            partitions:
              dimensions:
                date: { daily: { start: "2026-01-01" } }
                region: { static: [eu, us] }
            steps:
              - key: load
                run: echo ${{ partition.region.key }} ${{ partition.date.key }} ${{ partition.start }}
            """);

    @Test
    void thePartitionIsRecordedResolvedInTemplatesAndOnMaterializations() {
        Fold f = new Fold("run-p");
        var events = f.in(f.request(DAILY_SALES, Map.of(), "2026-03-29"));
        assertThat(types(events)).containsExactly(RunRequested.class, RunQueued.class, RunStarted.class, StepDispatched.class);
        assertThat(((RunRequested) events.get(0).event()).partition()).isEqualTo("2026-03-29");
        assertThat(f.state.partition()).isEqualTo("2026-03-29");
        RunAction load = (RunAction) f.actions.get(f.step("load").attemptId());
        assertThat(load.getScript()).isEqualTo(
                "echo \"loading 2026-03-29 from 2026-03-29T00:00+01:00 to 2026-03-30T00:00+02:00\"");

        f.in(f.started("load"));
        events = f.in(f.succeeded("load", Map.of()));
        StepSucceeded ok = (StepSucceeded) events.get(0).event();
        assertThat(ok.materializations()).singleElement().satisfies(m -> {
            assertThat(m.assetKey()).isEqualTo("sales");
            assertThat(m.partition()).isEqualTo("2026-03-29");
        });
        StepDispatched report = (StepDispatched) events.get(1).event();
        assertThat(report.upstream()).singleElement().satisfies(u -> assertThat(u.getPartition()).isEqualTo("2026-03-29"));
    }

    @Test
    void aReportedMaterializationWithoutPartitionIsOfTheRunsPartitionAndAnotherPartitionIsKept() {
        Fold f = new Fold("run-rep");
        f.in(f.request(DAILY_SALES, Map.of(), "2026-01-02"));
        f.in(f.started("load"));
        var st = f.step("load");
        var events = f.in(new dev.baton.coordinator.internal.events.Input.Succeeded(f.id(), f.runId, f.now, "trace", "load",
                st.attempt(), st.attemptId(), "agent-1", Map.of(), Map.of(), List.of(
                        MaterializationReport.newBuilder().setAssetKey("sales").setPartition(null).setDataVersion("v1").build(),
                        MaterializationReport.newBuilder().setAssetKey("sales").setPartition("2026-01-01").build()), 5));
        StepSucceeded ok = (StepSucceeded) events.get(0).event();
        assertThat(ok.materializations()).extracting(Materialized::partition).containsExactly("2026-01-02", "2026-01-01");
        assertThat(ok.materializations().get(0).dataVersion()).isEqualTo("v1");
    }

    @Test
    void twoDimensionsInTemplates() {
        Fold f = new Fold("run-2d");
        f.in(f.request(REGIONAL, Map.of(), "2026-02-01|us"));
        RunAction load = (RunAction) f.actions.get(f.step("load").attemptId());
        assertThat(load.getScript()).isEqualTo("echo us 2026-02-01 2026-02-01T00:00Z");
    }

    @Test
    void anUnknownPartitionIsRejectedNamingIt() {
        Fold f = new Fold("run-bad");
        var events = f.in(f.request(DAILY_SALES, Map.of(), "2025-12-31"));
        assertThat(types(events)).containsExactly(RunRequestRejected.class);
        RunRequestRejected r = (RunRequestRejected) events.get(0).event();
        assertThat(r.rejection()).isEqualTo(Rejection.INVALID_REQUEST);
        assertThat(r.reason()).contains("partition '2025-12-31' is outside the daily partitions from 2026-01-01T00:00 in Europe/Berlin");
        assertThat(f.state).isNull();
    }

    @Test
    void aPartitionedJobNeedsAPartitionAndAnUnpartitionedOneTakesNone() {
        Fold f = new Fold("run-none");
        var events = f.in(f.request(DAILY_SALES, Map.of()));
        assertThat(((RunRequestRejected) events.get(0).event()).reason())
                .isEqualTo("job 'daily_sales' is partitioned: a run needs a partition key");
        Fold g = new Fold("run-extra");
        events = g.in(g.request(RunDeciderTest.DIAMOND, Map.of(), "2026-01-01"));
        assertThat(((RunRequestRejected) events.get(0).event()).reason())
                .isEqualTo("job 'diamond' is not partitioned; a run of it has no partition (got '2026-01-01')");
    }

    @Test
    void theRunsToTheEndWithItsPartition() {
        Fold f = new Fold("run-end");
        f.in(f.request(DAILY_SALES, Map.of(), "2026-01-05"));
        f.complete("load", Map.of());
        f.complete("report", Map.of());
        assertThat(f.state.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(f.state.partition()).isEqualTo("2026-01-05");
    }
}
