package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.BackfillCanceled;
import dev.baton.events.BackfillEvent;
import dev.baton.events.BackfillPartitionLaunched;
import dev.baton.events.CancelRun;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunRequest;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import dev.baton.gateway.internal.backfills.BackfillFold;
import dev.baton.gateway.internal.backfills.BackfillMetrics;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.http.HandlerServer.Reply;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backfills through the real router and the real submitter against the in-memory read model: the events a backfill
 * writes are folded by the same {@link BackfillFold} as the read model's processor, the run requests are recorded,
 * and the test plays the coordinator by finishing runs in the stores. Pause, resume, retry-failed and cancel, and
 * max-concurrent checked from the events.
 */
class BackfillHandlersTest {
    static final ApiTokens.NewToken OPERATOR = ApiTokens.create("ops", Role.OPERATOR);
    static final String DAILY = """
            name: daily
            partitions:
              daily: { start: "2026-01-01", end: "2026-01-11" }
            steps:
              - { key: load, noop: {} }
            """;

    static HandlerServer server;
    static SimpleMeterRegistry meters = new SimpleMeterRegistry();
    static final InMemoryReadStores stores = new InMemoryReadStores();
    static final HandlerServer.RecordingOutput out = new HandlerServer.RecordingOutput(stores);

    @BeforeAll
    static void start() throws Exception {
        JobDefinition d = JobParser.parse(DAILY, Format.YAML, Instant.parse("2026-12-01T00:00:00Z"));
        stores.job(JobDefinition.newBuilder(d).setVersion(1).setSource(DAILY).build());
        server = HandlerServer.start(stores, out, PartitionKeyStore.inMemory(), meters, OPERATOR);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Reply call(String method, String path, String body) throws Exception {
        return server.call(OPERATOR, method, path, body);
    }

    static JsonNode backfill(String id) throws Exception {
        Reply r = call("GET", "/api/v1/backfills/" + id, null);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        return r.body().path("backfill");
    }

    /** The coordinator's part: the run of a request ends with this status. */
    static void finish(RunRequest r, String status) {
        RunView v = new RunView();
        v.runId = r.getRunId();
        v.job = r.getJob();
        v.jobVersion = 1;
        v.status = status;
        v.requestedAt = System.currentTimeMillis();
        v.updatedAt = v.requestedAt;
        v.origin = "API";
        stores.run(v);
    }

    /** Finishes every requested run of the backfill not finished yet; failing the partitions listed. */
    static int finishAll(String id, Set<String> failing) {
        int n = 0;
        for (RunRequest r : out.requestsOf(id)) {
            if (stores.run(r.getRunId()).isEmpty()) {
                finish(r, failing.contains(r.getPartition()) && !r.getRunKey().contains("#") ? "FAILED" : "SUCCEEDED");
                n++;
            }
        }
        return n;
    }

    /** Folds the backfill's events one by one and returns the most partitions in flight at any point. */
    static int maxInFlight(String id) {
        BackfillState s = null;
        int max = 0;
        for (BackfillEvent e : out.of(id)) {
            s = BackfillFold.apply(s, e).state();
            max = Math.max(max, s.inFlight().size());
        }
        return max;
    }

    @Test
    void pauseStopsLaunchingResumeContinuesRetryFailedRelaunchesOnlyTheFailedPartitions() throws Exception {
        Reply created = call("POST", "/api/v1/jobs/daily/backfills",
                "{\"from\": \"2026-01-01\", \"to\": \"2026-01-10\", \"maxConcurrent\": 3, \"backfillId\": \"bf1\"}");
        assertThat(created.status()).as("%s", created.body()).isEqualTo(202);
        assertThat(created.body().path("partitions").asLong()).isEqualTo(10);
        await().atMost(Duration.ofSeconds(20)).until(() -> out.requestsOf("bf1").size() == 3);

        Reply paused = call("POST", "/api/v1/backfills/bf1/pause", "{}");
        assertThat(paused.status()).as("%s", paused.body()).isEqualTo(202);
        assertThat(paused.body().path("status").asText()).isEqualTo("PAUSED");
        assertThat(call("POST", "/api/v1/backfills/bf1/pause", "{}").status()).as("pausing twice").isEqualTo(409);
        // The partitions in flight finish and are counted while paused; nothing new is launched.
        Set<String> failing = Set.of("2026-01-02", "2026-01-07");
        finishAll("bf1", failing);
        await().atMost(Duration.ofSeconds(20)).until(() -> backfill("bf1").path("progress").path("running").asLong() == 0);
        JsonNode whilePaused = backfill("bf1");
        assertThat(whilePaused.path("status").asText()).isEqualTo("PAUSED");
        assertThat(whilePaused.path("progress").path("done").asLong()).isEqualTo(3);
        assertThat(whilePaused.path("progress").path("failed").asLong()).isEqualTo(1);
        assertThat(whilePaused.path("progress").path("remaining").asLong()).isEqualTo(7);
        assertThat(out.requestsOf("bf1")).hasSize(3);

        Reply resumed = call("POST", "/api/v1/backfills/bf1/resume", "{}");
        assertThat(resumed.status()).as("%s", resumed.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            finishAll("bf1", failing);
            return "COMPLETED".equals(backfill("bf1").path("status").asText());
        });
        JsonNode completed = backfill("bf1");
        assertThat(completed.path("outcome").asText()).isEqualTo("FAILED");
        assertThat(completed.path("progress").path("succeeded").asLong()).isEqualTo(8);
        assertThat(completed.path("progress").path("failed").asLong()).isEqualTo(2);
        assertThat(out.requestsOf("bf1")).extracting(RunRequest::getPartition).doesNotHaveDuplicates().hasSize(10);

        Reply retry = call("POST", "/api/v1/backfills/bf1/retry-failed", "{}");
        assertThat(retry.status()).as("%s", retry.body()).isEqualTo(202);
        assertThat(retry.body().path("retried").asLong()).isEqualTo(2);
        assertThat(retry.body().path("round").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            finishAll("bf1", failing);
            return "COMPLETED".equals(backfill("bf1").path("status").asText());
        });
        List<RunRequest> retried = out.requestsOf("bf1").subList(10, out.requestsOf("bf1").size());
        assertThat(retried).extracting(RunRequest::getPartition).containsExactlyInAnyOrderElementsOf(failing);
        assertThat(retried).extracting(RunRequest::getRunKey)
                .containsExactlyInAnyOrder("backfill:bf1:2026-01-02#1", "backfill:bf1:2026-01-07#1");
        JsonNode after = backfill("bf1");
        assertThat(after.path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.path("progress").path("succeeded").asLong()).isEqualTo(10);
        assertThat(after.path("progress").path("failed").asLong()).isZero();
        assertThat(call("POST", "/api/v1/backfills/bf1/retry-failed", "{}").status()).as("nothing failed any more").isEqualTo(409);

        assertThat(maxInFlight("bf1")).as("partitions in flight at once, from the events").isBetween(1, 3);
        assertThat(meters.find(BackfillMetrics.DURATION).tag("job", "daily").tag("outcome", "succeeded").timer())
                .as("the duration of the completion").isNotNull();
    }

    @Test
    void cancelStopsLaunchingAndCancelsThePartitionsInFlight() throws Exception {
        Reply created = call("POST", "/api/v1/jobs/daily/backfills",
                "{\"from\": \"2026-01-01\", \"to\": \"2026-01-10\", \"maxConcurrent\": 2, \"backfillId\": \"bf2\"}");
        assertThat(created.status()).as("%s", created.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> out.requestsOf("bf2").size() == 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> backfill("bf2").path("progress").path("running").asLong() == 2);
        Set<String> inFlight = new HashSet<>();
        out.requestsOf("bf2").forEach(r -> inFlight.add(r.getRunId()));

        Reply canceled = call("POST", "/api/v1/backfills/bf2/cancel", "{}");
        assertThat(canceled.status()).as("%s", canceled.body()).isEqualTo(202);
        assertThat(canceled.body().path("cancelRequested").asLong()).isEqualTo(2);
        List<String> cancels = new ArrayList<>();
        out.controls.stream().filter(c -> c.getCommand() instanceof CancelRun).forEach(c -> cancels.add(c.getRunId()));
        assertThat(cancels).containsAll(inFlight);

        assertThat(backfill("bf2").path("status").asText()).isEqualTo("CANCELED");
        assertThat(call("GET", "/api/v1/backfills/bf2", null).body().path("done").asBoolean())
                .as("not done while its canceled runs have not ended").isFalse();
        // The canceled runs end; nothing more is launched: no launch event after the cancel.
        out.requestsOf("bf2").forEach(r -> finish(r, "CANCELED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", "/api/v1/backfills/bf2", null).body().path("done").asBoolean());
        JsonNode b = backfill("bf2");
        assertThat(b.path("status").asText()).isEqualTo("CANCELED");
        assertThat(b.path("progress").path("canceled").asLong()).isEqualTo(2);
        assertThat(b.path("progress").path("failed").asLong()).isZero();
        assertThat(b.path("progress").path("remaining").asLong()).isEqualTo(8);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> out.requestsOf("bf2").size() == 2);
        List<BackfillEvent> events = out.of("bf2");
        int cancelAt = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getPayload() instanceof BackfillCanceled) {
                cancelAt = i;
            }
        }
        assertThat(cancelAt).isPositive();
        assertThat(events.subList(cancelAt, events.size())).noneMatch(e -> e.getPayload() instanceof BackfillPartitionLaunched);
        assertThat(call("POST", "/api/v1/backfills/bf2/resume", "{}").status()).as("a canceled backfill stays canceled").isEqualTo(409);
        assertThat(call("POST", "/api/v1/jobs/daily/backfills",
                "{\"from\": \"2026-01-01\", \"to\": \"2026-01-10\", \"maxConcurrent\": 2, \"backfillId\": \"bf2\"}").status())
                .isEqualTo(409);
    }

    @Test
    void theListShowsEachBackfillWithItsProgress() throws Exception {
        assertThat(call("POST", "/api/v1/jobs/daily/backfills",
                "{\"partitions\": [\"2026-01-03\", \"2026-01-04\"], \"maxConcurrent\": 1, \"backfillId\": \"bf3\"}").status())
                .isEqualTo(202);
        Reply list = call("GET", "/api/v1/backfills?job=daily", null);
        assertThat(list.status()).isEqualTo(200);
        JsonNode mine = null;
        for (JsonNode n : list.body().path("items")) {
            if (n.path("id").asText().equals("bf3")) {
                mine = n;
            }
        }
        assertThat(mine).isNotNull();
        assertThat(mine.path("count").asLong()).isEqualTo(2);
        assertThat(mine.path("progress").path("total").asLong()).isEqualTo(2);
        assertThat(mine.path("maxConcurrent").asInt()).isEqualTo(1);
        assertThat(call("GET", "/api/v1/backfills/nope", null).status()).isEqualTo(404);
    }
}
