package dev.baton.scheduler.internal.sensors;

import dev.baton.events.AssetTrigger;
import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.LineageEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.TriggerSpec;
import dev.baton.platform.Topics;
import dev.baton.scheduler.SchedulerConfig;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.SchedulerMetrics;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the registered job definitions ({@code Topics.jobs()}, read from the beginning without a group) and keeps one
 * {@link TransactionalSensor} running per Kafka trigger and per asset trigger of every job: a new trigger starts, a
 * changed one restarts (same consumer group, so it resumes from its committed offsets), a removed one stops. A new
 * version of a job whose trigger did not change only updates the definition embedded in later requests.
 */
public final class SensorManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SensorManager.class);

    /** What a running sensor was started from; a change of anything but the job definition restarts it. */
    private record Spec(String id, Object trigger, String topic, String groupId) {}

    private record Running(Spec spec, TransactionalSensor sensor, SchedulerMetrics.Sensor meters) {}

    private final SchedulerConfig config;
    private final Topics topics;
    private final SchedulerMetrics metrics;
    private final InstantSource clock;
    private final Faults faults;
    private final SchemaRegistryClient registry;
    private final AvroSerde<JobDefinition> jobSerde;
    private final AvroSerde<RunRequest> requests;
    private final AvroSerde<DeadLetter> deadLetters;
    private final AvroSerde<LineageEvent> lineage;
    /** The keys of dynamic partition sets, for asset triggers of dynamically partitioned jobs (read on demand). */
    private final PartitionKeysView partitionKeys;
    private final Map<String, JobDefinition> jobs = new LinkedHashMap<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile Throwable failure;

    private SensorManager(SchedulerConfig config, SchedulerMetrics metrics, InstantSource clock, Faults faults) {
        this.config = config;
        this.topics = config.topics();
        this.metrics = metrics;
        this.clock = clock;
        this.faults = faults;
        Map<String, Object> registryConfig = config.registry();
        this.registry = SchemaRegistryClient.create(registryConfig);
        this.jobSerde = AvroSerde.forValues(JobDefinition.class, registryConfig);
        this.requests = AvroSerde.forValues(RunRequest.class, registryConfig);
        this.deadLetters = AvroSerde.forValues(DeadLetter.class, registryConfig);
        this.lineage = AvroSerde.forValues(LineageEvent.class, registryConfig);
        this.partitionKeys = new PartitionKeysView(config.kafkaClient(), topics.partitionKeys());
        Map<String, Object> p = new HashMap<>(config.kafkaClient());
        // Only definitions the gateway committed.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Registrations should reach the sensors quickly: the broker answers a waiting fetch as soon as one is readable
        // (its transaction's marker included), so the wait only bounds empty fetches; 100 ms made an idle scheduler
        // ask 10 times a second (docs/benchmarks.md).
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, dev.baton.platform.config.BatonConfig.fetchMaxWaitMs(config.kafkaClient()));
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "baton-sensor-manager");
        this.thread.setDaemon(true);
    }

    public static SensorManager start(SchedulerConfig config, SchedulerMetrics metrics, InstantSource clock, Faults faults) {
        SensorManager m = new SensorManager(config, metrics, clock, faults);
        m.thread.start();
        return m;
    }

    /** True once every job definition registered before the start has been read. */
    public boolean ready() {
        return caughtUp.getCount() == 0;
    }

    /**
     * Null while the manager's thread and every sensor's thread live (or were closed on purpose); else which one
     * died. Nothing restarts them: without the manager, registered triggers are no longer followed; without a
     * sensor's thread, its records are no longer turned into runs.
     */
    public String deadThread() {
        if (stop.getCount() > 0 && failure != null) {
            return "sensor manager (thread " + thread.getName() + ") died: " + failure;
        }
        if (stop.getCount() > 0 && !thread.isAlive()) {
            return "sensor manager (thread " + thread.getName() + ") ended";
        }
        for (Running r : running.values()) {
            if (!r.sensor().alive()) {
                return "sensor " + r.spec().id() + " (thread " + r.sensor().threadName() + ") died";
            }
        }
        return null;
    }

    public List<String> running() {
        return running.keySet().stream().sorted().toList();
    }

    /** The trigger spec ({@code KafkaTrigger} or {@code AssetTrigger}) the sensor {@code job/trigger} runs with, or null. */
    public Object trigger(String id) {
        Running r = running.get(id);
        return r == null ? null : r.spec().trigger();
    }

    /** Whether the sensor {@code job/trigger} runs and waits for its topic to be created. */
    public boolean waitingForTopic(String id) {
        Running r = running.get(id);
        return r != null && r.sensor().waitingForTopic();
    }

    /** Whether the sensor {@code job/trigger} runs and has partitions of its topic. */
    public boolean assigned(String id) {
        Running r = running.get(id);
        return r != null && r.sensor().assigned();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.jobs(), Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topics.jobs(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (stop.getCount() > 0) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    changed |= apply(rec);
                }
                if (caughtUp.getCount() > 0 && partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    reconcile();
                    caughtUp.countDown();
                    log.info("Sensors follow {} registered jobs: {}", jobs.size(), running());
                } else if (changed && caughtUp.getCount() == 0) {
                    reconcile();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("Sensor manager stopped following job definitions; the scheduler reports DOWN", e);
        } finally {
            consumer.close(dev.baton.platform.ConsumerClose.bounded()); // assigned, auto-commit off: commits nothing
        }
        if (failure instanceof Error err) {
            throw err; // to the uncaught exception handler: an OutOfMemoryError ends the process there
        }
    }

    private boolean apply(ConsumerRecord<String, byte[]> rec) {
        if (rec.key() == null) {
            return false;
        }
        if (rec.value() == null) {
            return jobs.remove(rec.key()) != null;
        }
        try {
            JobDefinition def = jobSerde.deserialize(rec.topic(), rec.value());
            return !def.equals(jobs.put(rec.key(), def));
        } catch (RuntimeException e) {
            metrics.undecodable(rec.topic());
            log.warn("Cannot read the registered definition of job {} (offset {}); keeping its previous triggers: {}",
                    rec.key(), rec.offset(), e.getMessage());
            return false;
        }
    }

    private void reconcile() {
        Map<String, Spec> desired = new LinkedHashMap<>();
        Map<String, JobDefinition> owners = new HashMap<>();
        for (JobDefinition def : jobs.values()) {
            for (TriggerSpec t : def.getTriggers()) {
                Spec spec = spec(def, t.getTrigger());
                if (spec != null) {
                    desired.put(spec.id(), spec);
                    owners.put(spec.id(), def);
                }
            }
        }
        for (String id : new ArrayList<>(running.keySet())) {
            Running r = running.get(id);
            Spec want = desired.get(id);
            if (want == null || !want.equals(r.spec())) {
                log.info(want == null ? "Stopping sensor {}" : "Restarting sensor {} (trigger changed)", id);
                stopSensor(id);
            } else {
                r.sensor().update(owners.get(id));
            }
        }
        desired.forEach((id, spec) -> {
            if (!running.containsKey(id)) {
                try {
                    startSensor(spec, owners.get(id));
                } catch (RuntimeException e) {
                    log.error("Cannot start sensor {}: {}", id, e.getMessage());
                }
            }
        });
    }

    private Spec spec(JobDefinition def, Object trigger) {
        return switch (trigger) {
            case KafkaTrigger k -> new Spec(def.getName() + "/" + k.getName(), k, k.getTopic(),
                    topics.applicationId("sensor." + def.getName() + "." + k.getName()));
            case AssetTrigger a -> new Spec(def.getName() + "/" + a.getName(), a, topics.lineage(),
                    topics.applicationId("asset-trigger." + def.getName() + "." + a.getName()));
            default -> null;
        };
    }

    private void startSensor(Spec spec, JobDefinition def) {
        String[] parts = spec.id().split("/", 2);
        RecordHandler handler;
        String kind;
        if (spec.trigger() instanceof KafkaTrigger k) {
            handler = new KafkaTriggerHandler(k, registry);
            kind = "kafka";
        } else {
            handler = new AssetTriggerHandler((AssetTrigger) spec.trigger(), lineage, partitionKeys::asOf);
            kind = "assets";
        }
        SchedulerMetrics.Sensor meters = metrics.sensor(parts[0], parts[1], kind);
        TransactionalSensor.Settings settings = new TransactionalSensor.Settings(spec.id(), spec.topic(), spec.groupId(),
                spec.groupId() + "." + config.instanceId(), def.getRegisteredAt(),
                config.kafkaClient(), config.getLong(SchedulerConfig.SENSOR_POLL_MS),
                config.getInt(SchedulerConfig.SENSOR_MAX_POLL_RECORDS),
                config.getInt(SchedulerConfig.SENSOR_TRANSACTION_TIMEOUT_MS),
                config.getLong(SchedulerConfig.SENSOR_RESTART_BACKOFF_MS),
                config.getLong(SchedulerConfig.SENSOR_FILTERED_COMMIT_MS));
        TransactionalSensor sensor = new TransactionalSensor(settings, def, handler, topics, requests, deadLetters, meters,
                clock, faults);
        running.put(spec.id(), new Running(spec, sensor, meters));
        sensor.start();
        log.info("Started sensor {} on {} (group {})", spec.id(), spec.topic(), spec.groupId());
    }

    private void stopSensor(String id) {
        Running r = running.remove(id);
        if (r != null) {
            r.sensor().close();
            r.meters().close();
        }
    }

    @Override
    public void close() {
        stop.countDown();
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String id : new ArrayList<>(running.keySet())) {
            stopSensor(id);
        }
        registry.close();
        jobSerde.close();
        requests.close();
        deadLetters.close();
        lineage.close();
        partitionKeys.close();
    }
}
