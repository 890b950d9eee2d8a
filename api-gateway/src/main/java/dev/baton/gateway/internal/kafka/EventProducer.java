package dev.baton.gateway.internal.kafka;

import dev.baton.schemas.serde.AvroSerde;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces Avro records (Confluent wire format, UTF-8 string keys) without blocking the event loop:
 * serialization (which may call the registry once per topic) and {@code send} (which may wait for metadata)
 * run on a worker; the acknowledgement arrives through the send callback and completes a promise on the
 * caller's context.
 */
public final class EventProducer implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final Map<String, Object> registryConfig;
    private final Map<Class<?>, AvroSerde<?>> serdes = new ConcurrentHashMap<>();

    public EventProducer(Producer<String, byte[]> producer, Map<String, Object> registryConfig) {
        this.producer = producer;
        this.registryConfig = Map.copyOf(registryConfig);
    }

    /** Producer settings; each non-default carries its reason. */
    public static Map<String, Object> producerConfig(Map<String, Object> kafkaClient, long requestTimeoutMs) {
        Map<String, Object> m = new java.util.HashMap<>(kafkaClient);
        m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // A 202 promises the request is durable: wait for all in-sync replicas.
        m.put(ProducerConfig.ACKS_CONFIG, "all");
        m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Requests come one by one from clients; do not hold them back to batch.
        m.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A request answers 503 rather than hang when Kafka is away.
        m.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, requestTimeoutMs);
        int timeout = (int) Math.max(requestTimeoutMs, 1000);
        m.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        m.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        m.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "baton-gateway");
        return m;
    }

    public static EventProducer create(Map<String, Object> kafkaClient, Map<String, Object> registryConfig, long requestTimeoutMs) {
        return new EventProducer(new KafkaProducer<>(producerConfig(kafkaClient, requestTimeoutMs)), registryConfig);
    }

    public Producer<String, byte[]> kafkaProducer() {
        return producer;
    }

    /** Sends {@code value} keyed by {@code key}; the future completes on the caller's context once acknowledged. */
    public <T extends SpecificRecord> Future<RecordMetadata> send(Vertx vertx, WorkerExecutor worker, String topic, String key, T value) {
        Context ctx = vertx.getOrCreateContext();
        Promise<RecordMetadata> promise = Promise.promise();
        worker.executeBlocking(() -> {
            byte[] bytes = serde(value).serialize(topic, value);
            producer.send(new ProducerRecord<>(topic, key, bytes), (md, ex) -> ctx.runOnContext(v -> {
                if (ex != null) {
                    promise.tryFail(ex);
                } else {
                    promise.tryComplete(md);
                }
            }));
            return null;
        }, false).onFailure(promise::tryFail);
        return promise.future();
    }

    /** The record in the wire format (blocking: may ask the registry once per topic), for callers that send in bulk. */
    public <T extends SpecificRecord> byte[] serialize(String topic, T value) {
        return serde(value).serialize(topic, value);
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> AvroSerde<T> serde(T value) {
        return (AvroSerde<T>) serdes.computeIfAbsent(value.getClass(),
                c -> AvroSerde.forValues((Class<T>) c, registryConfig));
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
        serdes.values().forEach(AvroSerde::close);
    }
}
