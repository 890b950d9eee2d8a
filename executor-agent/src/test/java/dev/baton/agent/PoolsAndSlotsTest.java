package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentReport;
import dev.baton.events.AgentState;
import dev.baton.events.NoopAction;
import dev.baton.events.SleepAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepStartedReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@WithKafka
class PoolsAndSlotsTest {

    @Test
    void agentsOnTwoPoolsEachReceiveOnlyTheirOwnPoolsCommands(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "pools", "eu-west", "us-east")) {
            Agent eu = h.startAgent(Map.of(AgentConfig.POOLS, "eu-west", AgentConfig.REGION, "eu-west-1"));
            Agent us = h.startAgent(Map.of(AgentConfig.POOLS, "us-east", AgentConfig.REGION, "us-east-1"));
            List<StepCommand> euCmds = new ArrayList<>();
            List<StepCommand> usCmds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                euCmds.add(h.execute("eu-west", new NoopAction()));
                usCmds.add(h.execute("us-east", new NoopAction()));
            }
            for (StepCommand c : euCmds) {
                AgentReport started = h.started(c);
                assertThat(started.getAgentId()).isEqualTo(eu.agentId());
                assertThat(((StepStartedReport) started.getReport()).getRegion()).isEqualTo("eu-west-1");
                assertThat(h.terminal(c).getAgentId()).isEqualTo(eu.agentId());
            }
            for (StepCommand c : usCmds) {
                assertThat(h.terminal(c).getAgentId()).isEqualTo(us.agentId());
            }
        }
    }

    @ParameterizedTest(name = "{0} slots, {1} per poll")
    @CsvSource({"2, 1", "4, 3"})
    void anAgentNeverRunsMoreStepsThanItHasSlots(int slots, int perPoll, TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "slots")) {
            List<StepCommand> cmds = new ArrayList<>();
            for (int i = 0; i < 2 * slots; i++) {
                cmds.add(h.execute("default", new SleepAction(1_000L)));
            }
            Agent agent = h.startAgent(Map.of(AgentConfig.SLOTS, slots, AgentConfig.POLL_MAX_RECORDS, perPoll,
                    AgentConfig.REGISTRATION_INTERVAL_MS, 200L));

            // While it is busy its registration lists what it runs.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(h.registrationsOf(agent.agentId()))
                    .anySatisfy(r -> assertThat(r.getRunning()).hasSizeGreaterThanOrEqualTo(perPoll)));
            record Interval(Instant start, Instant end) {}
            List<Interval> intervals = new ArrayList<>();
            for (StepCommand c : cmds) {
                intervals.add(new Interval(h.started(c).getTimestamp(), h.terminal(c).getTimestamp()));
            }
            // Sweep over start (+1) and end (-1) points, ends first on ties: the most steps running at once.
            record Point(Instant at, int delta) {}
            List<Point> points = new ArrayList<>();
            intervals.forEach(i -> {
                points.add(new Point(i.start(), +1));
                points.add(new Point(i.end(), -1));
            });
            points.sort(java.util.Comparator.comparing(Point::at).thenComparingInt(Point::delta));
            int now = 0;
            int max = 0;
            for (Point p : points) {
                now += p.delta();
                max = Math.max(max, now);
            }
            assertThat(max).as("most steps running at once, from started/finished reports %s", intervals)
                    .isLessThanOrEqualTo(slots).isGreaterThanOrEqualTo(perPoll);
            // With n slots, 2n one-second steps take at least two rounds.
            Instant first = intervals.stream().map(Interval::start).min(Instant::compareTo).orElseThrow();
            Instant last = intervals.stream().map(Interval::end).max(Instant::compareTo).orElseThrow();
            assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofMillis(2_000));
            assertThat(agent.meterRegistry().get("baton.agent.slots.free").gauge().value()).isEqualTo(slots);
        }
    }

    @Test
    void theAgentRegistersItselfOnTheAgentsTopic(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "registration", "a", "b")) {
            Agent agent = h.startAgent(Map.of(AgentConfig.SLOTS, 3, AgentConfig.REGISTRATION_INTERVAL_MS, 200L));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.registrationsOf(agent.agentId())).hasSizeGreaterThan(2));
            AgentHeartbeat r = h.registrationsOf(agent.agentId()).getFirst();
            assertThat(r.getPools()).containsExactly("a", "b");
            assertThat(r.getRegion()).isEqualTo("test-region");
            assertThat(r.getHost()).isNotBlank();
            assertThat(r.getSlots()).isEqualTo(3);
            assertThat(r.getState()).isEqualTo(AgentState.RUNNING);
            assertThat(r.getVersion()).isNotBlank();
        }
    }
}
