package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactedTopicViewTest {
    @TempDir static Path dir;
    static EmbeddedKafkaBroker broker;
    static Map<String, Object> client;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
        client = Map.of("bootstrap.servers", broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Integer decode(byte[] b) {
        return Integer.valueOf(new String(b, StandardCharsets.UTF_8)); // throws on anything but a number
    }

    @Test
    void keepsTheLatestValuePerKeyUpToTheEndAtEachRefresh() throws Exception {
        String topic = "view.latest";
        try (Admin admin = Admin.create(client)) {
            new TopicBootstrapper(admin).ensure(List.of(TopicSpec.compacted(topic, 2, (short) 1)));
        }
        try (var producer = new KafkaProducer<String, String>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
             var view = CompactedTopicView.open(client, topic, false, CompactedTopicViewTest::decode)) {
            send(producer, topic, "b", "1");
            send(producer, topic, "a", "2");
            assertThat(view.get("a")).as("nothing before the first refresh").isEmpty();
            view.refresh();
            assertThat(view.get("a")).contains(2);
            assertThat(view.values()).as("ordered by key").containsExactly(2, 1);

            send(producer, topic, "a", "3");
            send(producer, topic, "b", null);
            send(producer, topic, "a", "not a number");
            view.refresh();
            assertThat(view.get("a")).as("an unreadable value leaves the last good one").contains(3);
            assertThat(view.get("b")).as("a tombstone deletes").isEmpty();
            assertThat(view.values()).containsExactly(3);
        }
    }

    private static void send(KafkaProducer<String, String> p, String topic, String key, String value) throws Exception {
        p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
}
