package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.platform.BatonMeters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every service command serves /metrics by default, on the port docs/operations.md#metrics documents. */
class ServiceMetricsPortsTest {
    @Test
    void eachServiceHasItsDocumentedDefaultMetricsPort() throws Exception {
        Map<String, ServiceCommands.Service> services = Map.of(
                "coordinator", new ServiceCommands.CoordinatorCmd(),
                "scheduler", new ServiceCommands.SchedulerCmd(),
                "agent", new ServiceCommands.AgentCmd(),
                "alerting", new ServiceCommands.AlertingCmd());
        Map<String, Integer> expected = Map.of("coordinator", BatonMeters.COORDINATOR_PORT, "scheduler", BatonMeters.SCHEDULER_PORT,
                "agent", BatonMeters.AGENT_PORT, "alerting", BatonMeters.ALERTING_PORT);
        String ops = Files.readString(docs());
        for (var e : services.entrySet()) {
            new CommandLine(e.getValue()).parseArgs();
            assertThat(e.getValue().metricsPort).as("%s without --metrics-port", e.getKey()).isNull();
            assertThat(e.getValue().defaultMetricsPort()).as(e.getKey()).isEqualTo(expected.get(e.getKey())).isPositive();
            assertThat(ops).contains("| `baton " + e.getKey() + "` | " + expected.get(e.getKey()) + " |");
        }
        assertThat(new ServiceCommands.GatewayCmd().defaultMetricsPort()).as("the gateway serves them on its API port").isZero();

        ServiceCommands.RegistryCmd registry = new ServiceCommands.RegistryCmd();
        new CommandLine(registry).parseArgs();
        assertThat(registry.metricsPort).isEqualTo(BatonMeters.REGISTRY_PORT);
        ServiceCommands.BrokerCmd broker = new ServiceCommands.BrokerCmd();
        new CommandLine(broker).parseArgs();
        assertThat(broker.metricsPort).isEqualTo(BatonMeters.BROKER_PORT);
        assertThat(ops).contains("| `baton registry` | 9404 |").contains("| `baton broker` | 9406 |");

        ServiceCommands.CoordinatorCmd off = new ServiceCommands.CoordinatorCmd();
        new CommandLine(off).parseArgs("--metrics-port", "0");
        assertThat(off.metricsPort).isZero();
    }

    private static Path docs() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("docs/operations.md"))) {
            p = p.getParent();
        }
        return p.resolve("docs/operations.md");
    }
}
