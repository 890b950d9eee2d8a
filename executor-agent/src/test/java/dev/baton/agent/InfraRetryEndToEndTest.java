package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.agent.internal.ProcessTree;
import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.events.AgentReport;
import dev.baton.events.AgentState;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunAction;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepDefinition;
import dev.baton.events.StepLost;
import dev.baton.events.StepRetryScheduled;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceeded;
import dev.baton.events.StepSucceededReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
    @SuppressWarnings("try") // the coordinator only has to run while the test plays out
    void aJobWithoutRetryWhoseAgentIsKilledMidStepStillSucceeds(TestCluster cluster) throws Exception {
        assertThat(cluster.registryUrl()).as("a second JVM must reach the registry over HTTP").startsWith("http");
        List<Long> leftovers = new ArrayList<>();
        Process victim = null;
        try (AgentHarness h = new AgentHarness(cluster, "infra")) {
            Map<String, Object> cc = new HashMap<>(cluster.config(h.topics));
            cc.put(CoordinatorConfig.STATE_DIR, state.toString());
            cc.put(CoordinatorConfig.HEARTBEAT_INTERVAL_MS, 300L);
            cc.put(CoordinatorConfig.HEARTBEAT_TIMEOUT_MS, 3_000L);
            try (Coordinator coordinator = Coordinator.start(new CoordinatorConfig(cc), new SimpleMeterRegistry())) {
                victim = startAgentProcess(h.agentConfig(Map.of(AgentConfig.ID, "victim")));
                await().atMost(Duration.ofSeconds(120)).until(() -> h.registrationsOf("victim").stream()
                        .anyMatch(r -> r.getState() == AgentState.RUNNING));

                String script = "echo $$ > " + dir + "/pid-$BATON_ATTEMPT; "
                        + "if [ \"$BATON_ATTEMPT\" = 1 ]; then sleep 300; fi; "
                        + "echo \"attempt=$BATON_ATTEMPT\" >> \"$BATON_OUTPUT\"";
                StepDefinition step = StepDefinition.newBuilder().setKey("work")
                        .setAction(new RunAction(script, "bash", Map.of(), null))
                        .build();
                JobDefinition job = JobDefinition.newBuilder().setName("no_retry").setSteps(List.of(step))
                        .setRegisteredAt(Instant.EPOCH).build();
                String runId = "run-" + UUID.randomUUID();
                h.sendAvro(h.topics.runRequests(), runId, RunRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setRunId(runId).setTimestamp(Instant.now()).setTraceId("t-" + runId).setJob("no_retry")
                        .setOrigin(Origin.API).setDefinition(job).build());

                await().atMost(Duration.ofSeconds(120)).until(() -> firstStarted(h, runId) != null);
                AgentReport started = firstStarted(h, runId);
                assertThat(started.getAgentId()).isEqualTo("victim");
                assertThat(started.getAttempt()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("pid-1")));
                leftovers.add(Long.parseLong(Files.readString(dir.resolve("pid-1")).strip()));

                victim.destroyForcibly().waitFor();
                Agent rescuer = h.startAgent();

                await().atMost(Duration.ofSeconds(90)).until(() -> h.runEvents.stream()
                        .anyMatch(e -> e.getRunId().equals(runId) && e.getPayload() instanceof RunSucceeded));
                List<RunEvent> events = h.runEvents.stream().filter(e -> e.getRunId().equals(runId)).toList();
                assertThat(events).anySatisfy(e -> {
                    assertThat(e.getPayload()).isInstanceOf(StepLost.class);
                    assertThat(((StepLost) e.getPayload()).getAttemptId()).isEqualTo(started.getAttemptId());
                });
                AgentReport success = h.reports.stream()
                        .filter(r -> r.getRunId().equals(runId) && r.getReport() instanceof StepSucceededReport)
                        .findFirst().orElseThrow();
                assertThat(success.getAgentId()).isEqualTo(rescuer.agentId());
                assertThat(success.getAttempt()).isEqualTo(2);
                assertThat(success.getAttemptId()).isNotEqualTo(started.getAttemptId());
                assertThat(((StepSucceededReport) success.getReport()).getOutputs()).containsEntry("attempt", "2");
                assertThat(events).filteredOn(e -> e.getPayload() instanceof StepSucceeded).hasSize(1);
                assertThat(events).filteredOn(e -> e.getPayload() instanceof StepRetryScheduled)
                        .singleElement().satisfies(e -> assertThat(((StepRetryScheduled) e.getPayload()).getInfrastructure())
                                .as("charged to the infrastructure-retry budget").isTrue());
                assertThat(job.getSteps().getFirst().getRetry().getMaxAttempts()).as("the job itself has no retry").isEqualTo(1);
            }
        } finally {
            if (victim != null) {
                victim.destroyForcibly();
            }
            // A killed agent cannot stop its steps (they run in their own sessions); clean up after it.
            for (long pid : leftovers) {
                ProcessHandle.of(pid).ifPresent(p -> ProcessTree.kill(p, true, Duration.ofSeconds(1)));
            }
        }
    }

    private static AgentReport firstStarted(AgentHarness h, String runId) {
        return h.reports.stream().filter(r -> r.getRunId().equals(runId) && r.getReport() instanceof StepStartedReport)
                .findFirst().orElse(null);
    }

    private Process startAgentProcess(Map<String, Object> config) throws Exception {
        Properties p = new Properties();
        config.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        Path file = dir.resolve("victim.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                AgentProcessMain.class.getName(), file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("victim.log").toFile())
                .start();
    }
}
