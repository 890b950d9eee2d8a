package dev.baton.agent;

import dev.baton.events.RetryPolicy;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain of at-least-once: an agent process is killed (SIGKILL) in the middle of a step; the
 * coordinator notices the missing heartbeats, declares the attempt lost and retries it; another
 * agent runs the new attempt and the run succeeds ({@link KilledAgentScenario} asserts each of these).
 */
@WithKafka
class AgentCrashRetryTest {
    @TempDir Path state;
    @TempDir Path dir;

    @Test
    void anAgentKilledMidStepHasItsAttemptRetriedByTheCoordinator(TestCluster cluster) throws Exception {
        KilledAgentScenario.play(cluster, "crash",
                RetryPolicy.newBuilder().setMaxAttempts(2).setInitialBackoffMs(100L).build(), state, dir);
    }
}
