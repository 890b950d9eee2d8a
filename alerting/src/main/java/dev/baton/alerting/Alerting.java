package dev.baton.alerting;

import dev.baton.alerting.internal.AlertingTopology;
import dev.baton.alerting.internal.IncidentProcessor;
import dev.baton.alerting.internal.Names;
import dev.baton.alerting.internal.Notifier;
import dev.baton.alerting.internal.SecretResolver;
import dev.baton.alerting.internal.Senders;
import dev.baton.events.AlertRule;
import dev.baton.jobs.AlertRules;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobValidationException;
import dev.baton.platform.BatonService;
import dev.baton.platform.ServiceHealth;
import dev.baton.platform.ThreadRestarts;
import dev.baton.platform.KafkaAccess;
import dev.baton.platform.TopicBootstrapper;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.IdlePollClientSupplier;
import dev.baton.platform.streams.StreamsHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting component (docs/alerts.md):
 * <ul>
 *   <li>the incident engine, a Kafka Streams application (exactly-once v2, application id {@code <prefix>alerting})
 *       that folds run events, lineage (checks, freshness), agent heartbeats and acknowledgements into incidents, one
 *       open incident per (rule, job, subject), and writes {@code incidents}, {@code incidents-latest} and
 *       {@code alerts} in the same transaction as its state;</li>
 *   <li>the notifier, which delivers every alert to the incident's destinations (webhook, Slack, e-mail) at least
 *       once, outside that transaction.</li>
 * </ul>
 */
public final class Alerting implements BatonService {
    private static final Logger log = LoggerFactory.getLogger(Alerting.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Notifier notifier;
    private final ThreadRestarts restarts;
    private final IdlePollClientSupplier clients;
    private volatile boolean closed;

    private Alerting(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, Notifier notifier, ThreadRestarts restarts,
            IdlePollClientSupplier clients) {
        this.streams = streams;
        this.clients = clients;
        this.streamsMetrics = streamsMetrics;
        this.notifier = notifier;
        this.restarts = restarts;
    }

    /** The Kafka permissions the alerting component needs (docs/operations.md#kafka-acls), checked at start. */
    public static List<KafkaAccess.Need> kafkaNeeds(Topics topics, boolean notify) {
        List<KafkaAccess.Need> needs = new java.util.ArrayList<>();
        for (String t : List.of(topics.jobs(), topics.runEvents(), topics.lineage(), topics.agents(), topics.incidentControl(),
                dev.baton.scheduler.api.SchedulerTopics.status(topics))) {
            needs.add(KafkaAccess.read(t));
        }
        for (String t : List.of(topics.incidents(), topics.incidentsLatest(), topics.alerts(), topics.deadLetters())) {
            needs.add(KafkaAccess.write(t));
        }
        String app = topics.applicationId(Names.APPLICATION);
        needs.add(new KafkaAccess.Group(app));
        needs.add(new KafkaAccess.TransactionalIds(app + "-"));
        if (notify) {
            needs.add(KafkaAccess.read(topics.alerts()));
            needs.add(new KafkaAccess.Group(topics.applicationId(Names.NOTIFIER_GROUP)));
        }
        return needs;
    }

    public static Alerting start(AlertingConfig config, MeterRegistry meters) {
        return start(config, meters, System::getenv);
    }

    /** With the environment the secrets of destinations are read from ({@code BATON_SECRET_<NAME>}). */
    public static Alerting start(AlertingConfig config, MeterRegistry meters, Function<String, String> env) {
        Topics topics = config.topics();
        List<AlertRule> rules = globalRules(config);
        try (Admin admin = Admin.create(config.kafkaClient())) {
            new TopicBootstrapper(admin).ensure(topics.standard(config.topicDefaults()));
            KafkaAccess.require("alerting", admin, kafkaNeeds(topics, config.getBoolean(AlertingConfig.NOTIFY_ENABLED)));
        }
        ThreadRestarts restarts = new ThreadRestarts("incident engine stream thread");
        // Polls wait longer than poll.ms while the engine has nothing due (docs/coordinator.md, idle polls).
        IdlePollClientSupplier clients = new IdlePollClientSupplier(config.getLong(AlertingConfig.IDLE_POLL_MAX_MS));
        KafkaStreams streams = new KafkaStreams(topology(config, rules), streamsProperties(config), clients);
        // Replaced at most 3 times in 5 min and never after an Error: then DOWN (see ThreadRestarts).
        streams.setUncaughtExceptionHandler(e -> {
            StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = restarts.mayReplace(e)
                    ? StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD
                    : StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            log.error("Incident engine stream thread failed ({}); uncommitted signals are redone", response, e);
            return response;
        });
        KafkaStreamsMetrics km = new KafkaStreamsMetrics(streams);
        km.bindTo(meters);
        Notifier notifier = null;
        try {
            streams.start();
            if (config.getBoolean(AlertingConfig.NOTIFY_ENABLED)) {
                Senders senders = new Senders(Duration.ofMillis(config.getLong(AlertingConfig.DELIVERY_TIMEOUT_MS)),
                        new Senders.Smtp(config.getString(AlertingConfig.SMTP_HOST), config.getInt(AlertingConfig.SMTP_PORT),
                                config.getString(AlertingConfig.SMTP_FROM), config.getString(AlertingConfig.SMTP_USERNAME),
                                config.getPassword(AlertingConfig.SMTP_PASSWORD), config.getBoolean(AlertingConfig.SMTP_STARTTLS)),
                        new SecretResolver(env), config.getString(AlertingConfig.LINK_BASE_URL));
                notifier = new Notifier(config.kafkaClient(), config.registry(), topics, senders,
                        new Notifier.Retry(config.getInt(AlertingConfig.DELIVERY_MAX_ATTEMPTS),
                                config.getLong(AlertingConfig.DELIVERY_BACKOFF_MS), config.getLong(AlertingConfig.DELIVERY_MAX_BACKOFF_MS)),
                        meters).start();
            }
        } catch (RuntimeException e) {
            streams.close(Duration.ofSeconds(10));
            km.close();
            throw e;
        }
        log.info("Alerting started ({}; {} global rules; {})", topics, rules.size(), config.describe());
        return new Alerting(streams, km, notifier, restarts, clients);
    }

    /** The rules file's rules; fails fast naming the key and every problem of the file. */
    public static List<AlertRule> globalRules(AlertingConfig config) {
        String file = config.getString(AlertingConfig.RULES_FILE);
        if (file == null || file.isBlank()) {
            return List.of();
        }
        try {
            return AlertRules.parseGlobal(Files.readString(Path.of(file)), Format.YAML);
        } catch (IOException e) {
            throw new ConfigException(AlertingConfig.RULES_FILE, file, "cannot read the rules file: " + e);
        } catch (JobValidationException e) {
            throw new ConfigException(AlertingConfig.RULES_FILE, file, e.getMessage());
        } catch (UncheckedIOException e) {
            throw new ConfigException(AlertingConfig.RULES_FILE, file, "cannot read the rules file: " + e.getCause());
        }
    }

    public static Topology topology(AlertingConfig config, List<AlertRule> rules) {
        return AlertingTopology.build(config.topics(), config.registry(), new IncidentProcessor.Settings(rules,
                Duration.ofMillis(config.getLong(AlertingConfig.CHECK_INTERVAL_MS)), config.getLong(AlertingConfig.AGENT_LOST_AFTER_MS),
                config.getLong(AlertingConfig.POOL_UNSERVED_AFTER_MS), config.getLong(AlertingConfig.AGENT_FORGET_AFTER_MS)));
    }

    public static Properties streamsProperties(AlertingConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.topics().applicationId(Names.APPLICATION));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // An incident change also requests a commit at once; this bounds everything else (heartbeats, occurrences).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(AlertingConfig.COMMIT_INTERVAL_MS));
        // Every incident lives in one task; more threads would idle.
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(AlertingConfig.STATE_DIR));
        // Changelogs and repartition topics replicated like Baton's own topics (RF min(3, brokers), min.insync.replicas 2
        // from three brokers): a stateful task survives a broker loss. Streams' EOS producers already use acks=all.
        p.putAll(config.streamsTopicSettings());
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        p.putAll(dev.baton.platform.config.BatonConfig.streamsFetchWaits(config.kafkaClient())); // the restore consumer's stays short
        // Incident records are single records; do not hold them back for batching.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
        // The stores are read and written once per signal; the record cache would only delay the changelog.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        // A crashed instance's member stays in the group until its session times out, and a restarted one cannot get
        // the task before: 10 s instead of the default 45 s (after a SIGKILL of `baton dev` this gated readiness).
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public String name() {
        return "alerting";
    }

    @Override
    public boolean ready() {
        return !closed && streams.state() == KafkaStreams.State.RUNNING && (notifier == null || notifier.ready());
    }

    @Override
    public ServiceHealth health() {
        if (closed) {
            return ServiceHealth.STOPPED;
        }
        List<ServiceHealth> parts = new ArrayList<>();
        parts.add(StreamsHealth.of("incident engine", streams.state(), restarts));
        if (notifier != null) {
            String dead = notifier.deadThread();
            parts.add(dead != null ? ServiceHealth.down(dead)
                    : notifier.ready() ? ServiceHealth.UP : ServiceHealth.starting("notifier joining its group"));
        }
        return ServiceHealth.worst(parts);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (notifier != null) {
            notifier.close();
        }
        clients.closing(); // ends the long idle polls in progress, and no new one begins
        // Leave the group so that another instance takes the incidents over at once.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        streamsMetrics.close();
    }
}
