package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.AgentState;
import dev.baton.events.RunAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepSucceededReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default provider reads the agent's own process environment: an agent JVM started with
 * {@code BATON_SECRET_ENV_PW} set hands the value to a step that names it, masks it in the step's log, and does not
 * pass the variable itself on to the step.
 */
@WithKafka
class EnvironmentSecretsProcessTest {
    static final String VALUE = "env-secret-Vq83k";

    @TempDir Path dir;

    @Test
    void anAgentProcessResolvesSecretsFromItsOwnEnvironment(TestCluster cluster) throws Exception {
        assertThat(cluster.registryUrl()).as("a second JVM must reach the registry over HTTP").startsWith("http");
        try (AgentHarness h = new AgentHarness(cluster, "secrets-env")) {
            Map<String, Object> config = h.agentConfig(Map.of(AgentConfig.ID, "env-agent"));
            Properties p = new Properties();
            config.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
            Path file = dir.resolve("agent.properties");
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, null);
            }
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    AgentProcessMain.class.getName(), file.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
            pb.environment().put("BATON_SECRET_ENV_PW", VALUE);
            Process agent = pb.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> h.registrationsOf("env-agent").stream()
                        .anyMatch(r -> r.getState() == AgentState.RUNNING));
                String script = """
                        echo "got ${{ secrets.ENV_PW }}"
                        echo "len=${#PW}" >> "$BATON_OUTPUT"
                        test -z "${BATON_SECRET_ENV_PW:-}"
                        """;
                StepCommand cmd = h.execute("default", new RunAction(script, "bash", Map.of("PW", "${{ secrets.ENV_PW }}"), null));
                StepSucceededReport s = h.succeeded(cmd);
                assertThat(s.getOutputs()).containsEntry("len", String.valueOf(VALUE.length()));
                assertThat(h.logText(cmd)).contains("STDOUT got ***");
                assertThat(h.logs.toString()).doesNotContain(VALUE);
                assertThat(h.reports.toString()).doesNotContain(VALUE);
            } finally {
                agent.destroy();
                if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
            // The agent's own log (start-up configuration included) never shows the value either.
            assertThat(Files.readString(dir.resolve("agent.log"))).doesNotContain(VALUE);
        }
    }
}
