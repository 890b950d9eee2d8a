package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Secrets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/** Services with configuration and meters only, for tests that build the router without Kafka. */
final class TestServices {
    private TestServices() {}

    static Services minimal() {
        GatewayConfig config = new GatewayConfig(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "mock://none"));
        return new Services(config, config.topics(), null, null, null, null, null, null, null, null, null,
                new SimpleMeterRegistry(), null, null, Services.newPendingRuns(), Secrets.fromEnvironment(Map.of()));
    }
}
