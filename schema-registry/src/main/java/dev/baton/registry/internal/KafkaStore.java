package dev.baton.registry.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log: one compacted, single-partition Kafka topic, folded into {@link RegistryState}.
 *
 * <p>Single writer. Writes come from one thread (see {@link RegistryService}) through a transactional
 * producer whose {@code transactional.id} is derived from the topic: starting a second registry on
 * the same topic fences the first one (its writes then fail with 50001), so ids can never be handed
 * out twice. A write returns only after the registry's own consumer (read_committed) has read the
 * record back and applied it, so the next decision, and every later read, sees it.
 */
public final class KafkaStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaStore.class);

    private final String topic;
    private final TopicPartition partition;
    private final RegistryState state;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;
    private final Thread reader;
    private final Object progress = new Object();
    private long position; // guarded by progress: every offset below it is applied
    private Throwable readerFailure; // guarded by progress
    private volatile boolean closed;

    private KafkaStore(String topic, RegistryState state, KafkaProducer<byte[], byte[]> producer,
                       KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.state = state;
        this.producer = producer;
        this.consumer = consumer;
        this.timeout = timeout;
        this.reader = new Thread(this::readLoop, "baton-registry-store-reader[" + topic + "]");
        this.reader.setDaemon(true);
    }

    /**
     * Creates the topic when missing, takes over as the single writer, reads the topic to its end into
     * {@code state} and starts following it.
     */
    public static KafkaStore start(String topic, Map<String, Object> kafka, RegistryState state, Integer replicationFactor,
                                   Duration timeout) {
        ensureTopic(topic, kafka, replicationFactor, timeout);

        Map<String, Object> p = new HashMap<>(kafka);
        // Fences any other registry writing this topic: ids are decided by exactly one writer.
        p.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "baton-schema-registry-" + topic);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "baton-registry-writer");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());

        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A write waits for its read-back. On Kafka 4.3 the broker answers a waiting read_committed fetch as soon as
        // the commit marker makes records readable (a probe with a transactional producer showed the same round trip
        // with long and short waits, docs/benchmarks.md), so the wait only bounds empty fetches: 50 ms made an idle
        // registry ask 20 times a second.
        c.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "baton-registry-reader");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, not subscribed: no group
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());

        KafkaStore store = new KafkaStore(topic, state, producer, consumer, timeout);
        try {
            producer.initTransactions();
            store.catchUp();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            consumer.close(Duration.ZERO);
            throw e;
        }
        store.reader.start();
        return store;
    }

    private static void ensureTopic(String topic, Map<String, Object> kafka, Integer replicationFactor, Duration timeout) {
        Map<String, Object> a = new HashMap<>(kafka);
        a.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "baton-registry-admin");
        try (Admin admin = Admin.create(a)) {
            long ms = timeout.toMillis();
            TopicDescription description = describe(admin, topic, ms);
            if (description == null) {
                int brokers = admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS).size();
                short rf = (short) (replicationFactor != null ? replicationFactor : Math.max(1, Math.min(3, brokers)));
                NewTopic newTopic = new NewTopic(topic, 1, rf).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.max(1, rf - 1))));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(ms, TimeUnit.MILLISECONDS);
                    log.info("Created schema storage topic {} (compacted, 1 partition, replication factor {})", topic, rf);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                // Metadata of a new topic reaches the broker answering us a moment after creation.
                long deadline = System.nanoTime() + timeout.toNanos();
                while ((description = describe(admin, topic, ms)) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Schema storage topic " + topic + " was created but cannot be described");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }
            if (description.partitions().size() != 1) {
                throw new IllegalStateException("Schema storage topic " + topic + " has " + description.partitions().size()
                        + " partitions; it must have exactly 1 (the registry relies on a total order of its records)");
            }
            Config config = describeConfig(admin, topic, timeout);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (policy == null || !policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                throw new IllegalStateException("Schema storage topic " + topic + " has cleanup.policy=" + policy
                        + "; it must be compact, or registered schemas (and their ids) would be deleted by retention");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing schema storage topic " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Cannot prepare schema storage topic " + topic + ": " + cause, cause);
        }
    }

    /**
     * The topic's configuration. With several brokers, a topic just created (or described through another broker) may
     * not be known yet to the broker the request goes to: that answer is retried until the timeout.
     */
    private static Config describeConfig(Admin admin, String topic, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return admin.describeConfigs(Set.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private static TopicDescription describe(Admin admin, String topic, long ms)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(ms, TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    /** Reads the topic from the beginning up to its current (committed) end, on the calling thread. */
    private void catchUp() {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
        long deadline = System.nanoTime() + timeout.toNanos();
        long applied = 0;
        while (consumer.position(partition, timeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read schema storage topic " + topic + " to its end (offset " + end
                        + ") within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                state.apply(r.key(), r.value(), r.offset());
                applied++;
            }
        }
        synchronized (progress) {
            position = consumer.position(partition, timeout);
        }
        log.info("Schema registry state rebuilt from {} records of {} (up to offset {}, highest id {})", applied, topic, end, state.maxId());
    }

    private void readLoop() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    state.apply(r.key(), r.value(), r.offset());
                }
                long now = consumer.position(partition, timeout);
                synchronized (progress) {
                    if (now != position) {
                        position = now;
                        progress.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                fail(e);
            }
        } catch (RuntimeException e) {
            log.error("Schema registry stopped following {}: {}", topic, e.toString(), e);
            fail(e);
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    private void fail(Throwable e) {
        synchronized (progress) {
            readerFailure = e;
            progress.notifyAll();
        }
    }

    /**
     * Appends {@code records} in one transaction and waits until they are applied to the state.
     * Must be called from the single writer thread.
     */
    public void append(List<ProducerRecord<byte[], byte[]>> records) {
        long offset;
        try {
            producer.beginTransaction();
            Future<RecordMetadata> last = null;
            for (ProducerRecord<byte[], byte[]> r : records) {
                last = producer.send(r);
            }
            producer.commitTransaction();
            offset = last.get().offset();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // Kafka reports a newer writer with the same transactional.id as either of these.
            throw new RegistryError(500, RegistryError.BACKEND_ERROR, "Another schema registry instance took over the storage topic "
                    + topic + "; this instance can no longer write", e);
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw new RegistryError(500, RegistryError.BACKEND_ERROR, "Error in the backend data store: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryError(500, RegistryError.BACKEND_ERROR, "Interrupted while writing to " + topic, e);
        } catch (ExecutionException e) {
            throw new RegistryError(500, RegistryError.BACKEND_ERROR, "Error in the backend data store: " + e.getCause(), e.getCause());
        }
        awaitApplied(offset);
    }

    private void awaitApplied(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (position <= offset) {
                if (readerFailure != null) {
                    throw new RegistryError(500, RegistryError.BACKEND_ERROR, "The registry stopped reading " + topic + ": " + readerFailure);
                }
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMs <= 0) {
                    throw new RegistryError(500, RegistryError.OPERATION_TIMED_OUT, "Operation timed out: record at offset " + offset
                            + " of " + topic + " was not read back within " + timeout);
                }
                try {
                    progress.wait(remainingMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryError(500, RegistryError.BACKEND_ERROR, "Interrupted while waiting for " + topic, e);
                }
            }
        }
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
