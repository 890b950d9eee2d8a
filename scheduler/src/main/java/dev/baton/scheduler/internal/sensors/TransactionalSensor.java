package dev.baton.scheduler.internal.sensors;

import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.RunRequest;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.SchedulerMetrics;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One trigger's consume-transform-produce loop, exactly once: each poll's run requests and dead letters are sent in
 * one Kafka transaction together with the consumed offsets ({@code sendOffsetsToTransaction} with the consumer's group
 * metadata, so a consumer that lost its partitions cannot commit). The consumer reads {@code read_committed} and never
 * auto-commits. On any failure the clients are closed without committing and rebuilt; the new producer (same
 * transactional id) aborts whatever the old one left open, and consumption resumes from the committed offsets.
 *
 * <p>A poll whose records were all filtered out (nothing to send) opens no transaction: its offsets wait, and ride on
 * the next transaction that sends a run request or dead letter, or are committed alone (a transaction with offsets
 * only) once the oldest has waited {@code filteredCommitMs}, and on a clean stop. Offsets therefore still only advance
 * in a transaction of this sensor's producer with the group's metadata (a fenced zombie cannot commit them), and never
 * past a record whose requests are not committed with them. A crash, a failed batch or a lost or revoked partition
 * drops the waiting offsets: the records are read again from the committed offsets and filtered out again (at most
 * {@code filteredCommitMs} of them), so a busy topic whose records rarely match costs a transaction per match or per
 * interval instead of one per poll.
 *
 * <p>A consumer group without committed offsets (a new trigger) starts at the first record whose timestamp is at or
 * after {@code startAt} (the registration time of the job version that introduced the trigger), or at the end.
 */
public final class TransactionalSensor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionalSensor.class);

    /**
     * @param id              {@code job/trigger}, for logs and metrics
     * @param groupId         consumer group of the trigger (shared by every scheduler instance)
     * @param transactionalId stable per trigger and scheduler instance
     */
    public record Settings(String id, String topic, String groupId, String transactionalId, Instant startAt,
                           Map<String, Object> kafka, long pollMs, int maxPollRecords, int transactionTimeoutMs,
                           long restartBackoffMs, long filteredCommitMs) {}

    private final Settings settings;
    private final RecordHandler handler;
    private final Topics topics;
    private final AvroSerde<RunRequest> requests;
    private final AvroSerde<DeadLetter> deadLetters;
    private final SchedulerMetrics.Sensor meters;
    private final InstantSource clock;
    private final Faults faults;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile JobDefinition job;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean assigned;
    private volatile boolean waitingForTopic;
    /** Offsets of filtered-out records not committed yet (sensor thread only; rebalance callbacks run on it too). */
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    /** When the oldest of {@link #pending} was read (ms of {@link #clock}); meaningless while it is empty. */
    private long pendingSince;
    /** Delay between checks for a topic that does not exist yet; grows to {@link #MAX_TOPIC_CHECK_MS}. */
    private static final long FIRST_TOPIC_CHECK_MS = 1_000;
    private static final long MAX_TOPIC_CHECK_MS = 30_000;

    public TransactionalSensor(Settings settings, JobDefinition job, RecordHandler handler, Topics topics,
                               AvroSerde<RunRequest> requests, AvroSerde<DeadLetter> deadLetters,
                               SchedulerMetrics.Sensor meters, InstantSource clock, Faults faults) {
        this.settings = settings;
        this.job = job;
        this.handler = handler;
        this.topics = topics;
        this.requests = requests;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.clock = clock;
        this.faults = faults;
        this.thread = new Thread(this::run, "baton-sensor-" + settings.id());
        this.thread.setDaemon(true);
    }

    public TransactionalSensor start() {
        thread.start();
        return this;
    }

    /** A newer version of the job with the same trigger: later requests embed it. */
    public void update(JobDefinition definition) {
        this.job = definition;
    }

    public String id() {
        return settings.id();
    }

    /** Whether the sensor waits for its topic to be created (said once in the log, not on every poll). */
    public boolean waitingForTopic() {
        return waitingForTopic;
    }

    /** False once the sensor's thread ended without being closed (an Error; exceptions restart it after a backoff). */
    public boolean alive() {
        // NEW: registered with the manager but not started yet; a health check in between must not end the process.
        return stop.getCount() == 0 || thread.isAlive() || thread.getState() == Thread.State.NEW;
    }

    /** The name of the sensor's thread, for health output. */
    public String threadName() {
        return thread.getName();
    }

    /** Whether the sensor currently has partitions of its topic (for tests and health output). */
    public boolean assigned() {
        return assigned;
    }

    private void run() {
        while (stop.getCount() > 0) {
            try {
                consumeUntilFailure();
            } catch (WakeupException | InterruptException e) {
                if (stop.getCount() > 0) {
                    log.warn("Sensor {} interrupted; restarting", settings.id());
                }
            } catch (RuntimeException e) {
                if (stop.getCount() == 0) {
                    break;
                }
                log.warn("Sensor {} failed; resuming from its committed offsets in {} ms: {}", settings.id(),
                        settings.restartBackoffMs(), e.toString());
                try {
                    stop.await(settings.restartBackoffMs(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void consumeUntilFailure() {
        assigned = false;
        KafkaProducer<String, byte[]> producer = null;
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            producer = producer();
            producer.initTransactions(); // fences and aborts what a previous incarnation left open
            pending.clear(); // a previous incarnation's waiting offsets: their records are read again
            c = consumer();
            consumer = c;
            if (!awaitTopic(c)) {
                return;
            }
            c.subscribe(List.of(settings.topic()), new StartPosition(c, producer));
            while (stop.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(Duration.ofMillis(settings.pollMs()));
                } catch (WakeupException e) {
                    if (stop.getCount() == 0) {
                        break; // close(): commit the waiting offsets below
                    }
                    throw e;
                }
                if (!records.isEmpty()) {
                    process(producer, c, records);
                }
                if (!pending.isEmpty() && clock.millis() - pendingSince >= settings.filteredCommitMs()) {
                    commitPending(producer, c);
                }
                meters.lag(lag(c));
            }
            // A clean stop: the waiting offsets of filtered records are committed (no transaction is open between polls),
            // so a restarted or changed trigger does not read them again. Best effort: if it fails, they are read again.
            if (!pending.isEmpty()) {
                try {
                    commitPending(producer, c);
                } catch (RuntimeException e) {
                    log.info("Sensor {}: offsets of filtered records not committed at stop ({}); they are read again",
                            settings.id(), e.toString());
                }
            }
        } finally {
            consumer = null;
            assigned = false;
            // No commit on the way out: an open transaction is aborted (here or by the next incarnation's fencing).
            if (c != null) {
                c.close(dev.baton.platform.ConsumerClose.bounded()); // offsets go with the sensor's transactions, auto-commit off: commits nothing
            }
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * Waits until the sensor's topic exists, checking with a growing interval. Subscribing to a missing topic would make
     * the consumer log an UNKNOWN_TOPIC_OR_PARTITION warning on every metadata refresh (about once a second) for as
     * long as it is missing; listing topics does not. Returns false when the sensor was stopped meanwhile.
     */
    private boolean awaitTopic(KafkaConsumer<byte[], byte[]> c) throws InterruptException {
        long delay = FIRST_TOPIC_CHECK_MS;
        while (stop.getCount() > 0) {
            if (c.listTopics(Duration.ofSeconds(30)).containsKey(settings.topic())) {
                if (waitingForTopic) {
                    log.info("Sensor {}: topic {} exists now; starting", settings.id(), settings.topic());
                    waitingForTopic = false;
                    meters.waitingForTopic(false);
                }
                return true;
            }
            if (!waitingForTopic) {
                log.info("Sensor {} waits for topic {} to be created (checking again every {} s at most)", settings.id(),
                        settings.topic(), MAX_TOPIC_CHECK_MS / 1000);
                waitingForTopic = true;
                meters.waitingForTopic(true);
            }
            try {
                if (stop.await(delay, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            delay = Math.min(MAX_TOPIC_CHECK_MS, delay * 2);
        }
        return false;
    }

    private void process(KafkaProducer<String, byte[]> producer, KafkaConsumer<byte[], byte[]> c,
                         ConsumerRecords<byte[], byte[]> records) {
        JobDefinition definition = job;
        Instant now = clock.instant();
        if (pending.isEmpty()) {
            pendingSince = clock.millis();
        }
        List<Long> requestedAt = new ArrayList<>();
        int filtered = 0;
        boolean open = false;
        meters.batch();
        handler.beginBatch();
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            Outcome outcome = handler.handle(rec, definition, now);
            if (!(outcome instanceof Outcome.Filtered) && !open) {
                producer.beginTransaction();
                open = true;
            }
            switch (outcome) {
                case Outcome.Request r -> {
                    String topic = topics.runRequests();
                    producer.send(new ProducerRecord<>(topic, r.request().getRunId(), requests.serialize(topic, r.request())));
                    requestedAt.add(rec.timestamp());
                }
                case Outcome.DeadLetter d -> {
                    String topic = topics.deadLetters();
                    DeadLetter letter = DeadLetters.of("scheduler.sensor." + settings.id().replace('/', '.'), d.cause(),
                            d.reason(), rec.topic(), rec.partition(), rec.offset(), rec.key(), rec.value(), rec.headers(),
                            null, now);
                    producer.send(new ProducerRecord<>(topic, rec.topic(), deadLetters.serialize(topic, letter)));
                    meters.deadLetter(d.cause());
                    log.warn("Sensor {}: record {}/{}/{} dead-lettered ({}): {}", settings.id(), rec.topic(), rec.partition(),
                            rec.offset(), d.cause(), d.reason());
                }
                case Outcome.Filtered f -> filtered++;
            }
            pending.put(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1));
        }
        if (!open) {
            // Only filtered records: nothing to make atomic with their offsets, which wait (see the class comment).
            meters.filtered(filtered);
            return;
        }
        faults.beforeSensorCommit(settings.id(), records.count());
        commitWaiting(producer, c); // the waiting offsets of earlier polls with this poll's
        long committed = clock.millis();
        for (long ts : requestedAt) {
            meters.latency(committed - ts);
        }
        meters.requested(requestedAt.size());
        meters.filtered(filtered);
    }

    /** Commits the waiting offsets of filtered records in a transaction of their own (offsets only). */
    private void commitPending(KafkaProducer<String, byte[]> producer, KafkaConsumer<byte[], byte[]> c) {
        faults.beforeSensorCommit(settings.id(), 0);
        producer.beginTransaction();
        commitWaiting(producer, c);
    }

    /**
     * Sends the waiting offsets into the open transaction and commits it. A failure leaves them waiting until the sensor
     * restarts, which drops them (their records are read again).
     */
    private void commitWaiting(KafkaProducer<String, byte[]> producer, KafkaConsumer<byte[], byte[]> c) {
        producer.sendOffsetsToTransaction(new HashMap<>(pending), c.groupMetadata());
        producer.commitTransaction();
        pending.clear();
        meters.committed();
    }

    private long lag(KafkaConsumer<byte[], byte[]> c) {
        long total = 0;
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            if (l.isPresent()) {
                total += l.getAsLong();
            }
        }
        return total;
    }

    /**
     * Positions a new group (no committed offset) at the trigger's start time, and commits that position at once so
     * that the start is pinned: a later restart resumes there even if no record arrived in between.
     */
    private final class StartPosition implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> c;
        private final KafkaProducer<String, byte[]> producer;

        StartPosition(KafkaConsumer<byte[], byte[]> c, KafkaProducer<String, byte[]> producer) {
            this.c = c;
            this.producer = producer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> committed = c.committed(new HashSet<>(partitions));
                Map<TopicPartition, Long> search = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    if (committed.get(tp) == null) {
                        search.put(tp, settings.startAt().toEpochMilli());
                    }
                }
                if (!search.isEmpty()) {
                    Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(search);
                    Set<TopicPartition> toEnd = new HashSet<>();
                    search.keySet().forEach(tp -> {
                        OffsetAndTimestamp o = found.get(tp);
                        if (o == null) {
                            toEnd.add(tp);
                        } else {
                            c.seek(tp, o.offset());
                        }
                    });
                    if (!toEnd.isEmpty()) {
                        c.seekToEnd(toEnd);
                    }
                    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
                    search.keySet().forEach(tp -> start.put(tp, new OffsetAndMetadata(c.position(tp))));
                    producer.beginTransaction();
                    producer.sendOffsetsToTransaction(start, c.groupMetadata());
                    producer.commitTransaction();
                    log.info("Sensor {} starts {} at {}", settings.id(), settings.topic(), start);
                }
            }
            assigned = !c.assignment().isEmpty();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // No transaction is open between polls. Waiting offsets of filtered records are dropped: whoever owns the
            // partitions next reads those records from the committed offsets and filters them out again.
            partitions.forEach(pending::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(pending::remove);
            assigned = false;
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> p = new HashMap<>(settings.kafka());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        // Bounds how long a crashed incarnation that never returns can hold back the group's offsets.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, settings.transactionTimeoutMs());
        // A poll's records go out together at commit anyway.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // The next poll's transaction may start while the previous one's markers are still written: its offsets are
        // answered CONCURRENT_TRANSACTIONS, retried after this (default 100 ms; docs/benchmarks.md, issue 20).
        p.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, dev.baton.scheduler.Scheduler.TRANSACTION_RETRY_BACKOFF_MS);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.transactionalId());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> p = new HashMap<>(settings.kafka());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId());
        // Offsets are committed only inside the transaction with the requests.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Never act on records of aborted transactions.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group's position comes from StartPosition, never from a reset.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, dev.baton.platform.config.BatonConfig.fetchMaxWaitMs(settings.kafka()));
        // A sensor must never create the topic it watches.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Notice a watched topic created after the sensor within seconds, not the default five minutes.
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 30_000);
        // The classic protocol: with the KIP-848 one (AsyncKafkaConsumer) an empty read_committed fetch leaves poll()
        // waiting out its whole timeout before the next fetch (KAFKA-19259), which made record -> request p50 72 ms
        // instead of 12 ms in the sensor benchmark. Each sensor is its own small group, so the classic rebalance is cheap.
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Stops the loop (aborting an uncommitted batch) and waits for the thread. */
    @Override
    public void close() {
        stop.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
