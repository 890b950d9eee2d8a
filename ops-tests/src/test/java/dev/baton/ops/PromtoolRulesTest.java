package dev.baton.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/alerts.yml with Prometheus' own promtool (Debian package {@code prometheus}, installed by this
 * module's build when missing): the rules are valid, every alert has unit tests in alerts.test.yml that pass, and a
 * runbook paragraph in docs/operations.md.
 */
class PromtoolRulesTest {

    static String promtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(Deploy.root().resolve("deploy/prometheus").toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("promtool %s finished", cmd).isTrue();
        assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    @Test
    void rulesAreValid() throws Exception {
        String out = promtool("check", "rules", "alerts.yml");
        assertThat(out).contains("SUCCESS: " + Deploy.alertRules().size() + " rules found");
    }

    @Test
    void scrapeConfigurationIsValid() throws Exception {
        promtool("check", "config", "prometheus.yml");
    }

    @Test
    void everyAlertHasPassingUnitTests() throws Exception {
        Set<String> tested = new HashSet<>();
        Set<String> testedFiring = new HashSet<>();
        for (JsonNode t : Deploy.read(Deploy.YAML, Deploy.alertTests()).path("tests")) {
            for (JsonNode a : t.path("alert_rule_test")) {
                tested.add(a.path("alertname").asText());
                if (!a.path("exp_alerts").isEmpty()) {
                    testedFiring.add(a.path("alertname").asText());
                }
            }
        }
        assertThat(Deploy.alertRules()).isNotEmpty();
        assertThat(testedFiring).as("alerts with a unit test where they fire").containsAll(Deploy.alertRules().keySet());
        assertThat(tested).as("alerts in alerts.test.yml that alerts.yml does not have").isSubsetOf(Deploy.alertRules().keySet());
        assertThat(promtool("test", "rules", "alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertHasARunbookParagraph() throws Exception {
        String ops = Files.readString(Deploy.root().resolve("docs/operations.md"));
        for (var a : Deploy.alertRules().keySet()) {
            assertThat(ops).as("docs/operations.md runbook heading for %s", a).contains("#### " + a + "\n");
            assertThat(Files.readString(Deploy.alerts())).contains("docs/operations.md#" + a.toLowerCase());
        }
    }

    @Test
    void measuredSidesOfAlertExpressions() {
        assertThat(Deploy.measured("up{job=~\"baton-.*\"} == 0")).containsExactly("up{job=~\"baton-.*\"}");
        assertThat(Deploy.measured("deriv(x[10m]) > 0 and x > 0")).containsExactly("deriv(x[10m])", "x");
        assertThat(Deploy.measured("sum by (a) (rate(y{s=\"a and b\"}[5m])) / sum(z) < 0.99"))
                .containsExactly("sum by (a) (rate(y{s=\"a and b\"}[5m])) / sum(z)");
    }
}
