package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentState;
import dev.baton.events.ErrorClass;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.SleepAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@WithKafka
class GracefulShutdownTest {

    @Test
    void runningStepsFinishWithinTheGraceAndLongerOnesAreCanceledRetryably(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "shutdown")) {
            Agent agent = h.startAgent(Map.of(AgentConfig.SHUTDOWN_GRACE_MS, 3_000L, AgentConfig.SLOTS, 2));
            Path pidFile = AgentHarness.tempDir().resolve("pid");
            StepCommand quick = h.execute("default", new SleepAction(1_000L));
            StepCommand slow = h.execute("default", new RunAction("sleep 300 & echo $! > " + pidFile + "; wait", "bash", Map.of(), null));
            h.started(quick);
            h.started(slow);

            long t0 = System.nanoTime();
            agent.close();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            h.succeeded(quick);
            StepFailedReport f = h.failed(slow);
            assertThat(f.getErrorClass()).isEqualTo(ErrorClass.CANCELED);
            assertThat(f.getRetryable()).as("the step did not fail; the agent went away").isTrue();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            long sleepPid = Long.parseLong(Files.readString(pidFile).strip());
            assertThat(ProcessHandle.of(sleepPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

            org.awaitility.Awaitility.await().untilAsserted(() -> {
                List<AgentState> states = h.registrationsOf(agent.agentId()).stream().map(AgentHeartbeat::getState).toList();
                assertThat(states).containsSubsequence(AgentState.RUNNING, AgentState.DRAINING, AgentState.STOPPED);
                assertThat(states.getLast()).isEqualTo(AgentState.STOPPED);
            });
            assertThat(agent.ready()).isFalse();
        }
    }

    @Test
    void aStoppedAgentTakesNoMoreCommandsAndAnotherAgentDoes(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "shutdown-handover")) {
            Agent first = h.startAgent();
            h.succeeded(h.execute("default", new NoopAction()));
            first.close();

            StepCommand later = h.execute("default", new NoopAction());
            Agent second = h.startAgent();
            assertThat(h.terminal(later).getAgentId()).isEqualTo(second.agentId());
        }
    }
}
