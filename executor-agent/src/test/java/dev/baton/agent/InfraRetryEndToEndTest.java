package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.StepRetryScheduled;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Infrastructure faults do not fail user runs: a job WITHOUT any {@code retry} whose agent process is killed (SIGKILL)
 * mid-step still succeeds once another agent is up; the lost attempt is dispatched again under the coordinator's
 * infrastructure-retry budget ({@code coordinator.infra.retries}), recorded as such on the retry event.
 */
@WithKafka
class InfraRetryEndToEndTest {
    @TempDir Path state;
    @TempDir Path dir;

    @Test
    void aJobWithoutRetryWhoseAgentIsKilledMidStepStillSucceeds(TestCluster cluster) throws Exception {
        KilledAgentScenario.Outcome o = KilledAgentScenario.play(cluster, "no_retry", null, state, dir);
        assertThat(o.events()).filteredOn(e -> e.getPayload() instanceof StepRetryScheduled)
                .singleElement().satisfies(e -> assertThat(((StepRetryScheduled) e.getPayload()).getInfrastructure())
                        .as("charged to the infrastructure-retry budget").isTrue());
        assertThat(o.job().getSteps().getFirst().getRetry().getMaxAttempts()).as("the job itself has no retry").isEqualTo(1);
    }
}
