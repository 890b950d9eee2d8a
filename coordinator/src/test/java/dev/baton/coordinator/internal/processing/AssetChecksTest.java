package dev.baton.coordinator.internal.processing;

import static dev.baton.coordinator.internal.processing.Fold.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepStatus;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AssetChecksTest {
    static final JobDefinition CHECKED = Fold.job("""
            name: checked
            steps:
              - key: load
                noop: {}
                produces:
                  - key: raw_orders
                    checks:
                      - { name: has_rows, expr: "rows > 0", severity: ERROR }
                      - { name: not_too_many, expr: "rows < 1000", severity: WARN }
              - { key: publish, needs: [load], noop: {} }
            """);

    @Test
    void aFailedErrorCheckBlocksDownstreamAndFailsTheRun() {
        Fold f = new Fold("run-check-err");
        f.in(f.request(CHECKED, Map.of()));
        f.in(f.started("load"));
        var events = f.in(f.succeeded("load", Map.of("rows", "0")));
        assertThat(types(events)).containsExactly(StepSucceeded.class, StepFailed.class, StepSkipped.class, RunFailed.class);
        StepFailed failed = (StepFailed) events.get(1).event();
        assertThat(failed.message()).contains("has_rows").contains("rows > 0").contains("rows=0");
        assertThat(failed.last()).isTrue();
        assertThat(f.step("publish").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(f.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void aFailedWarnCheckIsRecordedButDoesNotBlock() {
        Fold f = new Fold("run-check-warn");
        f.in(f.request(CHECKED, Map.of()));
        f.in(f.started("load"));
        var events = f.in(f.succeeded("load", Map.of("rows", "5000")));
        assertThat(types(events)).containsExactly(StepSucceeded.class, StepDispatched.class);
        var results = f.decider.checks(f.state, "load", Map.of("rows", "5000"), java.util.List.of());
        assertThat(results).extracting(AssetChecks.Result::check, r -> r.outcome().name())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("has_rows", "PASSED"),
                        org.assertj.core.groups.Tuple.tuple("not_too_many", "FAILED"));
    }

    @Test
    void aCheckThatCannotBeEvaluatedCountsAsFailedForErrorSeverity() {
        Fold f = new Fold("run-check-missing");
        f.in(f.request(CHECKED, Map.of()));
        f.in(f.started("load"));
        var events = f.in(f.succeeded("load", Map.of()));
        assertThat(((StepFailed) events.get(1).event()).message()).contains("ERRORED");
    }

    @Test
    void explicitDepsOnAssetsOfOtherJobsReferenceTheirCurrentMaterialization() {
        JobDefinition downstream = Fold.job("""
                name: report
                steps:
                  - key: build
                    noop: {}
                    produces:
                      - { key: daily_report, deps: [clean_orders] }
                """);
        Fold f = new Fold("run-cross");
        f.assets = key -> key.equals("clean_orders")
                ? Optional.of(new Materialized("clean_orders", null, "mat-123", "v7")) : Optional.empty();
        var events = f.in(f.request(downstream, Map.of()));
        StepDispatched d = (StepDispatched) events.getLast().event();
        assertThat(d.upstream()).singleElement().satisfies(u -> {
            assertThat(u.getAssetKey()).isEqualTo("clean_orders");
            assertThat(u.getMaterializationId()).isEqualTo("mat-123");
            assertThat(u.getDataVersion()).isEqualTo("v7");
        });
        assertThat(f.step("build").upstream()).extracting(Materialized::id).containsExactly("mat-123");
    }
}
