package dev.baton.coordinator.internal.processing;

import java.time.Duration;
import java.util.Map;

/**
 * Policy knobs of the decider, from the coordinator's configuration.
 *
 * @param heartbeatTimeout default time without a heartbeat after which a running attempt is lost
 * @param heartbeatInterval how often agents are asked to heartbeat
 * @param maxOutputBytes cap on the total size of one attempt's outputs
 * @param retention how long a finished run stays in the hot state store (duplicate run keys collapse within it)
 * @param poolLimits maximum concurrently dispatched steps per pool; pools not named are unlimited
 * @param defaultCancelGrace grace period for running attempts when a run is canceled without one
 * @param infraRetries attempts lost to infrastructure (agent died, stalled or shut down) re-dispatched per step, on top
 *                     of and separate from the step's own retry policy
 */
public record DeciderSettings(Duration heartbeatTimeout, Duration heartbeatInterval, int maxOutputBytes,
                              Duration retention, Map<String, Integer> poolLimits, Duration defaultCancelGrace,
                              int infraRetries) {
    public static final int DEFAULT_INFRA_RETRIES = 3;
    public static final DeciderSettings DEFAULTS = new DeciderSettings(Duration.ofSeconds(30), Duration.ofSeconds(5),
            64 * 1024, Duration.ofDays(7), Map.of(), Duration.ofSeconds(30));

    /** The settings with the default infrastructure-retry budget. */
    public DeciderSettings(Duration heartbeatTimeout, Duration heartbeatInterval, int maxOutputBytes, Duration retention,
                           Map<String, Integer> poolLimits, Duration defaultCancelGrace) {
        this(heartbeatTimeout, heartbeatInterval, maxOutputBytes, retention, poolLimits, defaultCancelGrace,
                DEFAULT_INFRA_RETRIES);
    }
}
