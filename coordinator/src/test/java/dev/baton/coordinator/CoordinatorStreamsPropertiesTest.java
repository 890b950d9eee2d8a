package dev.baton.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka Streams settings the coordinator derives from its configuration. */
class CoordinatorStreamsPropertiesTest {
    @TempDir
    Path stateDir;

    private Map<String, Object> raw() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("bootstrap.servers", "localhost:9092");
        raw.put("topic.prefix", "t.");
        raw.put("schema.registry.url", "mock://streams-properties");
        raw.put(CoordinatorConfig.STATE_DIR, stateDir.toString());
        return raw;
    }

    @Test
    void exactlyOnceProducersRetryConcurrentTransactionsWithinMilliseconds() {
        var p = Coordinator.streamsProperties(new CoordinatorConfig(raw()));

        // Kafka's default (100 ms) was the chain hop's ~100 ms stall (docs/benchmarks.md, issue 20).
        assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)))
                .isEqualTo(Coordinator.TRANSACTION_RETRY_BACKOFF_MS);
        assertThat(Coordinator.TRANSACTION_RETRY_BACKOFF_MS).isLessThan(100);
    }

    @Test
    void theRestoreConsumerWaitsBrieflyUnlessItServesStandbyTasks() {
        String restoreWait = StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
        assertThat(Coordinator.streamsProperties(new CoordinatorConfig(raw())).get(restoreWait))
                .isEqualTo(Coordinator.RESTORE_FETCH_MAX_WAIT_MS);
        Map<String, Object> standby = raw();
        standby.put(CoordinatorConfig.STANDBY_REPLICAS, "1");
        var p = Coordinator.streamsProperties(new CoordinatorConfig(standby));
        assertThat(p).doesNotContainKey(restoreWait);
        assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))).isEqualTo(500);
    }

    @Test
    void theKafkaPassThroughFetchWaitReplacesTheConsumersDefaultButNotTheRestoreConsumers() {
        Map<String, Object> raw = raw();
        raw.put("kafka.fetch.max.wait.ms", "5000");

        var p = Coordinator.streamsProperties(new CoordinatorConfig(raw));

        assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))).isEqualTo("5000");
        assertThat(p.get(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)))
                .isEqualTo(Coordinator.RESTORE_FETCH_MAX_WAIT_MS);
    }

    @Test
    void anExplicitStreamsSettingWins() {
        Map<String, Object> raw = raw();
        raw.put(CoordinatorConfig.STREAMS_PREFIX + "producer.retry.backoff.ms", "100");

        var p = Coordinator.streamsProperties(new CoordinatorConfig(raw));

        assertThat(p.get("producer.retry.backoff.ms")).isEqualTo("100");
    }
}
