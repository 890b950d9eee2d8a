package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dev stack's agent refresh and the liveness thresholds that follow it (DevStack.agentSilenceMs). */
class DevStackAgentLivenessTest {
    @Test
    void silenceIsThreeDevRefreshesByDefault() {
        assertThat(DevStack.agentSilenceMs(Map.of(), 30_000))
                .isEqualTo(String.valueOf(3 * Long.parseLong(DevStack.DEV_AGENT_REGISTRATION_INTERVAL_MS)));
    }

    @Test
    void silenceFollowsAGivenRefreshButNeverFallsBelowTheComponentDefault() {
        assertThat(DevStack.agentSilenceMs(Map.of("agent.registration.interval.ms", "40000"), 30_000)).isEqualTo("120000");
        assertThat(DevStack.agentSilenceMs(Map.of("agent.registration.interval.ms", "1000"), 30_000)).isEqualTo("30000");
    }
}
