package dev.baton.platform;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of Baton's topics under one configurable prefix (default {@code baton.}).
 * Every component derives its topic names from here; nothing spells a topic name twice.
 */
public final class Topics {
    /** Pool names become topic suffixes, so they follow Kafka's topic-name rules. */
    public static final Pattern POOL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,100}");
    public static final String DEFAULT_PREFIX = "baton.";

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String prefix() { return prefix; }

    /** Run requests from the API, schedules, sensors and asset triggers (key: run id). */
    public String runRequests() { return prefix + "run-requests"; }
    /** Control commands: cancel, retry, admission (key: run id). */
    public String runControl() { return prefix + "run-control"; }
    /** Agent reports: started, heartbeat, succeeded, failed (key: run id). */
    public String agentReports() { return prefix + "agent-reports"; }
    /** The canonical log of accepted run and step events (key: run id). */
    public String runEvents() { return prefix + "run-events"; }
    /** Step commands for one pool (key: run id). */
    public String commands(String pool) {
        if (!POOL_NAME.matcher(pool).matches()) {
            throw new IllegalArgumentException("Invalid pool name '" + pool + "': use 1-100 of [a-zA-Z0-9._-]");
        }
        return prefix + "commands." + pool;
    }
    public String commandsPrefix() { return prefix + "commands."; }
    /**
     * Cancel commands for running attempts, read by every agent (key: run id). A cancel must reach the
     * agent that runs the attempt, which a share group cannot promise, so this topic is broadcast.
     */
    public String agentControl() { return prefix + "agent-control"; }
    /** Share group of a pool's agents. */
    public String agentShareGroup(String pool) { return prefix + "agents." + pool; }
    /** Asset materializations, check results, freshness (key: asset key). */
    public String lineage() { return prefix + "lineage"; }
    /** Latest lineage event per asset (and partition), compacted. */
    public String assetsLatest() { return prefix + "assets-latest"; }
    public String logs() { return prefix + "logs"; }
    /** Registered job definitions, compacted (key: job name). */
    public String jobs() { return prefix + "jobs"; }
    /** Job registration requests to the job registry (key: job name); one partition: the registry decides in one order. */
    public String jobRegistrations() { return prefix + "job-registrations"; }
    /** The job registry's answers (key: request id), read by the gateway that asked. */
    public String jobRegistrationResults() { return prefix + "job-registration-results"; }
    /** Agent registrations and heartbeats, compacted (key: agent id). */
    public String agents() { return prefix + "agents"; }
    public String audit() { return prefix + "audit"; }
    public String deadLetters() { return prefix + "dlq"; }
    /** Storage of the embedded schema registry. */
    public String schemas() { return prefix + "_schemas"; }
    /** Internal: admission requests keyed by job or pool (coordinator concurrency limits). */
    public String admission() { return prefix + "coordinator-admission"; }
    /** Published status of every schedule, compacted (key: {@code job/schedule}, JSON; written by the scheduler). */
    public String schedulerState() { return prefix + "scheduler-state"; }
    /** Runtime pause/resume of schedules, compacted (key: {@code job/schedule}, JSON; written by the gateway). */
    public String schedulerControl() { return prefix + "scheduler-control"; }
    /** Backfill events, the public contract of the backfill entity (key: backfill id, Avro BackfillEvent; docs/events.md). */
    public String backfillEvents() { return prefix + "backfill-events"; }

    /** Incident transitions, written by the alerting component (key: incident id; docs/alerts.md). */
    public String incidents() { return prefix + "incidents"; }
    /** The latest state of every incident, compacted (key: incident id; read by the API). */
    public String incidentsLatest() { return prefix + "incidents-latest"; }
    /** Acknowledgements of incidents from the API (key: incident id). */
    public String incidentControl() { return prefix + "incident-control"; }
    /** Notifications: one record per incident opened, escalated or resolved (key: incident id), public. */
    public String alerts() { return prefix + "alerts"; }

    /** The step cache index (compacted; key: job, version, step-definition hash, cache key), see docs/coordinator.md. */
    public String stepCache() { return prefix + "step-cache"; }
    /** Lookups in the step cache (key: the index key); co-partitioned with {@link #stepCache()}. */
    public String stepCacheLookups() { return prefix + "step-cache-lookups"; }

    /** Keys of dynamic partition sets, compacted (key: {@code set/partitionKey}, a tombstone removes it; docs/jobs.md). */
    public String partitionKeys() { return prefix + "partition-keys"; }

    /** Application id prefix for Kafka Streams apps and consumer groups. */
    public String applicationId(String component) { return prefix + component; }

    /** The topics every Baton installation has, with their configuration. */
    public List<TopicSpec> standard(TopicDefaults d) {
        List<TopicSpec> specs = new ArrayList<>();
        // The coordinator's inputs must be co-partitioned: same partition count, keyed by run id.
        // Broker time stamps every input, so the fold's notion of time never depends on a producer's clock.
        specs.add(TopicSpec.log(runRequests(), d.runPartitions(), d.replicationFactor(), d.retentionMs()).logAppendTime());
        specs.add(TopicSpec.log(runControl(), d.runPartitions(), d.replicationFactor(), d.retentionMs()).logAppendTime());
        specs.add(TopicSpec.log(agentReports(), d.runPartitions(), d.replicationFactor(), d.retentionMs()).logAppendTime());
        specs.add(TopicSpec.log(admission(), d.runPartitions(), d.replicationFactor(), d.retentionMs()));
        // The canonical log is the record of every run: kept forever unless configured otherwise.
        specs.add(TopicSpec.log(runEvents(), d.runPartitions(), d.replicationFactor(), d.eventRetentionMs()));
        specs.add(TopicSpec.log(agentControl(), 1, d.replicationFactor(), d.retentionMs()));
        specs.add(TopicSpec.log(lineage(), d.runPartitions(), d.replicationFactor(), d.eventRetentionMs()));
        specs.add(TopicSpec.compacted(assetsLatest(), d.runPartitions(), d.replicationFactor()));
        specs.add(TopicSpec.log(logs(), d.runPartitions(), d.replicationFactor(), d.retentionMs()));
        specs.add(TopicSpec.compacted(jobs(), 1, d.replicationFactor()));
        // One partition: cross-job asset rules need every registration in one order (registrations are rare).
        specs.add(TopicSpec.log(jobRegistrations(), 1, d.replicationFactor(), d.retentionMs()));
        // Time-retained: a result matters only while its caller waits; request ids never repeat, so compaction would keep all.
        specs.add(TopicSpec.log(jobRegistrationResults(), 1, d.replicationFactor(), d.retentionMs()));
        specs.add(TopicSpec.compacted(agents(), 1, d.replicationFactor()));
        specs.add(TopicSpec.log(audit(), 1, d.replicationFactor(), d.eventRetentionMs()));
        specs.add(TopicSpec.log(deadLetters(), 1, d.replicationFactor(), d.eventRetentionMs()));
        specs.add(TopicSpec.compacted(schedulerState(), 1, d.replicationFactor()));
        // Standard so that `baton topics` creates it too: services without the right to create topics need it.
        specs.add(TopicSpec.compacted(schedulerControl(), 1, d.replicationFactor()));
        specs.add(TopicSpec.compacted(partitionKeys(), 1, d.replicationFactor()));
        specs.add(TopicSpec.log(backfillEvents(), d.runPartitions(), d.replicationFactor(), d.eventRetentionMs()));
        // Incidents: one partition, as the alerting component keeps every incident in one task (alerts are rare).
        specs.add(TopicSpec.log(incidents(), 1, d.replicationFactor(), d.eventRetentionMs()));
        specs.add(TopicSpec.compacted(incidentsLatest(), 1, d.replicationFactor()));
        specs.add(TopicSpec.log(incidentControl(), 1, d.replicationFactor(), d.retentionMs()));
        specs.add(TopicSpec.log(alerts(), 1, d.replicationFactor(), d.eventRetentionMs()));
        // The step cache stage reads both with one store, so they must be co-partitioned (same count, key = index key).
        specs.add(TopicSpec.compacted(stepCache(), d.runPartitions(), d.replicationFactor()));
        specs.add(TopicSpec.log(stepCacheLookups(), d.runPartitions(), d.replicationFactor(), d.retentionMs()));
        return specs.stream().map(s -> s.withConfigs(d.topicConfigs())).toList();
    }

    /** The command topic of each pool. */
    public List<TopicSpec> pools(Collection<String> pools, TopicDefaults d) {
        return pools.stream()
                .map(p -> TopicSpec.log(commands(p), d.commandPartitions(), d.replicationFactor(), d.retentionMs())
                        .withConfigs(d.topicConfigs()))
                .toList();
    }

    @Override
    public String toString() { return "Topics[" + prefix + "]"; }
}
