package dev.baton.gateway.internal.registry;

import dev.baton.events.JobRegistrationRequest;
import dev.baton.events.JobRegistrationResult;
import dev.baton.gateway.internal.kafka.EventProducer;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of the job registry: sends a registration request and completes its future with the
 * registry's answer, read from the results topic (every gateway reads all answers and keeps those it waits for),
 * or fails it with a {@link TimeoutException} after the configured wait.
 */
public final class RegistrationClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistrationClient.class);

    private record Waiter(Context context, Promise<JobRegistrationResult> promise) {}

    private final Topics topics;
    private final EventProducer producer;
    private final AvroSerde<JobRegistrationResult> results;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Thread reader;
    private volatile boolean closed;

    private RegistrationClient(Topics topics, EventProducer producer, AvroSerde<JobRegistrationResult> results,
                               KafkaConsumer<String, byte[]> consumer, Duration timeout) {
        this.topics = topics;
        this.producer = producer;
        this.results = results;
        this.consumer = consumer;
        this.timeout = timeout;
        this.reader = Thread.ofPlatform().daemon().name("baton-registration-results").unstarted(this::readResults);
    }

    /**
     * Positions a reader at the end of the results topic (so only answers to requests sent from now on are read)
     * and starts it. Blocking.
     */
    public static RegistrationClient start(Topics topics, Map<String, Object> kafkaClient, EventProducer producer,
                                           AvroSerde<JobRegistrationResult> results, Duration timeout) {
        Map<String, Object> c = new HashMap<>(kafkaClient);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // The registry writes transactionally: an aborted answer must never reach a caller.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, dev.baton.platform.config.BatonConfig.fetchMaxWaitMs(kafkaClient));
        // No group: every gateway reads every answer from its own position, assigned by hand.
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "baton-gateway-registrations");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c);
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.jobRegistrationResults(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(tp -> consumer.position(tp, timeout)); // resolve now: a request sent later is answered after it
        } catch (RuntimeException e) {
            consumer.close(dev.baton.platform.ConsumerClose.bounded());
            throw e;
        }
        RegistrationClient client = new RegistrationClient(topics, producer, results, consumer, timeout);
        client.reader.start();
        return client;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Sends {@code request} (keyed by job name) and returns the registry's answer. Call from a Vert.x context; the
     * future completes on it. Fails with {@link TimeoutException} when no answer came within the timeout.
     */
    public Future<JobRegistrationResult> register(Vertx vertx, WorkerExecutor worker, JobRegistrationRequest request) {
        Context context = vertx.getOrCreateContext();
        Promise<JobRegistrationResult> promise = Promise.promise(); // completed on context only
        String id = request.getRequestId();
        waiting.put(id, new Waiter(context, promise));
        long timer = vertx.setTimer(timeout.toMillis(), t -> {
            if (waiting.remove(id) != null) {
                promise.tryFail(new TimeoutException("no answer from the job registry within " + timeout.toMillis() + " ms"));
            }
        });
        producer.send(vertx, worker, topics.jobRegistrations(), request.getDefinition().getName(), request).onFailure(e -> {
            if (waiting.remove(id) != null) {
                context.runOnContext(v -> promise.tryFail(e));
            }
        });
        return promise.future().andThen(x -> vertx.cancelTimer(timer));
    }

    private void readResults() {
        try {
            while (!closed) {
                Iterable<ConsumerRecord<String, byte[]>> polled;
                try {
                    polled = consumer.poll(Duration.ofSeconds(1));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    log.error("Cannot read job registration answers (waiting registrations will time out): {}", e.toString());
                    continue;
                }
                for (ConsumerRecord<String, byte[]> r : polled) {
                    Waiter w = r.key() == null ? null : waiting.remove(r.key());
                    if (w == null) {
                        continue; // another gateway's caller, or one that gave up
                    }
                    try {
                        JobRegistrationResult result = results.deserialize(r.topic(), r.value());
                        w.context().runOnContext(v -> w.promise().tryComplete(result));
                    } catch (RuntimeException e) {
                        log.warn("Cannot read the job registry's answer {}-{}@{}", r.topic(), r.partition(), r.offset(), e);
                        w.context().runOnContext(v -> w.promise().tryFail(e));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(dev.baton.platform.ConsumerClose.bounded()); // assigned, auto-commit off: commits nothing
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        reader.join(10_000);
        waiting.forEach((id, w) -> w.context().runOnContext(v -> w.promise().tryFail(new TimeoutException("the gateway is stopping"))));
        waiting.clear();
    }
}
