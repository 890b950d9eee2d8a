package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.LogStream;
import dev.baton.events.RunAction;
import dev.baton.events.StepCommand;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

@WithKafka
class LogStreamingTest {

    @Test
    void everyLineArrivesOnceInOrderWithItsStream(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "logs")) {
            Agent agent = h.startAgent();
            int n = 20_000;
            // Fast interleaved output on both pipes, plus a long line that is split, not cut.
            String script = "for i in $(seq 1 " + n + "); do echo \"out $i\"; if (( i % 1000 == 0 )); then echo \"err $i\" >&2; fi; done; "
                    + "printf 'y%.0s' $(seq 1 40000); echo";
            StepCommand cmd = h.execute("default", new RunAction(script, "bash", Map.of(), null));
            h.succeeded(cmd);
            List<LogLine> lines = h.logLines(cmd);

            assertThat(lines).extracting(LogLine::getSeq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, lines.size()).boxed().toList());
            List<String> out = lines.stream().filter(l -> l.getStream() == LogStream.STDOUT).map(LogLine::getText).toList();
            assertThat(out.subList(0, n)).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, n).mapToObj(i -> "out " + i).toList());
            assertThat(String.join("", out.subList(n, out.size()))).isEqualTo("y".repeat(40_000));
            assertThat(lines.stream().filter(l -> l.getStream() == LogStream.STDERR).map(LogLine::getText).toList())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, n / 1000).mapToObj(i -> "err " + (i * 1000)).toList());

            List<LogBatch> batches = h.logs.stream().filter(b -> b.getAttemptId().equals(cmd.getAttemptId())).toList();
            assertThat(batches.size()).as("lines are batched").isLessThan(lines.size() / 10);
            assertThat(batches).allSatisfy(b -> {
                assertThat(b.getRunId()).isEqualTo(cmd.getRunId());
                assertThat(b.getAgentId()).isEqualTo(agent.agentId());
                assertThat(b.getTraceId()).isEqualTo(cmd.getTraceId());
            });
            assertThat(agent.meterRegistry().get("baton.agent.log.lines.dropped").counter().count()).isZero();
        }
    }

    @Test
    void linesOfALongStepArriveWhileItRuns(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "logs-live")) {
            h.startAgent();
            StepCommand cmd = h.execute("default", new RunAction("echo first; sleep 30; echo last", "bash", Map.of(), null));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.logText(cmd)).contains("STDOUT first"));
            assertThat(h.reportsOf(cmd.getAttemptId())).noneMatch(AgentHarness::isTerminal);
        }
    }
}
