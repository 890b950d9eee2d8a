package dev.baton.alerting.internal;

import dev.baton.events.Alert;
import dev.baton.events.AlertDestination;
import dev.baton.events.DeadLetter;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notifications of {@code baton.alerts} to their destinations, outside the engine's transaction: a
 * consumer group reads committed alerts, sends each to every destination of its incident (retrying with exponential
 * backoff) and commits the alert's offset only afterwards. At least once: after a crash an alert may be sent again,
 * with the same idempotency key ({@code <incident id>:<transition>}). A destination that still fails after
 * {@code alerting.delivery.max.attempts}, or fails for good (4xx, missing secret), goes to the dead-letter topic.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    /** Retry settings. */
    public record Retry(int maxAttempts, long backoffMs, long maxBackoffMs) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final AvroSerde<Alert> alerts;
    private final AvroSerde<DeadLetter> deadLetters;
    private final Senders senders;
    private final Retry retry;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Counter delivered;
    private final Counter failed;
    private volatile boolean assigned;
    private volatile Throwable died;

    public Notifier(Map<String, Object> kafkaClient, Map<String, Object> registry, Topics topics, Senders senders, Retry retry,
                    MeterRegistry meters) {
        this.topics = topics;
        this.senders = senders;
        this.retry = retry;
        this.alerts = AvroSerde.forValues(Alert.class, registry);
        this.deadLetters = AvroSerde.forValues(DeadLetter.class, registry);
        Map<String, Object> c = new HashMap<>(kafkaClient);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, topics.applicationId(Names.NOTIFIER_GROUP));
        // Offsets are committed after delivery, never before: at-least-once.
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Only alerts of committed engine transactions (an aborted one is redone with the same ids).
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group starts at the beginning: alerts written before the first start are delivered too.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Alerts are rare and latency-sensitive; the broker answers a waiting fetch as soon as one becomes readable (its
        // transaction's marker included), so a long wait costs them nothing, while 50 ms made an idle notifier ask the
        // broker 20 times a second (idle CPU, docs/benchmarks.md). Kafka's default, said explicitly.
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, dev.baton.platform.config.BatonConfig.fetchMaxWaitMs(kafkaClient));
        // Delivery with retries may take minutes per alert; keep the batch small and the poll interval generous.
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30 * 60_000);
        // A crashed process's member stays in the group until its session times out, and a restarted notifier gets no
        // partitions (and alerting is not ready) before: 10 s instead of the default 45 s.
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> p = new HashMap<>(kafkaClient);
        // Dead letters must not be lost or duplicated by producer retries.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.delivered = Counter.builder("baton.alerting.notifications").tag("outcome", "delivered").register(meters);
        this.failed = Counter.builder("baton.alerting.notifications").tag("outcome", "dead-lettered").register(meters);
        this.thread = new Thread(this::loop, "alerting-notifier");
        this.thread.setDaemon(true);
    }

    public Notifier start() {
        consumer.subscribe(List.of(topics.alerts()), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                assigned = true;
            }
        });
        thread.start();
        return this;
    }

    public boolean ready() {
        return assigned && thread.isAlive();
    }

    /** Why the delivery thread stopped, or null while it runs (or after a clean close). */
    public String deadThread() {
        return died == null ? null : "alerting notifier thread died: " + died;
    }

    /**
     * The longest poll. Alerts arriving end it at once and {@link #close} wakes it, so nothing waits for it; it only
     * sets how often an idle notifier's thread wakes (it was 200 ms: five wakes a second at rest, docs/benchmarks.md,
     * idle, a seventh look).
     */
    static final Duration POLL = Duration.ofSeconds(30);

    private void loop() {
        try {
            while (stop.getCount() > 0) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (stop.getCount() == 0) {
                        return; // not committed: delivered again by whoever takes over
                    }
                    handle(r);
                    consumer.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            if (stop.getCount() > 0) {
                died = t;
                log.error("The alerting notifier stopped", t);
            }
        } finally {
            consumer.close(dev.baton.platform.ConsumerClose.bounded()); // auto-commit off: each delivered alert was committed by commitSync
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return;
        }
        Alert alert;
        try {
            alert = alerts.deserialize(r.topic(), r.value());
        } catch (SerializationException e) {
            deadLetter(r, "INVALID_EVENT", e.getMessage(), null);
            return;
        }
        List<AlertDestination> destinations = alert.getIncident().getDestinations();
        for (int i = 0; i < destinations.size(); i++) {
            Object d = destinations.get(i).getDestination();
            String outcome = deliver(alert, d);
            if (outcome == null) {
                delivered.increment();
                log.info("Notified {} ({}) to destination {} ({})", alert.getEventId(), alert.getTitle(), i, Senders.kind(d));
            } else {
                failed.increment();
                log.warn("Giving up notifying {} to destination {} ({}): {}", alert.getEventId(), i, Senders.kind(d), outcome);
                deadLetter(r, "DELIVERY_FAILED", "alert " + alert.getEventId() + " to destination " + i + " (" + Senders.kind(d)
                        + ") of incident " + alert.getIncidentId() + ": " + outcome, alert.getIncident().getLastRunId());
            }
        }
    }

    /** Null when delivered, else why it was given up. */
    private String deliver(Alert alert, Object destination) {
        long backoff = retry.backoffMs();
        String last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            Delivery d = senders.send(alert, destination);
            switch (d) {
                case Delivery.Delivered x -> {
                    return null;
                }
                case Delivery.Failed f -> {
                    return f.reason();
                }
                case Delivery.Retry rt -> last = rt.reason();
            }
            if (attempt < retry.maxAttempts()) {
                log.info("Notifying {} ({}) failed (attempt {}): {}; again in {} ms", alert.getEventId(), Senders.kind(destination),
                        attempt, last, backoff);
                try {
                    if (stop.await(backoff, TimeUnit.MILLISECONDS)) {
                        throw new WakeupException(); // closing: the alert stays uncommitted and is delivered again
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WakeupException();
                }
                backoff = Math.min(retry.maxBackoffMs(), Math.max(1, backoff * 2));
            }
        }
        return "still failing after " + retry.maxAttempts() + " attempts: " + last;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, String cause, String reason, String runId) {
        DeadLetter dl = DeadLetters.of(Names.NOTIFIER_GROUP, cause, reason, r.topic(), r.partition(), r.offset(),
                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value(), r.headers(), runId, Instant.now());
        try {
            producer.send(new ProducerRecord<>(topics.deadLetters(), r.topic(), deadLetters.serialize(topics.deadLetters(), dl))).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a dead letter for " + r.topic() + "-" + r.partition() + "@" + r.offset(), e);
        }
    }

    @Override
    public void close() {
        stop.countDown();
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
