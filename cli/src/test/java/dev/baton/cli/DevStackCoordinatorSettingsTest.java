package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.coordinator.CoordinatorConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The coordinator's settings in the one-process stack: dev defaults, and -s settings winning over them. */
class DevStackCoordinatorSettingsTest {
    @Test
    void oneStreamThreadAndTheStaticMemberIdByDefault() {
        Map<String, Object> c = DevStack.coordinatorSettings(Map.of("bootstrap.servers", "127.0.0.1:9092"), Path.of("data"));
        assertThat(c).containsEntry(CoordinatorConfig.THREADS, "1")
                .containsEntry(CoordinatorConfig.INSTANCE_ID, DevStack.DEV_COORDINATOR_INSTANCE)
                .containsEntry(CoordinatorConfig.IDLE_POLL_MAX_MS, "1000")
                .containsEntry(CoordinatorConfig.STATE_DIR, Path.of("data").resolve("coordinator").toString())
                .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @Test
    void settingsGivenWithDashSWin() {
        Map<String, Object> c = DevStack.coordinatorSettings(
                Map.of(CoordinatorConfig.THREADS, "3", CoordinatorConfig.INSTANCE_ID, "mine", CoordinatorConfig.IDLE_POLL_MAX_MS, "0"),
                Path.of("data"));
        assertThat(c).containsEntry(CoordinatorConfig.THREADS, "3").containsEntry(CoordinatorConfig.INSTANCE_ID, "mine")
                .containsEntry(CoordinatorConfig.IDLE_POLL_MAX_MS, "0");
    }
}
