package dev.baton.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two schedulers on one machine get distinct default instance ids (their sensors' transactional ids would otherwise
 * fence each other), and a restarted scheduler (same state directory) keeps its id.
 */
class SchedulerInstanceIdTest {
    private static SchedulerConfig config(Map<String, Object> extra) {
        Map<String, Object> raw = new HashMap<>(Map.of("bootstrap.servers", "x:9092", "schema.registry.url", "mock://ids"));
        raw.putAll(extra);
        return new SchedulerConfig(raw);
    }

    @Test
    void theDefaultIdDiffersPerStateDirectoryAndIsStableForOne() {
        String a = config(Map.of(SchedulerConfig.STATE_DIR, "/var/lib/baton/scheduler-1")).instanceId();
        String b = config(Map.of(SchedulerConfig.STATE_DIR, "/var/lib/baton/scheduler-2")).instanceId();
        assertThat(a).startsWith("scheduler").isNotEqualTo(b);
        assertThat(config(Map.of(SchedulerConfig.STATE_DIR, "/var/lib/baton/../baton/scheduler-1")).instanceId())
                .as("the same directory, written differently").isEqualTo(a);
        assertThat(config(Map.of(SchedulerConfig.STATE_DIR, Path.of("rel").toString())).instanceId())
                .isEqualTo(config(Map.of(SchedulerConfig.STATE_DIR, Path.of("rel").toAbsolutePath().toString())).instanceId());
    }

    @Test
    void anExplicitIdWins() {
        assertThat(config(Map.of(SchedulerConfig.INSTANCE_ID, "eu-1")).instanceId()).isEqualTo("eu-1");
    }
}
