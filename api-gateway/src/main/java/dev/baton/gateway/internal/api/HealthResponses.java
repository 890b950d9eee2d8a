package dev.baton.gateway.internal.api;

import java.util.Map;

/** The body of {@code GET /health}. */
public final class HealthResponses {
    private HealthResponses() {}

    /** UP only when every check is UP; else {@code reason} names the first failing check. */
    public record Health(String status, String reason, Map<String, Check> checks) {}

    /**
     * One check: its status and what it found ({@code brokers} for Kafka, {@code subjects} for the registry,
     * {@code state} for the read model), or why it is not UP ({@code reason} from a component, {@code error} from a probe).
     */
    public record Check(String status, Integer brokers, Integer subjects, String state, String reason, String error) {
        public static Check down(String error) {
            return new Check("DOWN", null, null, null, null, error);
        }

        /** What a failing check says about itself: its reason, else its error, else its state. */
        public String why() {
            return reason != null ? reason : error != null ? error : state;
        }
    }
}
