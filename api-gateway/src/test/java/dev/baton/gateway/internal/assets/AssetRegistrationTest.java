package dev.baton.gateway.internal.assets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssetRegistrationTest {
    static JobDefinition job(String yaml) {
        return JobParser.parse(yaml, Format.YAML, Instant.EPOCH);
    }

    static final JobDefinition DAILY = job("""
            name: daily
            steps:
              - { key: extract, noop: {}, produces: [raw_orders] }
              - { key: clean, needs: [extract], noop: {}, produces: [clean_orders] }
            """);

    @Test
    void aCycleThroughAnotherJobsDepsIsReportedAtTheCandidatesDepsPathWithEveryEdge() {
        JobDefinition feedback = job("""
                name: feedback
                steps:
                  - { key: report, noop: {} }
                  - key: score
                    needs: [report]
                    noop: {}
                    produces:
                      - { key: scores, deps: [clean_orders] }
                      - { key: hints, deps: [scores] }
                """);
        JobDefinition daily2 = job("""
                name: daily
                steps:
                  - key: extract
                    noop: {}
                    produces:
                      - { key: raw_orders, deps: [crm/customers, hints] }
                  - { key: clean, needs: [extract], noop: {}, produces: [clean_orders] }
                """);
        assertThat(AssetRegistration.check(List.of(DAILY), feedback)).isEmpty();

        List<AssetRegistration.Problem> problems = AssetRegistration.check(List.of(DAILY, feedback), daily2);
        assertThat(problems).hasSize(1);
        AssetRegistration.Problem p = problems.get(0);
        assertThat(p.path()).isEqualTo("steps[0].produces[0].deps[1]");
        assertThat(p.message())
                .contains("clean_orders -> scores -> hints -> raw_orders -> clean_orders")
                .contains("hints -> raw_orders: deps in job 'daily' at steps[0].produces[0].deps[1]")
                .contains("raw_orders -> clean_orders: inferred from step needs in job 'daily' at steps[1].needs")
                .contains("clean_orders -> scores: deps in job 'feedback' at steps[1].produces[0].deps[0]")
                .contains("scores -> hints: deps in job 'feedback' at steps[1].produces[1].deps[0]");
    }

    @Test
    void anAssetAnotherJobProducesIsRejectedAtTheDeclaration() {
        JobDefinition other = job("""
                name: other
                steps:
                  - { key: a, noop: {} }
                  - { key: b, noop: {}, produces: [mine, clean_orders] }
                """);
        List<AssetRegistration.Problem> problems = AssetRegistration.check(List.of(DAILY), other);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("steps[1].produces[1]");
            assertThat(p.message()).contains("'clean_orders' is already produced by job 'daily' (step 'clean')");
        });
    }

    @Test
    void aNewVersionReplacesTheOldOneAndAGraphBrokenBeforeDoesNotBlockOthers() {
        JobDefinition dailyV2 = job("""
                name: daily
                steps:
                  - { key: extract, noop: {}, produces: [raw_orders] }
                  - { key: clean, needs: [extract], noop: {}, produces: [clean_orders, clean_customers] }
                """);
        assertThat(AssetRegistration.check(List.of(DAILY), dailyV2)).isEmpty();

        // two jobs that conflict already (registered before the rule), and an unrelated newcomer
        JobDefinition twin = job("""
                name: twin
                steps:
                  - { key: x, noop: {}, produces: [raw_orders] }
                """);
        JobDefinition unrelated = job("""
                name: unrelated
                steps:
                  - { key: x, noop: {}, produces: [elsewhere] }
                """);
        assertThat(AssetRegistration.check(List.of(DAILY, twin), unrelated)).isEmpty();
        AssetCatalog catalog = AssetCatalog.of(List.of(DAILY, twin, unrelated));
        assertThat(catalog.excluded()).containsOnlyKeys("twin");
        assertThat(catalog.graph().assets()).containsExactly("clean_orders", "elsewhere", "raw_orders");
        assertThat(catalog.declaration("raw_orders")).get().extracting(AssetCatalog.Declaration::job).isEqualTo("daily");
        JobDefinition loop = job("""
                name: loop
                steps:
                  - key: x
                    noop: {}
                    produces:
                      - { key: loop/a, deps: [raw_orders] }
                      - { key: extract_input, owners: [team:loop] }
                """);
        JobDefinition dailyLoop = job("""
                name: daily
                steps:
                  - key: extract
                    noop: {}
                    produces: [{ key: raw_orders, deps: [loop/a] }]
                """);
        AssetCatalog broken = AssetCatalog.of(List.of(dailyLoop, loop));
        assertThat(broken.excluded()).containsOnlyKeys("loop");
        assertThat(broken.graph().contains("extract_input")).isFalse();
        assertThat(broken.declaration("extract_input")).as("still declared").get()
                .extracting(d -> d.spec().getOwners()).isEqualTo(List.of("team:loop"));
    }
}
