package dev.baton.alerting;

import static dev.baton.alerting.Events.job;
import static dev.baton.alerting.Events.runFailed;
import static dev.baton.alerting.Events.runSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.Alert;
import dev.baton.events.AlertTransition;
import dev.baton.events.DeadLetter;
import dev.baton.events.Incident;
import dev.baton.events.IncidentStatus;
import dev.baton.events.JobDefinition;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The alerting component against a real broker and registry, with a webhook and an SMTP server on 127.0.0.1. */
@WithKafka
class AlertingKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-06T01:00:00Z");

    private static AlertingConfig config(TestCluster cluster, Topics topics, Map<String, Object> extra) {
        Map<String, Object> raw = cluster.config(topics);
        raw.put(AlertingConfig.STATE_DIR, tempDir().toString());
        raw.put(AlertingConfig.DELIVERY_BACKOFF_MS, 20L);
        raw.putAll(extra);
        return new AlertingConfig(raw);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "alerting-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(FakeWebhook.Received r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Alerting start(AlertingConfig config, Function<String, String> env) {
        Alerting a = Alerting.start(config, new SimpleMeterRegistry(), env);
        await().atMost(WAIT).until(a::ready);
        return a;
    }

    @Test
    void fiftyFailedRunsNotifyOnceAndASuccessNotifiesTheResolution(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("fifty"));
        try (FakeWebhook hook = new FakeWebhook(); TestProducer producer = new TestProducer(cluster);
             TopicProbe<Incident> latest = TopicProbe.avro(cluster, topics.incidentsLatest(), Incident.class)) {
            JobDefinition def = job("""
                    name: nightly_cleanup
                    alerts:
                      - on: [run_failed]
                        webhook: { url: "%s" }
                    steps:
                      - key: sweep
                        run: exit 1
                    """.formatted(hook.url("/hook")));
            producer.send(topics.jobs(), def.getName(), def);
            try (Alerting alerting = start(config(cluster, topics, Map.of()), n -> null)) {
                for (int i = 1; i <= 50; i++) {
                    producer.send(topics.runEvents(), "run-" + i, runFailed("nightly_cleanup", "run-" + i, T0.plusSeconds(i)));
                }
                Incident open = latest.await(i -> i.getOccurrences() == 50, WAIT);
                assertThat(open.getStatus()).isEqualTo(IncidentStatus.OPEN);
                producer.send(topics.runEvents(), "run-51", runSucceeded("nightly_cleanup", "run-51", T0.plusSeconds(100)));
                await().atMost(WAIT).until(() -> hook.received().size() >= 2);
                List<FakeWebhook.Received> got = hook.received();
                assertThat(got).hasSize(2); // the notifier delivers in order: nothing can follow the resolution
                assertThat(got).extracting(r -> json(r).get("transition").asText()).containsExactly("OPENED", "RESOLVED");
                assertThat(got).extracting(FakeWebhook.Received::path).containsOnly("/hook");
                assertThat(got.get(0).header("Idempotency-Key")).isEqualTo(open.getIncidentId() + ":OPENED");
                assertThat(json(got.get(0)).get("idempotencyKey").asText()).isEqualTo(open.getIncidentId() + ":OPENED");
                assertThat(json(got.get(0)).at("/incident/job").asText()).isEqualTo("nightly_cleanup");
                assertThat(json(got.get(1)).at("/incident/occurrences").asInt()).isEqualTo(50);
                assertThat(json(got.get(1)).at("/incident/status").asText()).isEqualTo("RESOLVED");
            }
        }
    }

    @Test
    void slackAndEmailDestinationsWithASecretURLAndARetriedWebhook(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("dest"));
        try (FakeWebhook slack = new FakeWebhook(); FakeWebhook hook = new FakeWebhook(); FakeSmtpServer smtp = new FakeSmtpServer();
             TestProducer producer = new TestProducer(cluster);
             TopicProbe<Alert> alerts = TopicProbe.avro(cluster, topics.alerts(), Alert.class)) {
            hook.failFirst(2); // 503 twice, then 200: delivered on the third attempt with the same idempotency key
            JobDefinition def = job("""
                    name: etl
                    alerts:
                      - name: oncall
                        on: [run_failed]
                        slack: "${{ secrets.SLACK_URL }}"
                        email: [oncall@example.com]
                        webhook: { url: "%s", headers: { Authorization: "Bearer ${{ secrets.HOOK_TOKEN }}" } }
                        severity: critical
                    steps: [{key: load, run: exit 1}]
                    """.formatted(hook.url("/h")));
            producer.send(topics.jobs(), def.getName(), def);
            Map<String, String> env = Map.of("BATON_SECRET_SLACK_URL", slack.url("/services/T1/B2/x"),
                    "BATON_SECRET_HOOK_TOKEN", "s3cr3t-token");
            Map<String, Object> extra = new HashMap<>();
            extra.put(AlertingConfig.SMTP_HOST, "127.0.0.1");
            extra.put(AlertingConfig.SMTP_PORT, smtp.port());
            extra.put(AlertingConfig.SMTP_FROM, "baton@example.com");
            try (Alerting alerting = start(config(cluster, topics, extra), env::get)) {
                producer.send(topics.runEvents(), "r1", runFailed("etl", "r1", T0));
                Alert opened = alerts.await(a -> a.getTransition() == AlertTransition.OPENED, WAIT);
                await().atMost(WAIT).until(() -> !slack.received().isEmpty() && !smtp.mails().isEmpty() && hook.received().size() == 3);

                FakeWebhook.Received s = slack.received().get(0);
                assertThat(s.path()).isEqualTo("/services/T1/B2/x");
                assertThat(json(s).fieldNames()).toIterable().containsExactly("text");
                assertThat(json(s).get("text").asText()).startsWith("*[CRITICAL] run_failed: job etl*\nRun r1 of job etl failed");

                FakeSmtpServer.Mail mail = smtp.mails().get(0);
                assertThat(mail.to()).containsExactly("<oncall@example.com>");
                assertThat(mail.data()).contains("Subject: [CRITICAL] run_failed: job etl")
                        .contains("X-Baton-Idempotency-Key: " + opened.getEventId())
                        .contains("Message-ID: <" + opened.getEventId() + "@baton>")
                        .contains("Run r1 of job etl failed");

                assertThat(hook.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly(opened.getEventId());
                assertThat(hook.received()).extracting(r -> r.header("Authorization")).containsOnly("Bearer s3cr3t-token");
            }
            // The secret's value is nowhere on the alerts topic.
            assertThat(alerts.values()).allSatisfy(a -> assertThat(a.toString()).doesNotContain("s3cr3t-token"));
        }
    }

    @Test
    void aDestinationThatRefusesGoesToTheDeadLetterTopic(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("dlq"));
        try (TestProducer producer = new TestProducer(cluster);
             TopicProbe<DeadLetter> dlq = TopicProbe.avro(cluster, topics.deadLetters(), DeadLetter.class)) {
            JobDefinition def = job("""
                    name: etl
                    alerts: [{on: [run_failed], slack: "${{ secrets.MISSING }}"}]
                    steps: [{key: load, run: exit 1}]
                    """);
            producer.send(topics.jobs(), def.getName(), def);
            try (Alerting alerting = start(config(cluster, topics, Map.of()), n -> null)) {
                producer.send(topics.runEvents(), "r1", runFailed("etl", "r1", T0));
                DeadLetter d = dlq.await(x -> x.getCause().equals("DELIVERY_FAILED"), WAIT);
                assertThat(d.getSourceTopic()).isEqualTo(topics.alerts());
                assertThat(d.getReason()).contains("(slack)").contains("secret MISSING is not set");
            }
        }
    }

    @Test
    void incidentsSurviveARestartOfTheAlertingComponent(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("restart"));
        try (FakeWebhook hook = new FakeWebhook(); TestProducer producer = new TestProducer(cluster);
             TopicProbe<Incident> latest = TopicProbe.avro(cluster, topics.incidentsLatest(), Incident.class)) {
            JobDefinition def = job("""
                    name: nightly
                    alerts: [{on: [run_failed], webhook: {url: "%s"}}]
                    steps: [{key: a, run: exit 1}]
                    """.formatted(hook.url("/x")));
            producer.send(topics.jobs(), def.getName(), def);
            String id;
            try (Alerting first = start(config(cluster, topics, Map.of()), n -> null)) {
                producer.send(topics.runEvents(), "r1", runFailed("nightly", "r1", T0));
                id = latest.await(i -> i.getStatus() == IncidentStatus.OPEN, WAIT).getIncidentId();
                await().atMost(WAIT).until(() -> hook.received().size() == 1);
            }
            // A new instance with an empty state directory: the state comes back from the changelogs.
            try (Alerting second = start(config(cluster, topics, Map.of()), n -> null)) {
                producer.send(topics.runEvents(), "r2", runFailed("nightly", "r2", T0.plusSeconds(10)));
                latest.await(i -> i.getIncidentId().equals(id) && i.getOccurrences() == 2, WAIT);
                producer.send(topics.runEvents(), "r3", runSucceeded("nightly", "r3", T0.plusSeconds(20)));
                latest.await(i -> i.getIncidentId().equals(id) && i.getStatus() == IncidentStatus.RESOLVED, WAIT);
                await().atMost(WAIT).until(() -> hook.received().size() >= 2);
                assertThat(hook.received()).extracting(r -> json(r).get("idempotencyKey").asText())
                        .containsExactly(id + ":OPENED", id + ":RESOLVED");
            }
        }
    }
}
