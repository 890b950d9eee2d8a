package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.JobDefinition;
import dev.baton.events.RunAction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** parse -> write -> parse gives an equal definition (source and registeredAt aside). */
class RoundTripTest {
    static final String EVERYTHING = """
            name: everything
            description: Uses every option once
            params:
              day: { default: "2026-01-01", description: Business day }
              id: { required: true }
              flag: {}
              short: plain default
            env:
              GLOBAL: "g-${{ params.day }}"
              SHARED: from-job
            pool: eu-west
            alerts:
              - on: [run_failed, step_failed]
                webhook: { url: "http://127.0.0.1:9999/hook", headers: { Authorization: "Bearer ${{ secrets.HOOK_TOKEN }}" } }
                slack: "${{ secrets.SLACK_URL }}"
                email: { to: [oncall@example.com] }
                severity: critical
                escalateAfter: 5
              - name: checks
                on: check_failed
            schedules:
              - name: nightly
                cron: "30 2 * * *"
                timezone: Europe/Berlin
                start: 2026-01-01
                end: 2027-01-01T00:00:00Z
                catchUp: { policy: ALL, window: P2D }
                overlap: QUEUE
                params: { day: "${{ schedule.date }}", id: nightly }
                paused: true
              - name: quarter-hourly
                every: 15m
                catchUp: NONE
                overlap: CANCEL_OTHER
                params: { id: "${{ schedule.time }}" }
            triggers:
              - kafka:
                  name: orders
                  topic: shop.orders
                  filter: "value.status == 'PAID'"
                  params: { id: "${{ trigger.value.id }}" }
                  runKey: "order:${{ trigger.key }}"
                  format: AVRO
              - kafka: { topic: raw.lines, format: STRING, params: { id: "${{ trigger.value }}" } }
            concurrency: { maxRuns: 2 }
            priority: -3
            timeout: 2h
            infraRetries: 5
            tags: { team: data, tier: "1", empty: "" }
            webhook: { secret: HOOK_SECRET, header: X-Hub-Signature-256 }
            steps:
              - key: extract
                description: Pull the day's orders
                run:
                  script: |
                    echo "${{ params.day }}"
                    echo rows=1 >> "$BATON_OUTPUT"
                  shell: sh
                  env: { SHARED: from-run, LOCAL: "${{ run.id }}" }
                  workingDir: /srv/${{ run.job }}
                retry: { maxAttempts: 5, backoff: 500ms, multiplier: 1.5, maxBackoff: 1m, jitter: 0.25 }
                timeout: 10m
                heartbeatTimeout: 30s
                infraRetries: 0
                produces:
                  - raw_orders
                  - key: warehouse/raw_customers
                    deps: [crm/customers]
                    group: raw
                    owners: [alice@example.com, team:data]
                    description: Customers as loaded
                    freshness: { maxLag: PT6H }
                    checks:
                      - { name: not_empty, expr: "rows > 0" }
                      - { name: fresh, expr: "age < 3600", severity: WARN }
              - key: script-only
                needs: extract
                env: { STEP: "${{ steps.extract.outputs.rows }}" }
                pool: default
                run: "echo $STEP"
              - key: call
                needs: [extract]
                http:
                  method: put
                  url: https://api.example.com/v1/${{ params.id }}
                  headers: { Authorization: "Bearer x", X-Attempt: "${{ attempt.number }}" }
                  body: { day: "${{ params.day }}", n: 1, ok: true, list: [1, 2.5, null] }
                  expectStatus: [200, 201]
                  outputs: { id: /data/id, whole: "" }
                retry: 3
              - key: handler
                needs: [call]
                java:
                  handler: dev.example.Handler
                  config: { id: "${{ steps.call.outputs.id }}", nested: { a: [1, 2] }, n: 3 }
                retry: { backoff: 10m }
                produces: [{ key: clean_orders, deps: [raw_orders] }]
              - { key: wait, needs: [handler], sleep: 2s }
              - { key: done, needs: [wait], noop: true }
            onFailure:
              - key: page
                http: https://alerts.example.com/page?job=${{ run.job }}
              - key: log
                needs: [page]
                run: echo failed
            """;

    static Stream<String> jobs() {
        return Stream.of(EVERYTHING, TestJobs.example("orders_daily.yaml"), TestJobs.example("cleanup_tmp.yaml"),
                TestJobs.example("orders_events.yaml"), "name: tiny\nsteps: [{key: a, noop: {}}]\n");
    }

    @ParameterizedTest
    @MethodSource("jobs")
    void yamlRoundTrip(String text) {
        JobDefinition first = TestJobs.parse(text);
        String yaml = JobWriter.toYaml(first);
        JobDefinition second = JobParser.parse(yaml, Format.YAML, TestJobs.AT);
        assertSameDefinition(second, first);
        assertThat(JobWriter.toYaml(second)).as("writing is deterministic").isEqualTo(yaml);
    }

    @ParameterizedTest
    @MethodSource("jobs")
    void jsonRoundTrip(String text) {
        JobDefinition first = TestJobs.parse(text);
        String json = JobWriter.toJson(first);
        JobDefinition second = JobParser.parse(json, Format.JSON, TestJobs.AT);
        assertSameDefinition(second, first);
    }

    @Test
    void everythingParsesToWhatItSays() {
        JobDefinition job = TestJobs.parse(EVERYTHING);
        RunAction extract = (RunAction) job.getSteps().get(0).getAction();
        // job env < step env < run env; job pool applies unless a step names its own
        assertThat(extract.getEnv()).containsExactly(
                java.util.Map.entry("GLOBAL", "g-${{ params.day }}"), java.util.Map.entry("SHARED", "from-run"),
                java.util.Map.entry("LOCAL", "${{ run.id }}"));
        assertThat(job.getSteps().get(0).getPool()).isEqualTo("eu-west");
        assertThat(job.getSteps().get(1).getPool()).isEqualTo("default");
        assertThat(((RunAction) job.getSteps().get(1).getAction()).getEnv())
                .containsEntry("STEP", "${{ steps.extract.outputs.rows }}").containsEntry("SHARED", "from-job");
        assertThat(job.getSteps().get(2).getAction()).isInstanceOfSatisfying(dev.baton.events.HttpAction.class, http -> {
            assertThat(http.getMethod()).isEqualTo("PUT");
            assertThat(http.getBody()).isEqualTo("{\"day\":\"${{ params.day }}\",\"n\":1,\"ok\":true,\"list\":[1,2.5,null]}");
        });
        assertThat(job.getSteps().get(3).getRetry().getMaxBackoffMs()).as("cap raised to the initial backoff").isEqualTo(600_000L);
        assertThat(job.getSchedules().get(0).getStartAt()).isEqualTo(java.time.Instant.parse("2025-12-31T23:00:00Z"));
        assertThat(job.getParams().get("short").getDefault$()).isEqualTo("plain default");
        assertThat(job.getTags()).containsEntry("tier", "1").containsEntry("empty", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no", "true", "null", "~", "", "123", "0123", "1_000", "1e3", "0x1F", "a: b", "- x", "*x",
            "&y", "!t", "#c", "x #c", "  lead", "trail  ", "a\nb\n", "a\nb", "a\n\n", "  indented\nx\n", "\ttab", "{x}",
            "[x]", "'q'", "\"dq\"", "@at", "%p", "`b", "é ü 中", "x\r\ny", "${{ params.p }}", "2026-01-01", "on", "off"})
    void trickyStringsSurvive(String value) {
        JobDefinition job = dev.baton.events.JobDefinition.newBuilder(TestJobs.parse("name: x\nparams: {p: {}}\nsteps: [{key: a, run: echo}]\n"))
                .setDescription(value)
                .setTags(java.util.Map.of("t", value))
                .build();
        JobDefinition withScript = JobDefinition.newBuilder(job).setSteps(java.util.List.of(
                dev.baton.events.StepDefinition.newBuilder(job.getSteps().get(0))
                        .setAction(new RunAction(value.isBlank() ? "x" + value : value, "bash", java.util.Map.of("V", value), null))
                        .build())).build();
        for (Format format : Format.values()) {
            String text = format == Format.YAML ? JobWriter.toYaml(withScript) : JobWriter.toJson(withScript);
            JobDefinition back = JobParser.parse(text, format, TestJobs.AT);
            assertThat(withoutSource(back)).as(format + ":\n" + text).usingRecursiveComparison().isEqualTo(withoutSource(withScript));
        }
    }

    @Test
    void comparisonSeesADifferenceDeepInside() {
        JobDefinition job = TestJobs.parse(EVERYTHING);
        JobDefinition changed = JobDefinition.newBuilder(job).setSchedules(java.util.List.of(
                dev.baton.events.ScheduleSpec.newBuilder(job.getSchedules().get(0))
                        .setStartAt(job.getSchedules().get(0).getStartAt().plusMillis(1)).build(),
                job.getSchedules().get(1))).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertSameDefinition(changed, job))
                .isInstanceOf(AssertionError.class).hasMessageContaining("startAt");
    }

    /**
     * Field by field: Avro 1.12's generated equals throws on schedules with start/end (it compares arrays with
     * GenericData, which lacks the timestamp conversion inside the union).
     */
    static void assertSameDefinition(JobDefinition actual, JobDefinition expected) {
        assertThat(withoutSource(actual)).usingRecursiveComparison().isEqualTo(withoutSource(expected));
    }

    static JobDefinition withoutSource(JobDefinition job) {
        return JobDefinition.newBuilder(job).setSource(null).setRegisteredAt(TestJobs.AT).build();
    }
}
