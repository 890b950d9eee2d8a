package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.NoopAction;
import dev.baton.events.SleepAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepStartedReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * How the command loop acknowledges the commands it accepted: on its next poll when slots free soon, in a request of
 * their own when the steps hold the slots longer, and in any case before the command's acquisition lock runs out.
 */
@WithKafka
class CommandAcknowledgementTest {

    /** The embedded broker (in this JVM) has handled this many requests of {@code type} so far. */
    private static long brokerRequests(String type) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long n = 0;
        for (ObjectName o : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + type + ",*"),
                null)) {
            n += (Long) server.getAttribute(o, "Count");
        }
        return n;
    }

    private static double redelivered(Agent agent) {
        return agent.meterRegistry().get("baton.agent.commands.redelivered").counter().count();
    }

    @Test
    void shortStepsThatTakeEverySlotHaveTheirAcknowledgementsCarriedByTheNextPoll(TestCluster cluster) throws Exception {
        try (AgentHarness h = new AgentHarness(cluster, "ack-ride")) {
            // One slot and one command per poll: after each command the loop has no slot for its next poll until the
            // step ends, as in a chain. Before, every such command cost a ShareAcknowledge request of its own.
            Agent agent = h.startAgent(Map.of(AgentConfig.SLOTS, 1));
            h.succeeded(h.execute("default", new NoopAction())); // joined the share group, took a first command
            long before = brokerRequests("ShareAcknowledge");
            int commands = 20;
            for (int i = 0; i < commands; i++) {
                h.succeeded(h.execute("default", new NoopAction()));
            }
            long ownRequests = brokerRequests("ShareAcknowledge") - before;
            assertThat(ownRequests).as("acknowledgement requests of their own for %d short commands", commands).isLessThan(commands / 2);
            assertThat(redelivered(agent)).isZero();
        }
    }

    @Test
    void aCommandWhoseStepHoldsTheOnlySlotIsAcknowledgedBeforeItsLockRunsOut(TestCluster cluster) {
        try (AgentHarness h = new AgentHarness(cluster, "ack-long")) {
            // The shortest lock the broker allows; the step holds the agent's only slot three times as long, so no
            // poll can carry the acknowledgement: it must go out on its own, or the command comes back.
            Agent agent = h.startAgent(Map.of(AgentConfig.SLOTS, 1, AgentConfig.COMMAND_LOCK_MS, 1000));
            StepCommand slow = h.execute("default", new SleepAction(3_000L));
            h.succeeded(slow);
            // A next command: the loop polls again, and an expired delivery of the first would come back with it.
            h.succeeded(h.execute("default", new NoopAction()));
            assertThat(redelivered(agent)).as("deliveries of a command after its lock ran out").isZero();
            assertThat(h.reportsOf(slow.getAttemptId()).stream().filter(r -> r.getReport() instanceof StepStartedReport)).hasSize(1);
        }
    }
}
