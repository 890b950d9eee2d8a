package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.agent.handlers.BlockingHandler;
import dev.baton.events.ErrorClass;
import dev.baton.events.JavaAction;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepStartedReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@WithKafka
class CancellationTest {

    @Test
    void cancelKillsTheWholeProcessTreeIncludingGrandchildren(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "cancel")) {
            h.startAgent();
            Path pids = AgentHarness.tempDir().resolve("pids");
            // Children, a grandchild in a subshell, and one whose parent exits at once (an orphan); all ignore nothing.
            String script = "echo $$ >> " + pids + "; "
                    + "sleep 300 & echo $! >> " + pids + "; "
                    + "sleep 300 & echo $! >> " + pids + "; "
                    + "( sleep 300 & echo $! >> " + pids + "; wait ) & "
                    + "bash -c 'sleep 300 & echo $! >> " + pids + "' ; "
                    + "wait";
            StepCommand cmd = h.execute("default", new RunAction(script, "bash", Map.of(), null));
            StepStartedReport started = (StepStartedReport) h.started(cmd).getReport();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 5);
            List<Long> all = Files.readAllLines(pids).stream().map(s -> Long.parseLong(s.strip())).toList();
            assertThat(all).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertThat(started.getPid()).isNotNull();

            h.cancel(cmd, 1_000);

            StepFailedReport f = h.failed(cmd);
            assertThat(f.getErrorClass()).isEqualTo(ErrorClass.CANCELED);
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getMessage()).contains("test cancel");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(all).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        }
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGrace(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "cancel-kill")) {
            h.startAgent();
            Path ready = AgentHarness.tempDir().resolve("ready");
            StepCommand cmd = h.execute("default", new RunAction("trap '' TERM; touch " + ready + "; while true; do sleep 0.2; done",
                    "bash", Map.of(), null));
            h.started(cmd);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
            long pid = ((StepStartedReport) h.started(cmd).getReport()).getPid();
            h.cancel(cmd, 500);
            assertThat(h.failed(cmd).getErrorClass()).isEqualTo(ErrorClass.CANCELED);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void cancelInterruptsAJavaHandler(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "cancel-java")) {
            h.startAgent();
            StepCommand cmd = h.execute("default", new JavaAction("block", Map.of()));
            h.started(cmd);
            h.cancel(cmd, 1_000);
            assertThat(h.failed(cmd).getErrorClass()).isEqualTo(ErrorClass.CANCELED);
            assertThat(BlockingHandler.INTERRUPTED).contains(cmd.getAttemptId());
        }
    }

    @Test
    void anExecuteArrivingAfterItsCancelIsSkippedAndReportedCanceled(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "cancel-early")) {
            StepCommand cmd = h.command("run-early", "step", 1, "default",
                    dev.baton.events.ExecuteStep.newBuilder().setJob("j").setAction(new NoopAction()).build());
            h.cancel(cmd, 0);
            // An agent starting now reads back recent cancels before it takes any command.
            h.startAgent();
            h.send(h.topics.commands("default"), cmd);
            StepFailedReport f = h.failed(cmd);
            assertThat(f.getErrorClass()).isEqualTo(ErrorClass.CANCELED);
            assertThat(h.reportsOf(cmd.getAttemptId())).noneMatch(r -> r.getReport() instanceof StepStartedReport);
        }
    }
}
