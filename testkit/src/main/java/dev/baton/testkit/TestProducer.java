package dev.baton.testkit;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.baton.schemas.serde.AvroSerde;

/** Writes Avro records (Confluent wire format, registry of the test cluster) or raw bytes, synchronously. */
public final class TestProducer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Object> serdeConfig;

    public TestProducer(TestCluster cluster) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        this.serdeConfig = Map.of("schema.registry.url", cluster.registryUrl());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public void send(String topic, String key, SpecificRecord value) {
        AvroSerde serde = AvroSerde.forValues(value.getClass(), serdeConfig);
        sendBytes(topic, key, serde.serialize(topic, value));
    }

    public void sendBytes(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("send to " + topic + " failed", e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
