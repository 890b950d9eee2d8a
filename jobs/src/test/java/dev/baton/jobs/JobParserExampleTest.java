package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.AssetSpec;
import dev.baton.events.ConcurrencySpec;
import dev.baton.events.JobDefinition;
import dev.baton.events.ParamSpec;
import dev.baton.events.ParamType;
import dev.baton.events.RetryPolicy;
import dev.baton.events.RunAction;
import dev.baton.events.StepDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The file from the brief parses exactly as written, to exactly these Avro values. */
class JobParserExampleTest {
    static final String ORDERS_DAILY = """
            name: orders_daily
            description: Load raw orders and clean them
            params:
              day: { type: date, default: "2026-01-01" }   # checked by the API, the scheduler and the coordinator
            steps:
              - key: extract
                run: |
                  echo "extracting orders for ${{ params.day }}"
                  echo "rows=42" >> "$BATON_OUTPUT"
                produces: [raw_orders]
              - key: clean
                needs: [extract]
                run: |
                  test "${{ steps.extract.outputs.rows }}" = "42"
                  echo "cleaned=42" >> "$BATON_OUTPUT"
                retry: { maxAttempts: 3, backoff: PT1S }
                timeout: PT5M
                produces: [clean_orders]
            """;
    static final Instant AT = Instant.parse("2026-03-01T10:15:30.123Z");

    @Test
    void ordersDailyParsesToTheExpectedDefinition() {
        JobDefinition parsed = JobParser.parse(ORDERS_DAILY, Format.YAML, AT);

        RetryPolicy defaultRetry = new RetryPolicy(1, 1000L, 2.0, 300_000L, 0.0);
        JobDefinition expected = new JobDefinition(
                "orders_daily", 1, "Load raw orders and clean them",
                Map.of("day", new ParamSpec("2026-01-01", false, null, ParamType.DATE, List.of(), null, null)),
                List.of(
                        new StepDefinition("extract",
                                new RunAction("echo \"extracting orders for ${{ params.day }}\"\n"
                                        + "echo \"rows=42\" >> \"$BATON_OUTPUT\"\n", "bash", Map.of(), null),
                                List.of(), "default", defaultRetry, null, null,
                                List.of(asset("raw_orders")), null, false, null, null, null, null, dev.baton.events.StepRunIf.ALL_SUCCEEDED, null),
                        new StepDefinition("clean",
                                new RunAction("test \"${{ steps.extract.outputs.rows }}\" = \"42\"\n"
                                        + "echo \"cleaned=42\" >> \"$BATON_OUTPUT\"\n", "bash", Map.of(), null),
                                List.of("extract"), "default", new RetryPolicy(3, 1000L, 2.0, 300_000L, 0.0),
                                300_000L, null, List.of(asset("clean_orders")), null, false, null, null, null, null,
                                dev.baton.events.StepRunIf.ALL_SUCCEEDED, null)),
                List.of(), List.of(), List.of(), Map.of(), new ConcurrencySpec(null), 0, null,
                ORDERS_DAILY, AT, null, List.of(), null, null);
        assertThat(parsed).isEqualTo(expected);
        assertThat(parsed.getSource()).isSameAs(ORDERS_DAILY);
        assertThat(parsed.getVersion()).isEqualTo(1);
    }

    @Test
    void registeredAtIsTruncatedToAvroMillisecondPrecision() {
        JobDefinition parsed = JobParser.parse(ORDERS_DAILY, Format.YAML, Instant.parse("2026-03-01T10:15:30.123456789Z"));
        assertThat(parsed.getRegisteredAt()).isEqualTo(AT);
    }

    static AssetSpec asset(String key) {
        return new AssetSpec(key, List.of(), null, List.of(), null, null, List.of());
    }
}
