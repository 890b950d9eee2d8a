package dev.baton.jobs.internal;

import dev.baton.events.ConcurrencySpec;
import dev.baton.events.JobDefinition;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.Scope;
import dev.baton.jobs.internal.ParsedJob.StepDraft;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a job document, checks each value where it stands and converts it to the Avro model. Each section has its
 * own reader (steps and actions, retry and timeouts, assets, schedules, triggers, params, env, webhook); this one reads the
 * document level and hands each section to its reader, in document order. Everything that needs the whole job
 * (needs, cycles, templates, assets) is left to {@link JobChecks}.
 */
public final class JobReader extends ValueReader {
    private final ParamReader params;
    private final EnvReader env;
    private final StepReader steps;
    private final RetryReader retry;
    private final ScheduleReader schedules;
    private final TriggerReader triggers;
    private final WebhookReader webhook;
    private final PartitionReader partitions;
    private final AlertsReader alerts;

    public JobReader(Problems problems) {
        super(problems, new ParsedJob());
        params = new ParamReader(problems, parsed);
        env = new EnvReader(problems, parsed);
        retry = new RetryReader(problems, parsed);
        AssetReader assets = new AssetReader(problems, parsed);
        steps = new StepReader(problems, parsed, env, new ActionReader(problems, parsed, env), retry, assets);
        schedules = new ScheduleReader(problems, parsed, params);
        triggers = new TriggerReader(problems, parsed, params, assets);
        webhook = new WebhookReader(problems, parsed);
        partitions = new PartitionReader(problems, parsed);
        alerts = new AlertsReader(problems, parsed, false);
    }

    /** Reads the root node; the returned job's builder has every field set but {@code source} and {@code registeredAt}. */
    public ParsedJob read(Node root) {
        JobDefinition.Builder job = JobDefinition.newBuilder()
                .setName("")
                .setVersion(1)
                .setDescription(null)
                .setParams(new LinkedHashMap<>())
                .setSteps(new ArrayList<>())
                .setOnFailure(new ArrayList<>())
                .setSchedules(new ArrayList<>())
                .setTriggers(new ArrayList<>())
                .setTags(new LinkedHashMap<>())
                .setConcurrency(ConcurrencySpec.newBuilder().setMaxRuns(null).build())
                .setPriority(0)
                .setRunTimeoutMs(null)
                .setSource(null)
                .setWebhook(null)
                .setAlerts(new ArrayList<>())
                .setPartitions(null)
                .setInfraRetries(null);
        parsed.job = job;
        MapNode m = object(root, Paths.ROOT, "an object with name and steps");
        if (m == null) {
            return parsed;
        }
        keys(m, Paths.ROOT, Keys.JOB);

        String name = requiredString(m, "name", Paths.ROOT);
        if (name != null) {
            checkPattern(name, Names.KEY, "name", "job name",
                    "lower-case letters, digits, '_' and '-', not starting with '-', at most 100 characters");
            job.setName(name);
        }
        job.setDescription(string(m.get("description"), "description"));
        parsed.partitions = partitions.read(m.get("partitions"), "partitions");
        job.setPartitions(parsed.partitions);
        params.read(m.get("params"), "params");
        job.setParams(new LinkedHashMap<>(parsed.params));

        Map<String, String> jobEnv = env.env(m.get("env"), "env", Scope.JOB_ENV, null);
        String jobPool = steps.pool(m.get("pool"), "pool", JobDefaults.POOL);

        if (!m.has("steps") || isNull(m.get("steps"))) {
            problems.add("steps", "is required (a job needs at least one step)");
        } else {
            List<Node> items = list(m.get("steps"), "steps");
            if (items != null && items.isEmpty()) {
                problems.add("steps", "a job needs at least one step");
            }
            steps.read(items, "steps", false, jobEnv, jobPool, parsed.steps);
        }
        steps.read(list(m.get("onFailure"), "onFailure"), "onFailure", true, jobEnv, jobPool, parsed.onFailure);
        job.setSteps(parsed.steps.stream().map(StepDraft::step).toList());
        job.setOnFailure(parsed.onFailure.stream().map(StepDraft::step).toList());

        job.setSchedules(schedules.read(m));
        job.setTriggers(triggers.read(m.get("triggers"), "triggers"));

        MapNode concurrency = object(m.get("concurrency"), "concurrency");
        if (concurrency != null) {
            keys(concurrency, "concurrency", Keys.CONCURRENCY);
            Integer maxRuns = integer(concurrency.get("maxRuns"), "concurrency.maxRuns");
            if (maxRuns != null && maxRuns < 1) {
                problems.add("concurrency.maxRuns", "must be at least 1 (got " + maxRuns + ")");
            }
            job.setConcurrency(ConcurrencySpec.newBuilder().setMaxRuns(maxRuns).build());
        }
        Integer priority = integer(m.get("priority"), "priority");
        job.setPriority(priority == null ? 0 : priority);
        job.setRunTimeoutMs(retry.timeout(m.get("timeout"), "timeout"));
        job.setInfraRetries(retry.infraRetries(m.get("infraRetries"), "infraRetries"));
        job.setTags(tags(m.get("tags"), "tags"));
        job.setWebhook(webhook.read(m.get("webhook"), "webhook"));
        job.setAlerts(alerts.read(m.get("alerts"), "alerts"));
        return parsed;
    }

    private Map<String, String> tags(Node node, String path) {
        Map<String, String> tags = new LinkedHashMap<>();
        MapNode m = object(node, path);
        if (m == null) {
            return tags;
        }
        m.entries().forEach((key, value) -> {
            String p = Paths.key(path, key);
            if (!Names.TAG.matcher(key).matches()) {
                problems.add(p, "'" + key + "' is not a valid tag key (letters, digits, '_', '.', ':', '/', '-',"
                        + " at most 100 characters)");
            }
            String v = value instanceof ScalarNode s && s.isNull() ? "" : string(value, p);
            if (v != null) {
                if (v.length() > Names.TAG_VALUE_MAX) {
                    problems.add(p, "tag values are at most " + Names.TAG_VALUE_MAX + " characters");
                }
                tags.put(key, v);
            }
        });
        return tags;
    }}
