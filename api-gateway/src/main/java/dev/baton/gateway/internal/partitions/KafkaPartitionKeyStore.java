package dev.baton.gateway.internal.partitions;

import dev.baton.platform.CompactedTopicView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Dynamic partition keys on the compacted topic (key and value {@code set/partitionKey} as UTF-8 text,
 * a tombstone on removal). Writes wait for the broker's acknowledgement; reads refresh a {@link CompactedTopicView}
 * up to the end of the topic first, so a key added (or removed) before the call is seen. Opened on first use.
 */
public final class KafkaPartitionKeyStore implements PartitionKeyStore {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> kafkaClient;
    private final String topic;
    private KafkaProducer<String, String> producer;
    private CompactedTopicView<String> view;

    public KafkaPartitionKeyStore(Map<String, Object> kafkaClient, String topic) {
        this.kafkaClient = kafkaClient;
        this.topic = topic;
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Map<String, Object> p = new HashMap<>(kafkaClient);
            // A key added or removed is on every replica before the API answers.
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    private synchronized CompactedTopicView<String> view() {
        if (view == null) {
            view = CompactedTopicView.open(kafkaClient, topic, false, b -> new String(b, StandardCharsets.UTF_8));
        }
        return view.refresh();
    }

    @Override
    public void add(String set, List<String> keys) {
        List<Future<?>> sent = keys.stream().<Future<?>>map(k -> producer().send(new ProducerRecord<>(topic, PartitionKeyStore.recordKey(set, k), PartitionKeyStore.recordKey(set, k)))).toList();
        sent.forEach(KafkaPartitionKeyStore::await);
    }

    @Override
    public void remove(String set, String key) {
        await(producer().send(new ProducerRecord<>(topic, PartitionKeyStore.recordKey(set, key), null)));
    }

    @Override
    public List<String> keys(String set, String after, int limit) {
        // The view's values are the record keys, ordered by record key: within one set, the partition keys' order.
        return PartitionKeyStore.page(view().values(), set, after, limit);
    }

    @Override
    public boolean contains(String set, String key) {
        return view().get(PartitionKeyStore.recordKey(set, key)).isPresent();
    }

    private static void await(Future<?> f) {
        try {
            f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a partition key", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write the partition key: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (view != null) {
            view.close();
        }
    }
}
