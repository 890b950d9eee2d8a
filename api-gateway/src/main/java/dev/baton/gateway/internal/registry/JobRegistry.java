package dev.baton.gateway.internal.registry;

import dev.baton.platform.streams.IdlePollClientSupplier;
import dev.baton.platform.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the job registry: a Kafka Streams app with one application id shared by every gateway
 * ({@code <prefix>job-registry}). Its input has one partition, so Kafka gives the one task to one gateway and
 * moves it to another when that gateway leaves or dies; the others stand by.
 */
public final class JobRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobRegistry.class);

    private final KafkaStreams streams;
    private final IdlePollClientSupplier clients;

    /** Whether this instance ran the task when the client last became RUNNING; false while it rebalances or stops. */
    private volatile boolean ownsTask;

    private JobRegistry(KafkaStreams streams, IdlePollClientSupplier clients) {
        this.streams = streams;
        this.clients = clients;
    }

    /** Starts the registry; its polls wait up to {@code idlePollMaxMs} while it has nothing due ({@link IdlePollClientSupplier}). */
    public static JobRegistry start(Topics topics, Properties props, JobRegistryTopology.Codecs codecs, long idlePollMaxMs) {
        IdlePollClientSupplier clients = new IdlePollClientSupplier(idlePollMaxMs);
        KafkaStreams streams = new KafkaStreams(JobRegistryTopology.build(topics, codecs), props, clients);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Job registry stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        JobRegistry registry = new JobRegistry(streams, clients);
        // Ownership changes only in a rebalance: worked out once per transition, so asking it stays a field read.
        streams.setStateListener((now, before) -> registry.ownsTask = now == KafkaStreams.State.RUNNING
                && streams.metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty()));
        streams.start();
        return registry;
    }

    /** The registry's application id: one for all gateways of an installation. */
    public static String applicationId(Topics topics) {
        return topics.applicationId(JobRegistryTopology.COMPONENT);
    }

    /** Streams settings of the registry; each non-default carries its reason. */
    public static Properties streamsProperties(Map<String, Object> kafkaClient, Topics topics, String stateDir,
                                               long commitIntervalMs, short replicationFactor) {
        Properties p = new Properties();
        p.putAll(kafkaClient);
        // Shared by every gateway: the single input partition goes to one of them, and fails over to another.
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(topics));
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // The decision (store), the new version on the jobs topic and the answer commit together or not at all.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Each request also asks for a commit at once; the interval bounds the rest (the jobs-topic fold).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        p.putAll(dev.baton.platform.config.BatonConfig.streamsFetchWaits(kafkaClient)); // the restore consumer's stays short
        // One registration is one record: nothing to batch.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // Decide requests as they come rather than wait for the jobs topic (which mostly echoes the registry's writes).
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // A dead owner's open transaction blocks every read_committed reader of the answers until it times out.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5_000);
        // Hand a dead gateway's registry task to another gateway after 10 s instead of 45 s.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        return p;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /**
     * True when this instance runs the registry's one task: exactly one gateway of a cluster does at a time (give or take
     * a rebalance), which makes it the one that drives backfills too.
     */
    public boolean ownsTask() {
        return ownsTask;
    }

    /** True when this instance's Streams client is running (whether or not it owns the task). */
    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public void close() {
        clients.closing(); // ends the long idle polls in progress, and no new one begins
        // Leave the group so another gateway takes the task over at once instead of after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
