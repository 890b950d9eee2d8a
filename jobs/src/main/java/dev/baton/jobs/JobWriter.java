package dev.baton.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.baton.events.AssetCheckSpec;
import dev.baton.events.AssetSpec;
import dev.baton.events.AssetTrigger;
import dev.baton.events.CatchUpPolicy;
import dev.baton.events.CheckSeverity;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.NoopAction;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.ParamSpec;
import dev.baton.events.ParamType;
import dev.baton.events.RetryPolicy;
import dev.baton.events.RunAction;
import dev.baton.events.ScheduleSpec;
import dev.baton.events.SleepAction;
import dev.baton.events.StepDefinition;
import dev.baton.events.TriggerSpec;
import dev.baton.events.ValueFormat;
import dev.baton.jobs.internal.JobDefaults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a definition back in the documented job file format, omitting defaults, so that parsing the output gives
 * an equal definition (apart from {@code source} and {@code registeredAt}, which are not part of the file).
 * Job-level {@code env} and {@code pool} were merged into the steps at parse time and are written per step.
 */
public final class JobWriter {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            // "123" stays a string for every YAML reader, not only for Baton's (which keeps scalars as written).
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JobWriter() {}

    public static String toYaml(JobDefinition definition) {
        try {
            return YAML.writeValueAsString(toTree(definition));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job as YAML", e);
        }
    }

    public static String toJson(JobDefinition definition) {
        try {
            return JSON.writeValueAsString(toTree(definition)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job as JSON", e);
        }
    }

    private static Map<String, Object> partitions(dev.baton.events.PartitionsSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (spec.getDimensions().size() == 1) {
            dev.baton.events.PartitionDimension d = spec.getDimensions().get(0);
            out.putAll(partitionKind(d.getKind()));
            return out;
        }
        Map<String, Object> dims = new LinkedHashMap<>();
        spec.getDimensions().forEach(d -> dims.put(d.getName(), partitionKind(d.getKind())));
        out.put("dimensions", dims);
        return out;
    }

    private static Map<String, Object> partitionKind(Object kind) {
        if (kind instanceof dev.baton.events.StaticPartitions s) {
            return Map.of("static", List.copyOf(s.getKeys()));
        }
        if (kind instanceof dev.baton.events.DynamicPartitions d) {
            return Map.of("dynamic", Map.of("name", d.getName()));
        }
        dev.baton.events.TimePartitions t = (dev.baton.events.TimePartitions) kind;
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("start", t.getStart());
        putIfNotNull(w, "end", t.getEnd());
        if (!JobDefaults.TIMEZONE.equals(t.getTimezone())) {
            w.put("timezone", t.getTimezone());
        }
        if (t.getOffsetMs() != 0) {
            w.put("offset", Durations.format(t.getOffsetMs()));
        }
        return Map.of(t.getGranularity().name().toLowerCase(java.util.Locale.ROOT), w);
    }

    /** The file as plain maps, lists and scalars, keys in documented order. */
    public static Map<String, Object> toTree(JobDefinition job) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", job.getName());
        putIfNotNull(out, "description", job.getDescription());
        if (!job.getParams().isEmpty()) {
            Map<String, Object> params = new LinkedHashMap<>();
            job.getParams().forEach((name, spec) -> params.put(name, param(spec)));
            out.put("params", params);
        }
        if (!job.getSchedules().isEmpty()) {
            out.put("schedules", job.getSchedules().stream().map(JobWriter::schedule).toList());
        }
        if (!job.getTriggers().isEmpty()) {
            out.put("triggers", job.getTriggers().stream().map(JobWriter::trigger).toList());
        }
        if (job.getConcurrency() != null && job.getConcurrency().getMaxRuns() != null) {
            out.put("concurrency", Map.of("maxRuns", job.getConcurrency().getMaxRuns()));
        }
        if (job.getPriority() != 0) {
            out.put("priority", job.getPriority());
        }
        if (job.getRunTimeoutMs() != null) {
            out.put("timeout", Durations.format(job.getRunTimeoutMs()));
        }
        if (job.getInfraRetries() != null) {
            out.put("infraRetries", job.getInfraRetries());
        }
        if (!job.getTags().isEmpty()) {
            out.put("tags", new LinkedHashMap<>(job.getTags()));
        }
        if (job.getWebhook() != null) {
            Map<String, Object> webhook = new LinkedHashMap<>();
            webhook.put("secret", job.getWebhook().getSecret());
            if (!JobDefaults.WEBHOOK_HEADER.equals(job.getWebhook().getHeader())) {
                webhook.put("header", job.getWebhook().getHeader());
            }
            out.put("webhook", webhook);
        }
        if (!job.getAlerts().isEmpty()) {
            out.put("alerts", job.getAlerts().stream().map(JobWriter::alert).toList());
        }
        if (job.getPartitions() != null) {
            out.put("partitions", partitions(job.getPartitions()));
        }
        out.put("steps", steps(job.getSteps()));
        if (!job.getOnFailure().isEmpty()) {
            out.put("onFailure", steps(job.getOnFailure()));
        }
        return out;
    }

    /** One alert rule as the job file (or the rules file) writes it. */
    public static Map<String, Object> alert(dev.baton.events.AlertRule rule) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", rule.getName());
        out.put("on", rule.getOn().stream().map(c -> c.name().toLowerCase(java.util.Locale.ROOT)).toList());
        List<Object> webhooks = new java.util.ArrayList<>();
        List<Object> slacks = new java.util.ArrayList<>();
        List<Object> emails = new java.util.ArrayList<>();
        for (dev.baton.events.AlertDestination d : rule.getDestinations()) {
            switch (d.getDestination()) {
                case dev.baton.events.AlertWebhook w -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("url", w.getUrl());
                    if (!w.getHeaders().isEmpty()) {
                        m.put("headers", new LinkedHashMap<>(w.getHeaders()));
                    }
                    webhooks.add(m);
                }
                case dev.baton.events.AlertSlack sl -> slacks.add(Map.of("url", sl.getUrl()));
                case dev.baton.events.AlertEmail e -> emails.add(Map.of("to", List.copyOf(e.getTo())));
                default -> throw new IllegalStateException("unknown alert destination " + d.getDestination());
            }
        }
        if (!webhooks.isEmpty()) {
            out.put("webhook", webhooks);
        }
        if (!slacks.isEmpty()) {
            out.put("slack", slacks);
        }
        if (!emails.isEmpty()) {
            out.put("email", emails);
        }
        if (rule.getSeverity() != dev.baton.events.AlertSeverity.WARNING) {
            out.put("severity", rule.getSeverity().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (rule.getEscalateAfter() > 0) {
            out.put("escalateAfter", rule.getEscalateAfter());
        }
        if (rule.getAfterMs() != null) {
            out.put("after", Durations.format(rule.getAfterMs()));
        }
        if (!rule.getJobs().isEmpty()) {
            out.put("jobs", List.copyOf(rule.getJobs()));
        }
        if (!rule.getPools().isEmpty()) {
            out.put("pools", List.copyOf(rule.getPools()));
        }
        return out;
    }

    private static Map<String, Object> param(ParamSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        putIfNotNull(out, "default", spec.getDefault$());
        if (spec.getRequired()) {
            out.put("required", true);
        }
        putIfNotNull(out, "description", spec.getDescription());
        if (spec.getType() != null && spec.getType() != ParamType.STRING) {
            out.put("type", spec.getType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (!spec.getValues().isEmpty()) {
            out.put("values", new ArrayList<>(spec.getValues()));
        }
        putIfNotNull(out, "pattern", spec.getPattern());
        putIfNotNull(out, "maxLength", spec.getMaxLength());
        return out;
    }

    private static List<Object> steps(List<StepDefinition> steps) {
        return steps.stream().map(JobWriter::step).map(m -> (Object) m).toList();
    }

    private static Map<String, Object> step(StepDefinition step) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", step.getKey());
        putIfNotNull(out, "description", step.getDescription());
        if (!step.getNeeds().isEmpty()) {
            out.put("needs", new ArrayList<>(step.getNeeds()));
        }
        action(step.getAction(), out);
        if (!JobDefaults.POOL.equals(step.getPool())) {
            out.put("pool", step.getPool());
        }
        Map<String, Object> retry = retry(step.getRetry());
        if (!retry.isEmpty()) {
            out.put("retry", retry);
        }
        if (step.getTimeoutMs() != null) {
            out.put("timeout", Durations.format(step.getTimeoutMs()));
        }
        if (step.getHeartbeatTimeoutMs() != null) {
            out.put("heartbeatTimeout", Durations.format(step.getHeartbeatTimeoutMs()));
        }
        if (step.getInfraRetries() != null) {
            out.put("infraRetries", step.getInfraRetries());
        }
        if (!step.getProduces().isEmpty()) {
            out.put("produces", step.getProduces().stream().map(JobWriter::asset).toList());
        }
        if (step.getUnsafeVerbatimTemplates()) {
            out.put("unsafeVerbatimTemplates", true);
        }
        if (step.getCache() != null) {
            Map<String, Object> cache = new LinkedHashMap<>();
            cache.put("key", step.getCache().getKey());
            cache.put("ttl", Durations.format(step.getCache().getTtlMs()));
            out.put("cache", cache);
        }
        if (step.getForEach() != null) {
            out.put("forEach", step.getForEach());
        }
        if (step.getMaxParallel() != null) {
            out.put("maxParallel", step.getMaxParallel());
        }
        if (step.getWhen() != null) {
            out.put("when", step.getWhen());
        }
        if (step.getRunIf() != null && step.getRunIf() != dev.baton.events.StepRunIf.ALL_SUCCEEDED) {
            out.put("runIf", dev.baton.jobs.internal.DynamicReader.spelling(step.getRunIf()));
        }
        return out;
    }

    private static void action(Object action, Map<String, Object> out) {
        switch (action) {
            case NoopAction n -> out.put("noop", Map.of());
            case SleepAction s -> out.put("sleep", Durations.format(s.getDurationMs()));
            case RunAction r -> {
                if (JobDefaults.SHELL.equals(r.getShell()) && r.getWorkingDir() == null) {
                    out.put("run", r.getScript());
                    if (!r.getEnv().isEmpty()) {
                        out.put("env", new LinkedHashMap<>(r.getEnv()));
                    }
                } else {
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("script", r.getScript());
                    if (!JobDefaults.SHELL.equals(r.getShell())) {
                        run.put("shell", r.getShell());
                    }
                    if (!r.getEnv().isEmpty()) {
                        run.put("env", new LinkedHashMap<>(r.getEnv()));
                    }
                    putIfNotNull(run, "workingDir", r.getWorkingDir());
                    out.put("run", run);
                }
            }
            case HttpAction h -> {
                Map<String, Object> http = new LinkedHashMap<>();
                if (!JobDefaults.HTTP_METHOD.equals(h.getMethod())) {
                    http.put("method", h.getMethod());
                }
                http.put("url", h.getUrl());
                if (!h.getHeaders().isEmpty()) {
                    http.put("headers", new LinkedHashMap<>(h.getHeaders()));
                }
                putIfNotNull(http, "body", h.getBody());
                if (!h.getExpectStatus().isEmpty()) {
                    http.put("expectStatus", new ArrayList<>(h.getExpectStatus()));
                }
                if (!h.getOutputs().isEmpty()) {
                    http.put("outputs", new LinkedHashMap<>(h.getOutputs()));
                }
                out.put("http", http);
            }
            case JavaAction j -> {
                Map<String, Object> java = new LinkedHashMap<>();
                java.put("handler", j.getHandler());
                if (!j.getConfig().isEmpty()) {
                    java.put("config", new LinkedHashMap<>(j.getConfig()));
                }
                out.put("java", java);
            }
            case dev.baton.events.SubJobAction j -> {
                Map<String, Object> job = new LinkedHashMap<>();
                job.put("name", j.getJob());
                if (!j.getParams().isEmpty()) {
                    job.put("params", new LinkedHashMap<>(j.getParams()));
                }
                out.put("job", job);
            }
            default -> throw new IllegalArgumentException("unknown action type " + action.getClass().getName());
        }
    }

    private static Map<String, Object> retry(RetryPolicy retry) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (retry == null) {
            return out;
        }
        if (retry.getMaxAttempts() != JobDefaults.MAX_ATTEMPTS) {
            out.put("maxAttempts", retry.getMaxAttempts());
        }
        if (retry.getInitialBackoffMs() != JobDefaults.BACKOFF_MS) {
            out.put("backoff", Durations.format(retry.getInitialBackoffMs()));
        }
        if (retry.getMultiplier() != JobDefaults.MULTIPLIER) {
            out.put("multiplier", retry.getMultiplier());
        }
        // The parser raises an unset maxBackoff to the initial backoff; only write it when it says more.
        if (retry.getMaxBackoffMs() != Math.max(JobDefaults.MAX_BACKOFF_MS, retry.getInitialBackoffMs())) {
            out.put("maxBackoff", Durations.format(retry.getMaxBackoffMs()));
        }
        if (retry.getJitter() != JobDefaults.JITTER) {
            out.put("jitter", retry.getJitter());
        }
        return out;
    }

    private static Object asset(AssetSpec asset) {
        if (asset.getDeps().isEmpty() && asset.getGroup() == null && asset.getOwners().isEmpty()
                && asset.getDescription() == null && asset.getFreshnessMaxLagMs() == null && asset.getChecks().isEmpty()) {
            return asset.getKey();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", asset.getKey());
        if (!asset.getDeps().isEmpty()) {
            out.put("deps", new ArrayList<>(asset.getDeps()));
        }
        putIfNotNull(out, "group", asset.getGroup());
        if (!asset.getOwners().isEmpty()) {
            out.put("owners", new ArrayList<>(asset.getOwners()));
        }
        putIfNotNull(out, "description", asset.getDescription());
        if (asset.getFreshnessMaxLagMs() != null) {
            out.put("freshness", Map.of("maxLag", Durations.format(asset.getFreshnessMaxLagMs())));
        }
        if (!asset.getChecks().isEmpty()) {
            List<Object> checks = new ArrayList<>();
            for (AssetCheckSpec check : asset.getChecks()) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("name", check.getName());
                c.put("expr", check.getExpression());
                if (check.getSeverity() != CheckSeverity.ERROR) {
                    c.put("severity", check.getSeverity().name());
                }
                checks.add(c);
            }
            out.put("checks", checks);
        }
        return out;
    }

    private static Object schedule(ScheduleSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.getName());
        putIfNotNull(out, "cron", s.getCron());
        if (s.getIntervalMs() != null) {
            out.put("every", Durations.format(s.getIntervalMs()));
        }
        if (!JobDefaults.TIMEZONE.equals(s.getTimezone())) {
            out.put("timezone", s.getTimezone());
        }
        if (s.getStartAt() != null) {
            out.put("start", s.getStartAt().toString());
        }
        if (s.getEndAt() != null) {
            out.put("end", s.getEndAt().toString());
        }
        if (s.getCatchUp() != CatchUpPolicy.LATEST || s.getCatchUpWindowMs() != JobDefaults.CATCH_UP_WINDOW_MS) {
            Map<String, Object> catchUp = new LinkedHashMap<>();
            catchUp.put("policy", s.getCatchUp().name());
            if (s.getCatchUpWindowMs() != JobDefaults.CATCH_UP_WINDOW_MS) {
                catchUp.put("window", Durations.format(s.getCatchUpWindowMs()));
            }
            out.put("catchUp", catchUp);
        }
        if (s.getOverlap() != OverlapPolicy.ALLOW) {
            out.put("overlap", s.getOverlap().name());
        }
        if (!s.getParams().isEmpty()) {
            out.put("params", new LinkedHashMap<>(s.getParams()));
        }
        if (s.getPaused()) {
            out.put("paused", true);
        }
        return out;
    }

    private static Object trigger(TriggerSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (spec.getTrigger()) {
            case KafkaTrigger k -> {
                Map<String, Object> kafka = new LinkedHashMap<>();
                kafka.put("name", k.getName());
                kafka.put("topic", k.getTopic());
                putIfNotNull(kafka, "filter", k.getFilter());
                if (!k.getParams().isEmpty()) {
                    kafka.put("params", new LinkedHashMap<>(k.getParams()));
                }
                putIfNotNull(kafka, "runKey", k.getRunKey());
                if (k.getFormat() != ValueFormat.JSON) {
                    kafka.put("format", k.getFormat().name());
                }
                out.put("kafka", kafka);
            }
            case AssetTrigger a -> {
                out.put("name", a.getName());
                out.put("assets", new ArrayList<>(a.getAssets()));
            }
            default -> throw new IllegalArgumentException("unknown trigger type " + spec.getTrigger().getClass().getName());
        }
        return out;
    }

    private static void putIfNotNull(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value);
        }
    }
}
