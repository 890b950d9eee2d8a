package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.platform.BatonService;
import dev.baton.platform.ServiceHealth;
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

/** {@code /health} reports the components of its process, and DOWN with the failing one's name and reason. */
@WithKafka
@ExtendWith(VertxExtension.class)
class GatewayHealthTest {

    /** A component of the same process whose health the test sets. */
    private static final class Component implements BatonService {
        volatile ServiceHealth health = ServiceHealth.UP;

        @Override public String name() { return "agent"; }
        @Override public boolean ready() { return health.up(); }
        @Override public ServiceHealth health() { return health; }
        @Override public void close() {}
    }

    @Test
    void healthIsDownNamingAWatchedComponentThatIsDown(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        Topics topics = cluster.createTopics(cluster.newTopics("gateway-health"));
        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        Component agent = new Component();
        try (Gateway gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
             Rest rest = new Rest(vertx, gateway.port())) {
            gateway.watch(agent);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
            assertThat(rest.get("/health", null).json().get("checks").get("agent").get("status").asText()).isEqualTo("UP");
            assertThat(gateway.health()).isEqualTo(ServiceHealth.UP);

            agent.health = ServiceHealth.down("command loop of pool default (thread baton-agent-commands-default) died: injected");

            Rest.Response down = rest.get("/health", null);
            assertThat(down.status()).isEqualTo(503);
            JsonNode body = down.json();
            assertThat(body.get("status").asText()).isEqualTo("DOWN");
            assertThat(body.get("reason").asText()).isEqualTo("agent: command loop of pool default (thread baton-agent-commands-default) died: injected");
            assertThat(body.get("checks").get("agent").get("status").asText()).isEqualTo("DOWN");
            assertThat(body.get("checks").get("readModel").get("status").asText()).isEqualTo("UP");

            agent.health = ServiceHealth.UP;
            assertThat(rest.get("/health", null).status()).isEqualTo(200);
        }
    }
}
