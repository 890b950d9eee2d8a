package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command backlog of a pool from a real broker's share-group offsets: the whole topic before any agent joined,
 * then only what the share group has not acquired and acknowledged; and the scrape-driven gauge that shows it.
 */
class PoolBacklogTest {
    @TempDir static Path dir;
    static EmbeddedKafkaBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void backlogIsWhatThePoolsShareGroupHasNotAcquired() throws Exception {
        Topics topics = new Topics("backlog.");
        new TopicBootstrapper(admin).ensure(topics.pools(List.of("gpu", "idle"), TopicDefaults.SINGLE_MACHINE));
        PoolBacklog backlog = new PoolBacklog(admin, topics);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topics.commands("gpu"), "run-" + i, "cmd")).get();
            }
            var before = backlog.read(Duration.ofSeconds(30));
            assertThat(before.keySet()).containsExactly("gpu", "idle");
            assertThat(before.get("gpu")).isEqualTo(new PoolBacklog.Pool("gpu", 3, false));
            assertThat(before.get("idle").backlog()).isZero();

            // An agent of the pool (a share consumer of its group, from the earliest command as Baton's agents) takes all three.
            String group = topics.agentShareGroup("gpu");
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            try (KafkaShareConsumer<String, String> agent = new KafkaShareConsumer<>(
                    Map.of("bootstrap.servers", broker.bootstrapServers(), "group.id", group),
                    new StringDeserializer(), new StringDeserializer())) {
                agent.subscribe(List.of(topics.commands("gpu")));
                List<String> taken = new ArrayList<>();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, String> r : agent.poll(Duration.ofMillis(200))) {
                        taken.add(r.key());
                    }
                    agent.commitSync();
                    return taken.size() >= 3;
                });
            }
            producer.send(new ProducerRecord<>(topics.commands("gpu"), "run-3", "cmd")).get();
            producer.send(new ProducerRecord<>(topics.commands("gpu"), "run-4", "cmd")).get();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(backlog.read(Duration.ofSeconds(10)).get("gpu")).isEqualTo(new PoolBacklog.Pool("gpu", 2, true)));

            // The gauge: registered by the first read, refreshed when read and older than the interval.
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (PoolBacklogMeters meters = PoolBacklogMeters.bind(backlog, registry, Duration.ofMillis(100))) {
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    var g = registry.find("baton.pool.backlog").tag("pool", "gpu").gauge();
                    assertThat(g).isNotNull();
                    assertThat(g.value()).isEqualTo(2.0);
                });
                producer.send(new ProducerRecord<>(topics.commands("gpu"), "run-5", "cmd")).get();
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(registry.find("baton.pool.backlog").tag("pool", "gpu").gauge().value()).isEqualTo(3.0));
                assertThat(registry.find("baton.pool.backlog").tag("pool", "idle").gauge().value()).isZero();
            }
            assertThat(registry.find("baton.pool.backlog").gauges()).as("closed: gauges removed").isEmpty();
        }
    }
}
