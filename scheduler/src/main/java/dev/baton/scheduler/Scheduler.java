package dev.baton.scheduler;

import dev.baton.platform.streams.IdlePollClientSupplier;
import dev.baton.platform.streams.StreamsHealth;
import dev.baton.scheduler.api.SchedulerTopics;
import dev.baton.platform.BatonService;
import dev.baton.platform.ServiceHealth;
import dev.baton.platform.ThreadRestarts;
import dev.baton.platform.KafkaAccess;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.SchedulerMetrics;
import dev.baton.scheduler.internal.schedules.JobsChangedNudge;
import dev.baton.scheduler.internal.schedules.ScheduleTopology;
import dev.baton.scheduler.internal.schedules.TickDecider;
import dev.baton.scheduler.internal.sensors.SensorManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * The scheduler: turns schedule ticks, Kafka records and asset materializations into run requests, exactly once.
 * <ul>
 *   <li>Schedules: a Kafka Streams application (exactly-once v2, application id {@code <prefix>scheduler}) whose one
 *       task keeps every schedule's tick state and sends each tick's run request in the same transaction as the
 *       state change.</li>
 *   <li>Kafka sensors and asset triggers: one transactional consumer/producer loop per trigger of every registered
 *       job; each run request commits together with the consumed offset. Sensors follow {@code Topics.jobs()}: they
 *       start, change and stop with the job definitions, without a restart.</li>
 * </ul>
 * Several instances may run: the schedule task has one owner at a time, sensor partitions are shared out by their
 * consumer groups, and zombies are fenced by the transactions. See docs/triggers.md.
 */
public final class Scheduler implements BatonService {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final SensorManager sensors;
    private final ThreadRestarts restarts;
    private final IdlePollClientSupplier clients;
    private final JobsChangedNudge nudge;
    private volatile boolean closed;

    private Scheduler(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, SensorManager sensors, ThreadRestarts restarts,
            IdlePollClientSupplier clients, JobsChangedNudge nudge) {
        this.streams = streams;
        this.nudge = nudge;
        this.clients = clients;
        this.streamsMetrics = streamsMetrics;
        this.sensors = sensors;
        this.restarts = restarts;
    }

    public static Scheduler start(SchedulerConfig config, MeterRegistry meters) {
        return start(config, meters, InstantSource.system());
    }

    /** With a clock for the schedules' notion of "now" (tests drive ticks with it; Kafka's own timing stays real). */
    public static Scheduler start(SchedulerConfig config, MeterRegistry meters, InstantSource clock) {
        return start(config, meters, clock, Faults.NONE);
    }

    static Scheduler start(SchedulerConfig config, MeterRegistry meters, InstantSource clock, Faults faults) {
        Topics topics = config.topics();
        try (Admin admin = Admin.create(config.kafkaClient())) {
            TopicBootstrapper b = new TopicBootstrapper(admin);
            b.ensure(topics.standard(config.topicDefaults()));
            b.ensure(SchedulerTopics.specs(topics, config.topicDefaults()));
            KafkaAccess.require("scheduler", admin, kafkaNeeds(topics));
        }
        SchedulerMetrics metrics = new SchedulerMetrics(meters);
        ThreadRestarts restarts = new ThreadRestarts("schedule engine stream thread");
        KafkaStreams streams = null;
        KafkaStreamsMetrics km = null;
        SensorManager sensors = null;
        JobsChangedNudge nudge = null;
        // Polls wait longer than poll.ms while the engine has nothing due (docs/coordinator.md, idle polls).
        IdlePollClientSupplier clients = new IdlePollClientSupplier(config.getLong(SchedulerConfig.IDLE_POLL_MAX_MS));
        try {
            if (config.getBoolean(SchedulerConfig.SCHEDULES_ENABLED)) {
                nudge = new JobsChangedNudge(config.kafkaClient(), SchedulerTopics.control(topics));
                streams = new KafkaStreams(topology(config, metrics, clock, faults, nudge), streamsProperties(config), clients);
                // Replaced, as the coordinator's, at most 3 times in 5 min and never after an Error: then DOWN (see ThreadRestarts).
                streams.setUncaughtExceptionHandler(e -> {
                    StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = faults.onEngineFailure(e);
                    if (!restarts.mayReplace(e)
                            && response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD) {
                        response = StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                    }
                    log.error("Schedule engine stream thread failed ({}); uncommitted ticks are redone", response, e);
                    return response;
                });
                km = new KafkaStreamsMetrics(streams);
                km.bindTo(meters);
                streams.start();
            }
            if (config.getBoolean(SchedulerConfig.SENSORS_ENABLED)) {
                sensors = SensorManager.start(config, metrics, clock, faults);
            }
        } catch (RuntimeException e) {
            if (streams != null) {
                streams.close(Duration.ofSeconds(10));
            }
            if (nudge != null) {
                nudge.close();
            }
            throw e;
        }
        log.info("Scheduler started ({}; {})", topics, config.describe());
        return new Scheduler(streams, km, sensors, restarts, clients, nudge);
    }

    /**
     * The Kafka permissions the scheduler needs (docs/operations.md#kafka-acls), checked at start. Not checkable here:
     * the sensors' topics, groups and transactional ids (named by the jobs, known later); a refusal stops that sensor.
     */
    public static List<KafkaAccess.Need> kafkaNeeds(Topics topics) {
        List<KafkaAccess.Need> needs = new ArrayList<>();
        for (String t : List.of(topics.jobs(), topics.runEvents(), topics.lineage(), SchedulerTopics.control(topics))) {
            needs.add(KafkaAccess.read(t));
        }
        for (String t : List.of(topics.runRequests(), topics.runControl(), SchedulerTopics.status(topics), topics.deadLetters(),
                SchedulerTopics.control(topics))) { // control: the jobs-changed nudge (JobsChangedNudge)
            needs.add(KafkaAccess.write(t));
        }
        String app = SchedulerTopics.applicationId(topics);
        needs.add(new KafkaAccess.Group(app));
        needs.add(new KafkaAccess.TransactionalIds(app + "-"));
        return needs;
    }

    public static Topology topology(SchedulerConfig config, SchedulerMetrics metrics, InstantSource clock, Faults faults,
                                    java.util.function.Consumer<String> jobsChanged) {
        return ScheduleTopology.build(config.topics(), config.registry(),
                new TickDecider.Settings(config.getLong(SchedulerConfig.MISFIRE_GRACE_MS),
                        config.getInt(SchedulerConfig.MAX_TICKS_PER_ROUND), config.getInt(SchedulerConfig.MAX_QUEUED_TICKS)),
                config.getInt(SchedulerConfig.HISTORY_SIZE), clock,
                Duration.ofMillis(config.getLong(SchedulerConfig.TICK_INTERVAL_MS)),
                Duration.ofMillis(config.getLong(SchedulerConfig.TICK_MAX_SLEEP_MS)), metrics, faults, jobsChanged);
    }


    /** The transactional producers' {@code retry.backoff.ms} (see the coordinator's, docs/benchmarks.md issue 20). */
    public static final int TRANSACTION_RETRY_BACKOFF_MS = 5;

    public static Properties streamsProperties(SchedulerConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, SchedulerTopics.applicationId(config.topics()));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // A tick also requests a commit at once; this bounds everything else (pause commands, run ends).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(SchedulerConfig.COMMIT_INTERVAL_MS));
        // All schedules live in one task; more threads would idle.
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(SchedulerConfig.STATE_DIR));
        // Changelogs and repartition topics replicated like Baton's own topics (RF min(3, brokers), min.insync.replicas 2
        // from three brokers): a stateful task survives a broker loss. Streams' EOS producers already use acks=all.
        p.putAll(config.streamsTopicSettings());
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        p.putAll(dev.baton.platform.config.BatonConfig.streamsFetchWaits(config.kafkaClient())); // the restore consumer's stays short
        // Ticks are single records; do not hold them back for batching.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
        // A commit right behind the previous one is answered CONCURRENT_TRANSACTIONS until that one's markers are
        // written; retry after milliseconds, not the default 100 ms (docs/benchmarks.md, issue 20).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), TRANSACTION_RETRY_BACKOFF_MS);
        // Failover of the single schedule task must fit in the misfire grace (Streams' default is 45 s).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), config.getInt(SchedulerConfig.SESSION_TIMEOUT_MS));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Math.max(500, config.getInt(SchedulerConfig.SESSION_TIMEOUT_MS) / 3));
        // The state store is read and written once per tick; the record cache would only delay the changelog.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        return p;
    }

    /** The schedule engine's Streams instance (null when schedules are disabled). */
    public KafkaStreams streams() {
        return streams;
    }

    /** The sensor manager (null when sensors are disabled). */
    SensorManager sensorManager() {
        return sensors;
    }

    /** Names ({@code job/trigger}) of the sensors and asset triggers running in this process. */
    public List<String> sensors() {
        return sensors == null ? List.of() : sensors.running();
    }

    @Override
    public String name() {
        return "scheduler";
    }

    @Override
    public boolean ready() {
        boolean s = streams == null || streams.state() == KafkaStreams.State.RUNNING;
        boolean t = sensors == null || sensors.ready();
        return s && t && !closed;
    }

    /**
     * DOWN when the schedule engine's Kafka Streams is shutting down or failed without being closed, or when the
     * sensor manager's thread or a sensor's thread died; STARTING while Streams starts or rebalances or the sensors
     * read the registered jobs.
     */
    @Override
    public ServiceHealth health() {
        if (closed) {
            return ServiceHealth.STOPPED;
        }
        List<ServiceHealth> parts = new ArrayList<>();
        if (streams != null) {
            parts.add(StreamsHealth.of("schedule engine", streams.state(), restarts));
        }
        if (sensors != null) {
            String dead = sensors.deadThread();
            parts.add(dead != null ? ServiceHealth.down(dead)
                    : sensors.ready() ? ServiceHealth.UP : ServiceHealth.starting("sensors reading the registered jobs"));
        }
        return ServiceHealth.worst(parts);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> errors = new ArrayList<>();
        if (sensors != null) {
            try {
                sensors.close();
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        if (streams != null) {
            clients.closing(); // ends the long idle polls in progress, and no new one begins
            // Leave the group so that another instance takes the schedules over at once, not after the session timeout.
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
            streamsMetrics.close();
        }
        if (nudge != null) {
            nudge.close(); // after the global thread that sends it
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }
}
