package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.BackfillRequested;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.internal.backfills.BackfillSubmitter;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Only the gateway that drives backfills launches partitions; one that stops driving stops its passes. */
class BackfillDriverTest {
    static final String DAILY = """
            name: daily
            partitions:
              daily: { start: "2026-01-01", timezone: UTC }
            steps:
              - { key: load, noop: {} }
            """;

    static RunView succeeded(String runId) {
        RunView v = new RunView();
        v.runId = runId;
        v.job = "daily";
        v.jobVersion = 1;
        v.status = "SUCCEEDED";
        v.requestedAt = System.currentTimeMillis();
        v.updatedAt = v.requestedAt;
        v.origin = "API";
        return v;
    }

    @Test
    void aGatewayThatDoesNotDriveLaunchesNothingAndTheDriverTakesOver() {
        InMemoryReadStores stores = new InMemoryReadStores();
        JobDefinition d = JobParser.parse(DAILY, Format.YAML, Instant.parse("2026-12-01T00:00:00Z"));
        stores.job(JobDefinition.newBuilder(d).setVersion(1).setSource(DAILY).build());
        HandlerServer.RecordingOutput out = new HandlerServer.RecordingOutput(stores);
        AtomicBoolean drives = new AtomicBoolean(false);
        try (BackfillSubmitter submitter = new BackfillSubmitter(out, stores, b -> stores.job(b.job()), b -> {}, drives::get)) {
            submitter.append(BackfillSubmitter.event("bf", "t", new BackfillRequested("daily", 1, "2026-01-01", "2026-01-10",
                    null, 10L, Map.of(), 3, "ops")));
            submitter.submit("bf");
            submitter.resume();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(out.requestsOf("bf")).as("not the driver: nothing launched").isEmpty());

            drives.set(true);
            submitter.resume();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(out.requestsOf("bf")).hasSize(3));

            drives.set(false); // the registry's task moved to another gateway
            int before = out.events.size();
            out.requestsOf("bf").forEach(r -> stores.run(succeeded(r.getRunId())));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(out.requestsOf("bf")).as("a gateway that stopped driving launches no more").hasSize(3);
                assertThat(out.events).hasSize(before);
            });
        }
    }
}
