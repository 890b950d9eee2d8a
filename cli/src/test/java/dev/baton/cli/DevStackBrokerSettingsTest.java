package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded broker's settings in the one-process stack: dev defaults, and -s broker.* settings winning over them. */
class DevStackBrokerSettingsTest {
    @Test
    void fewerBrokerThreadsByDefault() {
        assertThat(DevStack.brokerSettings(Map.of("coordinator.threads", "3")))
                .containsEntry("num.network.threads", "1")
                .containsEntry("num.io.threads", "2")
                .doesNotContainKey("coordinator.threads")
                .doesNotContainKey("threads");
    }

    @Test
    void componentsGetTheDevFetchWaitUnlessOneIsGivenAndNoBrokerSetting() {
        assertThat(DevStack.baseSettings(Map.of("broker.num.io.threads", "8", "coordinator.threads", "3")))
                .containsEntry("kafka.fetch.max.wait.ms", DevStack.DEV_FETCH_MAX_WAIT_MS)
                .containsEntry("coordinator.threads", "3")
                .doesNotContainKey("broker.num.io.threads");
        assertThat(DevStack.baseSettings(Map.of("kafka.fetch.max.wait.ms", "5000")))
                .containsEntry("kafka.fetch.max.wait.ms", "5000");
    }

    @Test
    void brokerSettingsGivenWithDashSWinWithoutTheirPrefix() {
        Map<String, String> b = DevStack.brokerSettings(Map.of("broker.num.io.threads", "8",
                "broker.log.cleaner.threads", "1", "broker.", "ignored"));
        assertThat(b).containsEntry("num.io.threads", "8").containsEntry("num.network.threads", "1")
                .containsEntry("log.cleaner.threads", "1").doesNotContainKey("").doesNotContainKey("broker.num.io.threads");
    }
}
