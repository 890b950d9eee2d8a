package dev.baton.jobs.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key a job file may use, per object. The single source for unknown-key checks; a test holds
 * docs/job.schema.json to the same lists.
 */
public final class Keys {
    public static final List<String> JOB = List.of("name", "description", "params", "env", "pool", "steps",
            "onFailure", "schedule", "schedules", "triggers", "concurrency", "priority", "timeout", "tags", "webhook", "alerts", "partitions",
            "infraRetries");
    public static final List<String> ACTIONS = List.of("run", "http", "java", "noop", "sleep", "job");
    public static final List<String> STEP = List.of("key", "description", "needs", "run", "http", "java", "noop",
            "sleep", "env", "pool", "retry", "timeout", "heartbeatTimeout", "produces", "unsafeVerbatimTemplates", "job", "cache",
            "forEach", "maxParallel", "when", "runIf", "infraRetries");
    public static final List<String> RUN = List.of("script", "shell", "env", "workingDir");
    public static final List<String> HTTP = List.of("method", "url", "headers", "body", "expectStatus", "outputs");
    public static final List<String> JAVA = List.of("handler", "config");
    public static final List<String> RETRY = List.of("maxAttempts", "backoff", "multiplier", "maxBackoff", "jitter");
    public static final List<String> ASSET = List.of("key", "deps", "group", "owners", "description", "freshness", "checks");
    public static final List<String> FRESHNESS = List.of("maxLag");
    public static final List<String> CHECK = List.of("name", "expr", "severity");
    public static final List<String> PARAM = List.of("default", "required", "description", "type", "values", "pattern",
            "maxLength");
    public static final List<String> SCHEDULE = List.of("name", "cron", "every", "timezone", "start", "end",
            "catchUp", "overlap", "params", "paused");
    public static final List<String> CATCH_UP = List.of("policy", "window");
    public static final List<String> TRIGGER = List.of("kafka", "assets", "name");
    public static final List<String> KAFKA = List.of("name", "topic", "filter", "params", "runKey", "format");
    public static final List<String> CONCURRENCY = List.of("maxRuns");
    public static final List<String> WEBHOOK = List.of("secret", "header");
    /** The kinds of one partition dimension. */
    public static final List<String> PARTITION_KINDS = List.of("hourly", "daily", "weekly", "monthly", "static", "dynamic");
    /** {@code partitions}: one kind, or two named dimensions. */
    public static final List<String> PARTITIONS = List.of("hourly", "daily", "weekly", "monthly", "static", "dynamic", "dimensions");
    /** {@code dynamic:} a named set of keys kept on Kafka. */
    public static final List<String> DYNAMIC_PARTITIONS = List.of("name");
    public static final List<String> TIME_WINDOW = List.of("start", "end", "timezone", "offset");
    public static final List<String> ALERT = List.of("name", "on", "webhook", "slack", "email", "severity", "escalateAfter",
            "after", "jobs", "pools");
    public static final List<String> ALERT_WEBHOOK = List.of("url", "headers");
    public static final List<String> ALERT_SLACK = List.of("url");
    public static final List<String> ALERT_EMAIL = List.of("to");
    /** A sub-job step's {@code job:}. */
    public static final List<String> SUB_JOB = List.of("name", "params");
    /** A step's {@code cache:}. */
    public static final List<String> CACHE = List.of("key", "ttl");

    private Keys() {}

    /** Object name (as used in the schema's $defs) to its keys, for the schema consistency test. */
    public static Map<String, List<String>> all() {
        Map<String, List<String>> all = new LinkedHashMap<>();
        all.put("job", JOB);
        all.put("step", STEP);
        all.put("runAction", RUN);
        all.put("httpAction", HTTP);
        all.put("javaAction", JAVA);
        all.put("retry", RETRY);
        all.put("asset", ASSET);
        all.put("freshness", FRESHNESS);
        all.put("check", CHECK);
        all.put("param", PARAM);
        all.put("schedule", SCHEDULE);
        all.put("catchUp", CATCH_UP);
        all.put("trigger", TRIGGER);
        all.put("kafkaTrigger", KAFKA);
        all.put("concurrency", CONCURRENCY);
        all.put("webhook", WEBHOOK);
        all.put("partitions", PARTITIONS);
        all.put("partitionDimension", PARTITION_KINDS);
        all.put("timeWindow", TIME_WINDOW);
        all.put("dynamicPartitions", DYNAMIC_PARTITIONS);
        all.put("alert", ALERT);
        all.put("alertWebhook", ALERT_WEBHOOK);
        all.put("alertSlack", ALERT_SLACK);
        all.put("alertEmail", ALERT_EMAIL);
        all.put("subJobAction", SUB_JOB);
        all.put("cache", CACHE);
        return all;
    }
}
