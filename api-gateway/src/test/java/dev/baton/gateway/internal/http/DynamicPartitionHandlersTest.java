package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.BackfillRequested;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunRequest;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.http.HandlerServer.Reply;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs partitioned by a dynamic set through the real router, the real submitter and an in-memory key store: run
 * requests and backfills name current keys only, a backfill without a selection covers every current key (kept as
 * a list, one run each), and the partition status lists the current keys.
 */
class DynamicPartitionHandlersTest {
    static final ApiTokens.NewToken OPERATOR = ApiTokens.create("ops", Role.OPERATOR);
    static final String EXPORTS = """
            name: exports
            partitions:
              dynamic: { name: customers }
            steps:
              - { key: export, noop: {} }
            """;
    static final String DAILY_EXPORTS = """
            name: daily_exports
            partitions:
              dimensions:
                date: { daily: { start: "2026-01-01", end: "2026-01-04" } }
                customer: { dynamic: { name: regions } }
            steps:
              - { key: export, noop: {} }
            """;

    static HandlerServer server;
    static final InMemoryReadStores stores = new InMemoryReadStores();
    static final HandlerServer.RecordingOutput out = new HandlerServer.RecordingOutput(stores);
    static final PartitionKeyStore keys = PartitionKeyStore.inMemory();

    static void register(String yaml) {
        JobDefinition d = JobParser.parse(yaml, Format.YAML, Instant.parse("2026-12-01T00:00:00Z"));
        stores.job(JobDefinition.newBuilder(d).setVersion(1).setSource(yaml).build());
    }

    @BeforeAll
    static void start() throws Exception {
        register(EXPORTS);
        register(DAILY_EXPORTS);
        server = HandlerServer.start(stores, out, keys, new SimpleMeterRegistry(), OPERATOR);
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

    /** The coordinator's part: every requested run of the backfill succeeds. */
    static void finishAll(String id) {
        for (RunRequest r : out.requestsOf(id)) {
            if (stores.run(r.getRunId()).isEmpty()) {
                dev.baton.gateway.internal.readmodel.RunView v = new dev.baton.gateway.internal.readmodel.RunView();
                v.runId = r.getRunId();
                v.job = r.getJob();
                v.jobVersion = 1;
                v.status = "SUCCEEDED";
                v.requestedAt = System.currentTimeMillis();
                v.updatedAt = v.requestedAt;
                v.origin = "API";
                stores.run(v);
            }
        }
    }

    static List<String> partitionsListed(String job) throws Exception {
        Reply r = call("GET", "/api/v1/jobs/" + job + "/partitions", null);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.body().path("items").forEach(i -> out.add(i.path("partition").asText()));
        return out;
    }

    @Test
    void aRunOfAKeyThatIsNotInTheSetIsRejectedNamingKeyAndSet() throws Exception {
        keys.add("customers", List.of("acme"));
        Reply r = call("POST", "/api/v1/jobs/exports/runs", "{\"partition\": \"initech\"}");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(400);
        assertThat(r.body().path("message").asText())
                .contains("'initech' is not a current key of dynamic partition set 'customers'");
        assertThat(r.body().path("problems").get(0).path("path").asText()).isEqualTo("partition");
        Reply none = call("POST", "/api/v1/jobs/exports/runs", "{}");
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body().path("message").asText()).contains("give a partition key");
    }

    @Test
    void aBackfillWithoutSelectionCoversEveryCurrentKeyOnceAndListedKeysMustBeCurrent() throws Exception {
        keys.add("customers", List.of("globex", "acme", "hooli"));
        Reply unknown = call("POST", "/api/v1/jobs/exports/backfills", "{\"partitions\": [\"acme\", \"nobody\"]}");
        assertThat(unknown.status()).as("%s", unknown.body()).isEqualTo(400);
        assertThat(unknown.body().path("message").asText()).contains("'nobody' is not a current key of dynamic partition set 'customers'");
        assertThat(unknown.body().path("problems").get(0).path("path").asText()).isEqualTo("partitions[1]");

        Reply created = call("POST", "/api/v1/jobs/exports/backfills", "{\"backfillId\": \"dyn-all\", \"maxConcurrent\": 2}");
        assertThat(created.status()).as("%s", created.body()).isEqualTo(202);
        assertThat(created.body().path("partitions").asLong()).isEqualTo(3);
        BackfillRequested requested = (BackfillRequested) out.of("dyn-all").get(0).getPayload();
        assertThat(requested.getPartitions()).containsExactly("acme", "globex", "hooli");
        assertThat(requested.getFrom()).isNull();

        // A key added after the request is not part of the backfill; every selected key gets exactly one run.
        keys.add("customers", List.of("zeta"));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            finishAll("dyn-all");
            BackfillState b = stores.backfill("dyn-all");
            return b != null && b.status() == BackfillState.Status.COMPLETED;
        });
        List<RunRequest> runs = out.requestsOf("dyn-all");
        assertThat(runs).extracting(RunRequest::getPartition).containsExactlyInAnyOrder("acme", "globex", "hooli");
        assertThat(runs).extracting(RunRequest::getRunKey)
                .containsExactlyInAnyOrder("backfill:dyn-all:acme", "backfill:dyn-all:globex", "backfill:dyn-all:hooli");

        Reply bounded = call("POST", "/api/v1/jobs/exports/backfills", "{\"from\": \"globex\", \"to\": \"hooli\"}");
        assertThat(bounded.status()).as("%s", bounded.body()).isEqualTo(202);
        assertThat(bounded.body().path("partitions").asLong()).isEqualTo(2);
    }

    @Test
    void aBackfillOfAnEmptySetIsRejected() throws Exception {
        register(EXPORTS.replace("exports", "lonely").replace("customers", "nobody-yet"));
        Reply r = call("POST", "/api/v1/jobs/lonely/backfills", "{}");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(400);
        assertThat(r.body().path("message").asText()).contains("dynamic partition set 'nobody-yet' has no keys");
    }

    @Test
    void dateTimesDynamicBackfillsEveryCurrentKeyForEachDateOfTheRange() throws Exception {
        keys.add("regions", List.of("us", "eu"));
        Reply created = call("POST", "/api/v1/jobs/daily_exports/backfills",
                "{\"backfillId\": \"dyn-2d\", \"from\": \"2026-01-02\", \"to\": \"2026-01-03\"}");
        assertThat(created.status()).as("%s", created.body()).isEqualTo(202);
        BackfillRequested requested = (BackfillRequested) out.of("dyn-2d").get(0).getPayload();
        assertThat(requested.getPartitions()).containsExactly("2026-01-02|eu", "2026-01-02|us", "2026-01-03|eu", "2026-01-03|us");
        Reply bad = call("POST", "/api/v1/jobs/daily_exports/runs", "{\"partition\": \"2026-01-02|apac\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("message").asText()).contains("dimension customer: 'apac' is not a current key of dynamic partition set 'regions'");
    }

    @Test
    void partitionStatusListsTheCurrentKeys() throws Exception {
        keys.add("shops", List.of("s2", "s1"));
        register(EXPORTS.replace("exports", "shop_exports").replace("customers", "shops"));
        assertThat(partitionsListed("shop_exports")).containsExactly("s1", "s2");
        keys.remove("shops", "s1");
        assertThat(partitionsListed("shop_exports")).containsExactly("s2");
    }

    static List<String> keysOf(Reply page) {
        List<String> out = new ArrayList<>();
        page.body().path("items").forEach(i -> out.add(i.path("partition").asText()));
        return out;
    }

    /**
     * Issue 15: the partition-status cursor is the last key a page looked at, so a key added (before or after it) or
     * the key itself removed between two pages neither repeats nor skips a partition; the earlier form of the cursor
     * (a position) still pages, and a cursor that is neither is a 400.
     */
    @Test
    void partitionStatusPagesStayInPlaceWhileKeysAreAddedAndRemoved() throws Exception {
        keys.add("stores", List.of("b", "d", "f", "h"));
        register(EXPORTS.replace("exports", "store_exports").replace("customers", "stores"));
        Reply first = call("GET", "/api/v1/jobs/store_exports/partitions?limit=2", null);
        assertThat(first.status()).as("%s", first.body()).isEqualTo(200);
        assertThat(keysOf(first)).containsExactly("b", "d");
        String cursor = first.body().path("nextCursor").asText();

        keys.add("stores", List.of("a", "c", "e")); // two before the cursor, one after it
        keys.remove("stores", "d");                 // the cursor's own key
        Reply second = call("GET", "/api/v1/jobs/store_exports/partitions?limit=2&cursor=" + cursor, null);
        assertThat(second.status()).as("%s", second.body()).isEqualTo(200);
        assertThat(keysOf(second)).containsExactly("e", "f");
        Reply third = call("GET", "/api/v1/jobs/store_exports/partitions?limit=2&cursor=" + second.body().path("nextCursor").asText(), null);
        assertThat(keysOf(third)).containsExactly("h");
        assertThat(third.body().hasNonNull("nextCursor")).isFalse();

        // The earlier cursor form, a position: still read.
        String position = dev.baton.gateway.internal.api.Page.encodeCursor("2");
        Reply byPosition = call("GET", "/api/v1/jobs/store_exports/partitions?limit=2&cursor=" + position, null);
        assertThat(byPosition.status()).as("%s", byPosition.body()).isEqualTo(200);
        assertThat(keysOf(byPosition)).containsExactly("c", "e");

        // Neither form, or a key that cannot be a key of the set: 400 naming the cursor.
        Reply garbage = call("GET", "/api/v1/jobs/store_exports/partitions?cursor="
                + dev.baton.gateway.internal.api.Page.encodeCursor("x:2"), null);
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.body().path("problems").get(0).path("path").asText()).isEqualTo("cursor");
        Reply wrongForm = call("GET", "/api/v1/jobs/store_exports/partitions?cursor="
                + dev.baton.gateway.internal.api.Page.encodeCursor("k:a|b"), null);
        assertThat(wrongForm.status()).isEqualTo(400);
        assertThat(wrongForm.body().path("message").asText()).contains("invalid cursor", "must not contain '|'");
    }
}
