package dev.baton.coordinator;

import dev.baton.coordinator.internal.CommitTimedProducer;
import dev.baton.coordinator.internal.CoordinatorMetrics;
import dev.baton.coordinator.internal.CoordinatorTopology;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.processing.TemplateActionResolver;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.platform.BatonService;
import dev.baton.platform.KafkaAccess;
import dev.baton.platform.ServiceHealth;
import dev.baton.platform.ThreadRestarts;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.StreamsHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator: a Kafka Streams application (exactly-once v2) that folds run requests, agent reports
 * and control commands into run state and emits step commands. Scale it by running more instances
 * (up to the partition count of the run topics); standby replicas make failover quick.
 */
public final class Coordinator implements BatonService {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
    /** Its Kafka Streams application id is {@code <prefix>coordinator}: group, transactional id and internal topic prefix. */
    public static final String APPLICATION = "coordinator";

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ThreadRestarts restarts;
    private final StartupTimeline startup;
    private final CommitTimedProducer.Supplier clients;
    private volatile boolean closed;

    private Coordinator(KafkaStreams streams, CommitTimedProducer.Supplier clients, KafkaStreamsMetrics streamsMetrics,
            ThreadRestarts restarts, StartupTimeline startup) {
        this.streams = streams;
        this.clients = clients;
        this.streamsMetrics = streamsMetrics;
        this.restarts = restarts;
        this.startup = startup;
    }

    public static Coordinator start(CoordinatorConfig config, MeterRegistry meters) {
        return start(config, meters, topology -> {});
    }

    /** With {@code extend} applied to the topology before it starts (tests add a failing processor with it). */
    static Coordinator start(CoordinatorConfig config, MeterRegistry meters, Consumer<Topology> extend) {
        // What a (re)start spends its time on, logged once when it is running (docs/operations.md, restarts).
        StartupTimeline startup = new StartupTimeline();
        // Loading RocksDB's native library (extracted from its jar on each JVM start) happens on the first store open,
        // inside KafkaStreams.start(), on the restart's critical path: begin it now, alongside the topic check.
        Thread.ofPlatform().daemon().name("coordinator-rocksdb-load").start(org.rocksdb.RocksDB::loadLibrary);
        Topics topics = config.topics();
        // The topic and permission check is a few Admin round trips (about 1-2 s of a restart, most of it waiting and
        // loading the Admin client's classes); building the topology and constructing Kafka Streams (which contacts no
        // broker) is about as long again, on the main thread: do both at once and start Streams once the check passed.
        CompletableFuture<Void> topicsChecked = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("coordinator-topic-check").start(() -> {
            try (Admin admin = Admin.create(config.kafkaClient())) {
                TopicBootstrapper b = new TopicBootstrapper(admin);
                b.ensure(topics.standard(config.topicDefaults()));
                KafkaAccess.require("coordinator", admin, kafkaNeeds(topics));
                startup.markTopicsReady();
                topicsChecked.complete(null);
            } catch (Throwable e) {
                topicsChecked.completeExceptionally(e);
            }
        });
        KafkaStreams streams;
        CommitTimedProducer.Supplier clients = new CommitTimedProducer.Supplier(config.getLong(CoordinatorConfig.IDLE_POLL_MAX_MS),
                config.getBoolean(CoordinatorConfig.COMMIT_OVERLAP));
        try {
            Topology topology = topology(config, meters);
            extend.accept(topology);
            // The producer reports when each commit completed, for the commit coalescing (RunProcessor.ThreadActivity).
            streams = new KafkaStreams(topology, streamsProperties(config), clients);
        } catch (RuntimeException | Error e) {
            awaitTopicCheck(topicsChecked, null); // a topic or permission failure is the better explanation; else this one
            throw e;
        }
        startup.markCreated();
        awaitTopicCheck(topicsChecked, streams);
        // Replace a failed stream thread (a fenced producer or a broker timeout passes), but not for ever: an Error such
        // as OutOfMemoryError, or the same failure again and again (one bad record fails every replacement, issue 12),
        // shuts the client down, which makes this coordinator DOWN so that the watchdog ends the process and a supervisor
        // restarts it, visibly, instead of a crash loop that /health does not see. The global thread cannot be replaced:
        // Streams shuts the client down whatever this answers.
        ThreadRestarts restarts = new ThreadRestarts("coordinator stream thread");
        streams.setUncaughtExceptionHandler(e -> {
            if (restarts.mayReplace(e)) {
                log.error("Coordinator stream thread failed; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            log.error("Coordinator gives up: {}; shutting Kafka Streams down", restarts.fatal(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        KafkaStreamsMetrics km = new KafkaStreamsMetrics(streams);
        km.bindTo(meters);
        streams.setGlobalStateRestoreListener(startup);
        streams.setStateListener((newState, oldState) -> {
            boolean first = newState == KafkaStreams.State.RUNNING && startup.running() == 0;
            startup.onStateChange(newState);
            if (first) {
                log.info("Coordinator {}", startup.describe());
            }
        });
        startup.markStarted();
        streams.start();
        startup.markStartReturned();
        log.info("Coordinator started ({}; {})", topics, config.describe());
        return new Coordinator(streams, clients, km, restarts, startup);
    }

    /**
     * Waits for the topic and permission check; when it failed, closes {@code streams} (if any) and throws the check's
     * own exception (an {@link KafkaAccess.AccessDeniedException}, a topic creation failure).
     */
    private static void awaitTopicCheck(CompletableFuture<Void> check, KafkaStreams streams) {
        try {
            check.join();
        } catch (CompletionException e) {
            if (streams != null) {
                // Never started: nothing to wait for but its clients and state directory, released before a retry.
                streams.close(Duration.ofSeconds(10));
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * The Kafka permissions the coordinator needs (docs/operations.md#kafka-acls), checked at start. Not checkable
     * here: WRITE on every {@code commands.<pool>} (prefixed) and the prefixed ACLs on its internal topics; a refusal
     * of those stops the coordinator at once too (see {@link ThreadRestarts}).
     */
    public static List<KafkaAccess.Need> kafkaNeeds(Topics topics) {
        List<KafkaAccess.Need> needs = new ArrayList<>();
        for (String t : List.of(topics.jobs(), topics.assetsLatest(), topics.runRequests(), topics.runControl(),
                topics.agentReports(), topics.admission(), topics.lineage(), topics.stepCache(), topics.stepCacheLookups())) {
            needs.add(KafkaAccess.read(t));
        }
        for (String t : List.of(topics.runEvents(), topics.agentControl(), topics.runRequests(), topics.runControl(),
                topics.lineage(), topics.assetsLatest(), topics.admission(), topics.deadLetters(), topics.stepCache(),
                topics.stepCacheLookups())) {
            needs.add(KafkaAccess.write(t));
        }
        String app = topics.applicationId(APPLICATION);
        needs.add(new KafkaAccess.Group(app));
        needs.add(new KafkaAccess.TransactionalIds(app + "-"));
        return needs;
    }

    public static Topology topology(CoordinatorConfig config, MeterRegistry meters) {
        RunDecider decider = new RunDecider(config.deciderSettings(), new TemplateActionResolver());
        return CoordinatorTopology.build(config.topics(), decider, Codecs.create(config.registry()),
                new CoordinatorMetrics(meters), Duration.ofMillis(config.getLong(CoordinatorConfig.PUNCTUATE_INTERVAL_MS)),
                Duration.ofMillis(config.getLong(CoordinatorConfig.COMMIT_COALESCE_MS)),
                Duration.ofMillis(config.getLong(CoordinatorConfig.COMMIT_MAX_DELAY_MS)),
                Duration.ofMillis(config.getLong(CoordinatorConfig.COMMIT_LINGER_MS)),
                config.getInt(CoordinatorConfig.MAX_RECORD_BYTES));
    }


    /**
     * The exactly-once producers' {@code retry.backoff.ms}: how soon a transactional request answered
     * {@code CONCURRENT_TRANSACTIONS} (the previous transaction's markers still being written) is sent again.
     */
    public static final int TRANSACTION_RETRY_BACKOFF_MS = 5;

    /** The restore consumer's fetch wait without standby tasks (a restart's restore; see streamsProperties). */
    static final int RESTORE_FETCH_MAX_WAIT_MS = 10;
    /** linger.ms of the stream threads' producers; coordinator.streams.producer.linger.ms overrides it. */
    static final int STREAMS_PRODUCER_LINGER_MS = 20;

    public static Properties streamsProperties(CoordinatorConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.topics().applicationId(APPLICATION));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // EOS commits are the latency floor; dispatches also request a commit at once.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(CoordinatorConfig.COMMIT_INTERVAL_MS));
        // A commit deferred by coalescing is made by a punctuation, which runs when the thread wakes: an idle
        // thread must not sleep in poll() for the default 100 ms meanwhile, but waking every commit.max.delay.ms
        // keeps that bound (poll returns at once when records arrive). Waking every coalescing window (5 ms) cost
        // an idle coordinator ~5% of a core in empty loops of its four threads (docs/benchmarks.md, idle).
        long coalesce = config.getLong(CoordinatorConfig.COMMIT_COALESCE_MS);
        if (coalesce > 0) {
            p.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1L, Math.min(100L, Math.max(coalesce,
                    config.getLong(CoordinatorConfig.COMMIT_MAX_DELAY_MS)))));
        }
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(CoordinatorConfig.THREADS));
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.getInt(CoordinatorConfig.STANDBY_REPLICAS));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(CoordinatorConfig.STATE_DIR));
        // Changelogs and repartition topics replicated like Baton's own topics (RF min(3, brokers), min.insync.replicas 2
        // from three brokers): a stateful task survives a broker loss. Streams' EOS producers already use acks=all.
        p.putAll(config.streamsTopicSettings());
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), dev.baton.platform.config.BatonConfig.fetchMaxWaitMs(config.kafkaClient()));
        // Not so for the restore consumer after a restart: with 500 ms its fetches made restoring a few hundred changelog
        // records take 1.5 s of the recovery benchmark's restart, against about 0.6 s with 10 ms (docs/benchmarks.md,
        // recovery). Without standby tasks it is idle once restored; standbys are restored by it continuously, so
        // with them it keeps the long wait (an idle instance would otherwise fetch a hundred times a second).
        if (config.getInt(CoordinatorConfig.STANDBY_REPLICAS) == 0) {
            p.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), RESTORE_FETCH_MAX_WAIT_MS);
        }
        // Under exactly-once nothing is readable before the commit, and a commit sends what lingers at once (its flush
        // or commitTransaction): a transaction's records go out together at its commit, in fewer produce requests
        // whose new partitions the broker verifies together. Against 1 ms: a quarter fewer produce requests per run
        // at 600 runs/s, lower CPU per run in interleaved pairs, the chain's hop and the sensor no slower (with the
        // commit overlap the offsets now go out before the records; docs/coordinator.md, "The stream threads'
        // producers linger").
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), STREAMS_PRODUCER_LINGER_MS);
        // A commit that follows the thread's previous one within a few ms (Streams commits again after a punctuation)
        // has its offsets answered CONCURRENT_TRANSACTIONS until the previous transaction's markers are written, and
        // the producer retries after retry.backoff.ms: 100 ms by default, the ~100 ms chain hop stalls of issue 20.
        // The markers take milliseconds; the backoff still grows exponentially on repeated errors (to 1 s).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), TRANSACTION_RETRY_BACKOFF_MS);
        String instance = config.getString(CoordinatorConfig.INSTANCE_ID);
        if (instance != null && !instance.isBlank()) {
            // Static membership: a restart with the same id resumes its tasks without a rebalance.
            p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instance);
        }
        // Keep processing records in arrival order across the three input topics rather than waiting for all.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // A crashed instance's open transaction blocks read_committed readers (and its successor's restore) until
        // it times out: keep that short (recovery benchmark: first dispatch 7.8 s after SIGKILL at 10 s, 5.7 s at 3 s).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 3000);
        // Hand a dead instance's partitions to a standby after 10 s instead of 45 s.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        // The record cache of the run and timer stores (flushed to RocksDB and the changelogs at each commit, inside
        // the transaction): repeated writes of one key between two commits become one.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 16L * 1024 * 1024);
        // Defence in depth behind the coordinator's own record size guard: a record the producer rejects as too large
        // (e.g. a broker or topic with a lower limit than coordinator.max.record.bytes) is logged and skipped instead
        // of killing the stream thread into a crash loop that stalls every run.
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, dev.baton.coordinator.internal.OversizeRecordHandler.class);
        // Explicit overrides last (coordinator.streams.*): they win over every setting above.
        p.putAll(config.withPrefix(CoordinatorConfig.STREAMS_PREFIX));
        return p;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** When this instance's start-up phases were reached (group join, restore, running). */
    public StartupTimeline startup() {
        return startup;
    }

    @Override
    public String name() {
        return "coordinator";
    }

    @Override
    public boolean ready() {
        return !closed && streams.state() == KafkaStreams.State.RUNNING;
    }

    /**
     * UP while Kafka Streams runs; STARTING while it starts or rebalances; DOWN once it is shutting down or failed
     * without being closed (its stream threads gave up or the global thread died): it does not come back by itself.
     */
    @Override
    public ServiceHealth health() {
        if (closed) {
            return ServiceHealth.STOPPED;
        }
        return StreamsHealth.of("", streams.state(), restarts);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clients.closing(); // ends the long idle polls in progress, and no new one begins
        // Leave the group so another instance takes the partitions over at once instead of after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        streamsMetrics.close();
    }
}
