package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.parse;
import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.WebhookSpec;
import org.junit.jupiter.api.Test;

/** The job-level {@code webhook} section: which secret signs webhook triggers, and in which header. */
class WebhookSectionTest {
    private static final String STEPS = "steps: [{key: a, noop: true}]\n";

    @Test
    void noSectionMeansUnsignedWebhooks() {
        assertThat(parse("name: x\n" + STEPS).getWebhook()).isNull();
    }

    @Test
    void secretWithTheDefaultHeader() {
        assertThat(parse("name: x\nwebhook: {secret: HOOK_SECRET}\n" + STEPS).getWebhook())
                .isEqualTo(new WebhookSpec("HOOK_SECRET", "X-Baton-Signature-256"));
    }

    @Test
    void aSecretNameAloneIsShorthand() {
        assertThat(parse("name: x\nwebhook: HOOK_SECRET\n" + STEPS).getWebhook())
                .isEqualTo(new WebhookSpec("HOOK_SECRET", "X-Baton-Signature-256"));
    }

    @Test
    void gitHubsHeader() {
        assertThat(parse("name: x\nwebhook: {secret: GITHUB, header: X-Hub-Signature-256}\n" + STEPS).getWebhook())
                .isEqualTo(new WebhookSpec("GITHUB", "X-Hub-Signature-256"));
    }

    @Test
    void theSecretIsRequired() {
        assertThat(problems("name: x\nwebhook: {header: X-Sig}\n" + STEPS))
                .containsExactly(problem("webhook.secret", "is required"));
    }

    @Test
    void aValueWhereTheNameBelongsIsRejectedWithoutEchoingIt() {
        assertThat(problems("name: x\nwebhook: {secret: \"sha256-s3cr3t!value\"}\n" + STEPS)).singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("webhook.secret");
                    assertThat(p.message()).startsWith("not a secret name (upper-case letters, digits and '_'")
                            .contains("BATON_SECRET_<NAME>").doesNotContain("s3cr3t");
                });
        assertThat(problems("name: x\nwebhook: hook_secret\n" + STEPS)).extracting(Problem::path)
                .containsExactly("webhook");
    }

    @Test
    void badHeaderAndUnknownKeys() {
        assertThat(problems("name: x\nwebhook: {secret: S, header: \"X Sig\", algo: sha1}\n" + STEPS)).containsExactly(
                problem("webhook.algo", "unknown key 'algo'; expected one of secret, header"),
                problem("webhook.header", "'X Sig' is not a valid HTTP header name"));
    }

    @Test
    void wrongShape() {
        assertThat(problems("name: x\nwebhook: [S]\n" + STEPS))
                .containsExactly(problem("webhook", "expected an object {secret, header} or a secret name, got a list"));
    }

    @Test
    void roundTripsThroughTheWriter() {
        for (String section : new String[] {"webhook: {secret: HOOK}\n", "webhook: {secret: GH, header: X-Hub-Signature-256}\n"}) {
            JobDefinition def = parse("name: x\n" + section + STEPS);
            JobDefinition again = parse(JobWriter.toYaml(def));
            assertThat(again.getWebhook()).isEqualTo(def.getWebhook());
            assertThat(JobParser.parse(JobWriter.toJson(def), Format.JSON, TestJobs.AT).getWebhook()).isEqualTo(def.getWebhook());
        }
    }
}
