package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Without a job registry running anywhere a registration answers 503; the request is decided once one runs. */
@WithKafka
@ExtendWith(VertxExtension.class)
class RegistrationUnavailableTest {
    static final String JOB = """
            name: waits
            steps:
              - { key: one, noop: {}, produces: [waits/x] }
            """;

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);

    Gateway gateway(TestCluster cluster, Topics topics, Path dir, String name, boolean hostsRegistry) {
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway-" + name).toString());
        gc.put(GatewayConfig.APPLICATION_ID, topics.applicationId("gateway-" + name));
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put(GatewayConfig.REGISTRY_ENABLED, hostsRegistry);
        gc.put(GatewayConfig.REGISTRATION_TIMEOUT_MS, 5_000L);
        gc.put("token.admin", admin.envValue());
        return Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
    }

    @Test
    void withoutARegistryRegistrationAnswers503AndTheRequestIsDecidedWhenOneStarts(TestCluster cluster, Vertx vertx,
                                                                                   @TempDir Path dir) {
        Topics topics = cluster.createTopics(cluster.newTopics("regoff"));
        try (Gateway lonely = gateway(cluster, topics, dir, "lonely", false); Rest rest = new Rest(vertx, lonely.port())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));

            Rest.Response r = rest.post("/api/v1/jobs", admin.token(), "application/yaml", JOB);

            assertThat(r.status()).as(r.toString()).isEqualTo(503);
            JsonNode body = r.json();
            assertThat(body.get("code").asText()).isEqualTo("unavailable");
            assertThat(body.get("message").asText()).contains("job registration is unavailable");
            assertThat(rest.get("/api/v1/jobs/waits", admin.token()).status()).isEqualTo(404);

            try (Gateway host = gateway(cluster, topics, dir, "host", true)) {
                // the request waited on its topic: the registry decides it once it runs
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(rest.get("/api/v1/jobs/waits", admin.token()).status()).isEqualTo(200));
                Rest.Response again = rest.post("/api/v1/jobs", admin.token(), "application/yaml", JOB);
                assertThat(again.status()).as(again.toString()).isEqualTo(200);
                assertThat(again.json().get("changed").asBoolean()).isFalse();
                assertThat(again.json().get("version").asInt()).isEqualTo(1);
            }
        }
    }
}
