package dev.baton.gateway.internal.api;

import java.util.List;

/** Response bodies of {@code GET /api/v1/sensors}. */
public final class SensorResponses {
    private SensorResponses() {}

    /**
     * One sensor of a job: a Kafka trigger (on {@code topic}) or an asset trigger (on {@code assets}, read from the lineage
     * topic). {@code state}: WAITING_FOR_TOPIC (the topic does not exist yet), NOT_STARTED (its consumer group has
     * committed nothing yet), CAUGHT_UP (lag 0), LAGGING (records not yet read), UNKNOWN (Kafka did not answer in time).
     * {@code lag} is the sum over the topic's partitions of end offset minus committed offset.
     */
    public record Sensor(String job, int jobVersion, String name, String kind, String topic, List<String> assets,
                         String consumerGroup, String state, Long lag, Integer partitions) {}

    public record SensorList(List<Sensor> items) {}
}
