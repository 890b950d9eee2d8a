package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthAndWatchdogTest {

    private record Svc(String name, ServiceHealth health) implements BatonService {
        @Override public boolean ready() { return health.up(); }
        @Override public void close() {}
    }

    @Test
    void healthJsonIsUpOnlyWhenAllAreUpAndNamesTheFirstDownComponentOverOneStillStarting() {
        assertThat(MetricsServer.healthJson(List.of(new Svc("agent", ServiceHealth.UP))))
                .isEqualTo("{\"status\":\"UP\",\"components\":{\"agent\":{\"status\":\"UP\"}}}");
        String json = MetricsServer.healthJson(List.of(
                new Svc("scheduler", ServiceHealth.starting("rebalancing")),
                new Svc("agent", ServiceHealth.down("control loop died: \"x\"\n"))));
        assertThat(json).startsWith("{\"status\":\"DOWN\",\"reason\":\"agent: control loop died: \\\"x\\\"\\n\"")
                .contains("\"scheduler\":{\"status\":\"STARTING\",\"reason\":\"rebalancing\"}");
    }

    @Test
    void theWatchdogExitsOnceWithCode70ForADownComponentAndLeavesStartingAndStoppedOnesAlone() {
        record Exit(int code, String message) {}
        List<Exit> exits = new ArrayList<>();
        List<BatonService> services = new ArrayList<>(List.of(new Svc("gateway", ServiceHealth.starting("restoring")),
                new Svc("agent", ServiceHealth.STOPPED)));
        try (Watchdog w = Watchdog.start(() -> services, java.time.Duration.ofHours(1), (c, m) -> exits.add(new Exit(c, m)))) {
            assertThat(w.check()).isFalse();
            services.add(new Svc("coordinator", ServiceHealth.down("Kafka Streams ERROR")));
            assertThat(w.check()).isTrue();
            assertThat(w.check()).as("once").isFalse();
        }
        assertThat(exits).containsExactly(new Exit(FailFast.EXIT_COMPONENT_DOWN, "coordinator is DOWN: Kafka Streams ERROR"));
    }

    @Test
    void threadRestartsGiveUpOnAnErrorAtOnceAndOnRepeatedFailures() {
        ThreadRestarts r = new ThreadRestarts("stream thread", 2, java.time.Duration.ofMinutes(5));
        assertThat(r.mayReplace(new IllegalStateException("a"))).isTrue();
        assertThat(r.mayReplace(new IllegalStateException("b"))).isTrue();
        assertThat(r.fatal()).isNull();
        assertThat(r.mayReplace(new RuntimeException("wrapper", new IllegalStateException("c")))).isFalse();
        assertThat(r.fatal()).contains("failed 3 times", "caused by java.lang.IllegalStateException: c");

        ThreadRestarts oom = new ThreadRestarts("stream thread");
        assertThat(oom.mayReplace(new OutOfMemoryError("heap"))).isFalse();
        assertThat(oom.fatal()).contains("OutOfMemoryError: heap");
    }
}
