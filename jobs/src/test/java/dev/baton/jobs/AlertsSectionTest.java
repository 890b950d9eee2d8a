package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.parse;
import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.AlertCondition;
import dev.baton.events.AlertDestination;
import dev.baton.events.AlertEmail;
import dev.baton.events.AlertRule;
import dev.baton.events.AlertSeverity;
import dev.baton.events.AlertSlack;
import dev.baton.events.AlertWebhook;
import dev.baton.events.JobDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job file's {@code alerts} section and the alerting component's global rules file. */
class AlertsSectionTest {
    private static final String STEPS = "steps: [{key: a, noop: true}]\n";

    @Test
    void theIssueExampleParses() {
        JobDefinition def = parse(TestJobs.example("nightly_cleanup.yaml"));
        assertThat(def.getAlerts()).containsExactly(AlertRule.newBuilder().setName("run_failed")
                .setOn(List.of(AlertCondition.RUN_FAILED))
                .setDestinations(List.of(new AlertDestination(new AlertWebhook("http://127.0.0.1:9999/hook", Map.of()))))
                .setSeverity(AlertSeverity.WARNING).setEscalateAfter(0).setAfterMs(null).setJobs(List.of()).setPools(List.of())
                .build());
    }

    @Test
    void noSectionMeansNoRules() {
        assertThat(parse("name: x\n" + STEPS).getAlerts()).isEmpty();
    }

    @Test
    void everyDestinationAndOption() {
        AlertRule rule = parse("""
                name: x
                alerts:
                  - name: pager
                    on: [run_failed, STEP_FAILED, check_failed, freshness_breached]
                    webhook: [{url: "https://hooks.example.com/a"}, {url: "http://h/b", headers: {X-Token: "${{ secrets.T }}"}}]
                    slack: "${{ secrets.SLACK_URL }}"
                    email: [oncall@example.com, data@example.com]
                    severity: critical
                    escalateAfter: 10
                """ + STEPS).getAlerts().get(0);
        assertThat(rule.getName()).isEqualTo("pager");
        assertThat(rule.getOn()).containsExactly(AlertCondition.RUN_FAILED, AlertCondition.STEP_FAILED,
                AlertCondition.CHECK_FAILED, AlertCondition.FRESHNESS_BREACHED);
        assertThat(rule.getDestinations()).extracting(AlertDestination::getDestination).containsExactly(
                new AlertWebhook("https://hooks.example.com/a", Map.of()),
                new AlertWebhook("http://h/b", Map.of("X-Token", "${{ secrets.T }}")),
                new AlertSlack("${{ secrets.SLACK_URL }}"),
                new AlertEmail(List.of("oncall@example.com", "data@example.com")));
        assertThat(rule.getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
        assertThat(rule.getEscalateAfter()).isEqualTo(10);
    }

    @Test
    void mistakesAreNamedWhereTheyStand() {
        assertThat(problems("""
                name: x
                alerts:
                  - on: [run_faild, agent_lost]
                    webhook: {url: "ftp://h/x", method: PUT}
                    email: {to: [not-an-address]}
                    escalateAfter: 1
                    after: 5m
                  - webhook: {url: "http://h/${{ params.day }}"}
                  - {name: a, on: run_failed}
                  - {name: a, on: step_failed}
                """ + STEPS)).containsExactly(
                problem("alerts[0].on[0]", "'run_faild' is not a condition; expected one of check_failed, freshness_breached,"
                        + " run_failed, step_failed; did you mean 'run_failed'?"),
                problem("alerts[0].on[1]", "'agent_lost' is not about one job: put it in a global rule (the alerting component's"
                        + " rules file, docs/alerts.md); a job's rules use check_failed, freshness_breached, run_failed, step_failed"),
                problem("alerts[0].webhook.method", "unknown key 'method'; expected one of url, headers"),
                problem("alerts[0].webhook.url", "'ftp://h/x' is not an http(s) URL"),
                problem("alerts[0].email.to[0]", "'not-an-address' is not an e-mail address"),
                problem("alerts[0].escalateAfter", "must be at least 2 occurrences (the first one opens the incident; got 1)"),
                problem("alerts[0].after", "'after' belongs to global rules (the alerting component's rules file)"),
                problem("alerts[1].on", "is required: the conditions the rule fires on, e.g. [run_failed]"),
                problem("alerts[1].webhook.url", "only ${{ secrets.NAME }} may be used here (resolved by the alerting component when it sends)"),
                problem("alerts[3].name", "two alert rules are named 'a'; give each rule its own name"));
    }

    @Test
    void roundTripsThroughTheWriter() {
        JobDefinition def = parse("""
                name: x
                alerts:
                  - on: [run_failed]
                    webhook: {url: "http://127.0.0.1:9999/hook"}
                    slack: {url: "https://hooks.slack.com/services/T/B/X"}
                    email: {to: a@example.com}
                    escalateAfter: 3
                """ + STEPS);
        assertThat(parse(JobWriter.toYaml(def)).getAlerts()).isEqualTo(def.getAlerts());
        assertThat(JobParser.parse(JobWriter.toJson(def), Format.JSON, TestJobs.AT).getAlerts()).isEqualTo(def.getAlerts());
    }

    @Test
    void globalRulesUseEveryCondition() {
        List<AlertRule> rules = AlertRules.parseGlobal("""
                alerts:
                  - name: lost-agents
                    on: [agent_lost]
                    after: 2m
                    pools: [default, gpu]
                    slack: "${{ secrets.SLACK_URL }}"
                  - name: orders
                    on: [run_failed, pool_unserved, schedule_tick_missed]
                    jobs: ["orders_*"]
                    webhook: {url: "http://127.0.0.1:9999/x"}
                """, Format.YAML);
        assertThat(rules).extracting(AlertRule::getName).containsExactly("lost-agents", "orders");
        assertThat(rules.get(0).getAfterMs()).isEqualTo(120_000L);
        assertThat(rules.get(0).getPools()).containsExactly("default", "gpu");
        assertThat(rules.get(1).getJobs()).containsExactly("orders_*");
        assertThatThrownBy(() -> AlertRules.parseGlobal("alerts: [{on: [lost]}]\nsteps: []\n", Format.YAML))
                .isInstanceOfSatisfying(JobValidationException.class, e -> assertThat(e.problems()).extracting(Problem::path)
                        .containsExactly("steps", "alerts[0].on[0]"));
    }
}
