package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import dev.baton.gateway.internal.http.HandlerServer.Reply;
import dev.baton.gateway.internal.partitions.PartitionKeyStore;
import dev.baton.gateway.internal.readmodel.InMemoryReadStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dynamic partition key endpoints through the real router (auth, validation, paging) with keys in memory. */
class PartitionKeyHandlersTest {
    static final ApiTokens.NewToken OPERATOR = ApiTokens.create("ops", Role.OPERATOR);
    static final ApiTokens.NewToken VIEWER = ApiTokens.create("watcher", Role.VIEWER);

    static HandlerServer server;
    static final PartitionKeyStore keys = PartitionKeyStore.inMemory();

    @BeforeAll
    static void start() throws Exception {
        server = HandlerServer.start(new InMemoryReadStores(), null, keys, new SimpleMeterRegistry(), OPERATOR, VIEWER);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Reply call(ApiTokens.NewToken who, String method, String path, String body) throws Exception {
        return server.call(who, method, path, body);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void keysAreAddedListedInOrderAndRemoved() throws Exception {
        Reply added = call(OPERATOR, "POST", "/api/v1/partitions/customers/keys", "{\"keys\":[\"globex\",\"acme\",\"acme\",\"initech\"]}");
        assertThat(added.status()).as("%s", added.body()).isEqualTo(200);
        assertThat(texts(added.body().path("keys"))).containsExactly("globex", "acme", "initech");
        assertThat(keys.contains("customers", "acme")).isTrue();
        call(OPERATOR, "POST", "/api/v1/partitions/other/keys", "{\"keys\":[\"zzz\"]}");

        Reply list = call(VIEWER, "GET", "/api/v1/partitions/customers/keys", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(texts(list.body().path("items"))).containsExactly("acme", "globex", "initech");
        assertThat(list.body().path("nextCursor").asText(null)).isNull();

        Reply removed = call(OPERATOR, "DELETE", "/api/v1/partitions/customers/keys/globex", null);
        assertThat(removed.status()).as("%s", removed.body()).isEqualTo(200);
        assertThat(texts(call(VIEWER, "GET", "/api/v1/partitions/customers/keys", null).body().path("items")))
                .containsExactly("acme", "initech");
        assertThat(call(OPERATOR, "DELETE", "/api/v1/partitions/customers/keys/globex", null).status()).isEqualTo(404);
        assertThat(texts(call(VIEWER, "GET", "/api/v1/partitions/other/keys", null).body().path("items"))).containsExactly("zzz");
    }

    @Test
    void listPagesWithACursor() throws Exception {
        call(OPERATOR, "POST", "/api/v1/partitions/paged/keys", "{\"keys\":[\"k1\",\"k2\",\"k3\",\"k4\",\"k5\"]}");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply r = call(VIEWER, "GET", "/api/v1/partitions/paged/keys?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
            seen.addAll(texts(r.body().path("items")));
            cursor = r.body().path("nextCursor").asText(null);
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).containsExactly("k1", "k2", "k3", "k4", "k5");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void badKeysAreRefusedAndNothingIsAdded() throws Exception {
        for (String body : List.of("{}", "{\"keys\":[]}", "{\"keys\":\"a\"}", "{\"keys\":[1]}", "{\"keys\":[\"\"]}",
                "{\"keys\":[\"ok\",\"a/b\"]}", "{\"keys\":[\"a\\u0001b\"]}", "{\"keys\":[\" pad\"]}",
                "{\"keys\":[\"" + "x".repeat(PartitionKeyStore.MAX_KEY_LENGTH + 1) + "\"]}")) {
            Reply r = call(OPERATOR, "POST", "/api/v1/partitions/strict/keys", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.body().path("message").asText()).as(body).isNotBlank();
        }
        assertThat(keys.keys("strict", null, 10)).isEmpty();
        assertThat(call(OPERATOR, "POST", "/api/v1/partitions/" + URLEncoder.encode("-bad", StandardCharsets.UTF_8) + "/keys",
                "{\"keys\":[\"a\"]}").status()).isEqualTo(400);
    }

    @Test
    void onlyOperatorsChangeKeys() throws Exception {
        assertThat(call(VIEWER, "POST", "/api/v1/partitions/guarded/keys", "{\"keys\":[\"a\"]}").status()).isEqualTo(403);
        keys.add("guarded", List.of("a"));
        assertThat(call(VIEWER, "DELETE", "/api/v1/partitions/guarded/keys/a", null).status()).isEqualTo(403);
        assertThat(keys.contains("guarded", "a")).isTrue();
    }
}
