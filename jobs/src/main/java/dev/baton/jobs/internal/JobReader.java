package dev.baton.jobs.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.events.AssetCheckSpec;
import dev.baton.events.AssetSpec;
import dev.baton.events.AssetTrigger;
import dev.baton.events.CatchUpPolicy;
import dev.baton.events.CheckSeverity;
import dev.baton.events.ConcurrencySpec;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.NoopAction;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.RunAction;
import dev.baton.events.ScheduleSpec;
import dev.baton.events.SleepAction;
import dev.baton.events.StepDefinition;
import dev.baton.events.TriggerSpec;
import dev.baton.events.ValueFormat;
import dev.baton.jobs.CronExpressions;
import dev.baton.jobs.Durations;
import dev.baton.jobs.JobExpressions;
import dev.baton.jobs.Templates;
import dev.baton.jobs.internal.Node.ListNode;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarKind;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.AssetDraft;
import dev.baton.jobs.internal.ParsedJob.ParamSource;
import dev.baton.jobs.internal.ParsedJob.ParamUse;
import dev.baton.jobs.internal.ParsedJob.Ref;
import dev.baton.jobs.internal.ParsedJob.Scope;
import dev.baton.jobs.internal.ParsedJob.StepDraft;
import dev.baton.jobs.internal.ParsedJob.TemplateSite;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Walks a job document, checks each value where it stands and converts it to the Avro model. Everything that
 * needs the whole job (needs, cycles, templates, assets) is left to {@link JobChecks}.
 */
public final class JobReader {
    public static final String DEFAULT_POOL = "default";
    public static final String DEFAULT_SHELL = "bash";
    public static final String DEFAULT_METHOD = "GET";
    public static final String DEFAULT_TIMEZONE = "UTC";
    public static final String DEFAULT_SCHEDULE_NAME = "default";
    public static final String DEFAULT_ASSET_TRIGGER_NAME = "assets";
    public static final int DEFAULT_MAX_ATTEMPTS = 1;
    public static final long DEFAULT_BACKOFF_MS = 1_000;
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final long DEFAULT_MAX_BACKOFF_MS = 300_000;
    public static final double DEFAULT_JITTER = 0.0;
    public static final long DEFAULT_CATCH_UP_WINDOW_MS = 86_400_000;
    public static final long MIN_INTERVAL_MS = 1_000;
    public static final Set<String> HTTP_METHODS = new LinkedHashSet<>(
            List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
    private static final Pattern HANDLER = Pattern.compile("[A-Za-z0-9_.$-]{1,200}");
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Problems problems;
    private final ParsedJob parsed = new ParsedJob();

    public JobReader(Problems problems) {
        this.problems = problems;
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
                .setSource(null);
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
        readParams(m.get("params"), "params");
        job.setParams(new LinkedHashMap<>(parsed.params));

        Map<String, String> jobEnv = env(m.get("env"), "env", Scope.JOB_ENV, null);
        String jobPool = pool(m.get("pool"), "pool", DEFAULT_POOL);

        if (!m.has("steps") || isNull(m.get("steps"))) {
            problems.add("steps", "is required (a job needs at least one step)");
        } else {
            List<Node> items = list(m.get("steps"), "steps");
            if (items != null && items.isEmpty()) {
                problems.add("steps", "a job needs at least one step");
            }
            readSteps(items, "steps", false, jobEnv, jobPool, parsed.steps);
        }
        readSteps(list(m.get("onFailure"), "onFailure"), "onFailure", true, jobEnv, jobPool, parsed.onFailure);
        job.setSteps(parsed.steps.stream().map(StepDraft::step).toList());
        job.setOnFailure(parsed.onFailure.stream().map(StepDraft::step).toList());

        job.setSchedules(readSchedules(m));
        job.setTriggers(readTriggers(m.get("triggers"), "triggers"));

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
        job.setRunTimeoutMs(duration(m.get("timeout"), "timeout", false));
        job.setTags(tags(m.get("tags"), "tags"));
        return parsed;
    }

    // ---------------------------------------------------------------- params

    private void readParams(Node node, String path) {
        MapNode m = object(node, path);
        if (m == null) {
            return;
        }
        m.entries().forEach((name, value) -> {
            String p = Paths.key(path, name);
            checkPattern(name, Names.IDENTIFIER, p, "parameter name",
                    "letters, digits and '_', not starting with a digit, at most 100 characters");
            ParamSpec.Builder spec = ParamSpec.newBuilder().setDefault$(null).setRequired(false).setDescription(null);
            if (value instanceof ScalarNode s) {
                if (!s.isNull()) {
                    spec.setDefault$(s.text());
                }
            } else if (value instanceof MapNode pm) {
                keys(pm, p, Keys.PARAM);
                Node def = pm.get("default");
                if (def != null && !(def instanceof ScalarNode)) {
                    problems.add(Paths.key(p, "default"), "expected a string, got " + def.kind());
                } else if (def != null && !((ScalarNode) def).isNull()) {
                    spec.setDefault$(((ScalarNode) def).text());
                }
                Boolean required = bool(pm.get("required"), Paths.key(p, "required"));
                spec.setRequired(Boolean.TRUE.equals(required));
                if (Boolean.TRUE.equals(required) && spec.getDefault$() != null) {
                    problems.add(Paths.key(p, "required"),
                            "a required parameter cannot have a default (callers must always pass it); drop one of them");
                }
                spec.setDescription(string(pm.get("description"), Paths.key(p, "description")));
            } else {
                problems.add(p, "expected an object {default, required, description} or a default value, got " + value.kind());
            }
            parsed.params.put(name, spec.build());
        });
    }

    // ---------------------------------------------------------------- steps

    private void readSteps(List<Node> items, String path, boolean onFailure, Map<String, String> jobEnv,
                           String jobPool, List<StepDraft> into) {
        if (items == null) {
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            StepDraft draft = readStep(items.get(i), Paths.index(path, i), onFailure, jobEnv, jobPool);
            if (draft != null) {
                into.add(draft);
            }
        }
    }

    private StepDraft readStep(Node node, String path, boolean onFailure, Map<String, String> jobEnv, String jobPool) {
        MapNode m = object(node, path);
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.STEP);
        String key = requiredString(m, "key", path);
        if (key != null) {
            checkPattern(key, Names.KEY, Paths.key(path, "key"), "step key",
                    "lower-case letters, digits, '_' and '-', not starting with '-', at most 100 characters");
        }
        String stepKey = key == null ? "" : key;
        List<Ref> needs = refs(m.get("needs"), Paths.key(path, "needs"), true);

        List<String> actions = Keys.ACTIONS.stream().filter(m::has).toList();
        Object action = new NoopAction();
        String kind = "noop";
        Set<String> outputs = null;
        Map<String, String> stepEnv = env(m.get("env"), Paths.key(path, "env"), Scope.STEP, stepKey);
        if (actions.isEmpty()) {
            problems.add(path, "a step needs exactly one action: run, http, java, noop or sleep");
        } else if (actions.size() > 1) {
            problems.add(path, "a step has exactly one action, found " + String.join(" and ", actions) + "; choose one");
        } else {
            kind = actions.get(0);
            String ap = Paths.key(path, kind);
            Node an = m.get(kind);
            switch (kind) {
                case "run" -> action = run(an, ap, jobEnv, stepEnv, stepKey);
                case "http" -> {
                    action = http(an, ap, stepKey);
                    // Declared names count even when a pointer is invalid: that is reported where it stands.
                    outputs = an instanceof MapNode hm && hm.get("outputs") instanceof MapNode om
                            ? new TreeSet<>(om.entries().keySet()) : an instanceof MapNode || an instanceof ScalarNode
                            ? new TreeSet<>() : null;
                }
                case "java" -> action = java(an, ap, stepKey);
                case "noop" -> action = noop(an, ap);
                case "sleep" -> {
                    Long ms = duration(an, ap, false);
                    if (ms == null && (an == null || isNull(an))) {
                        problems.add(ap, "is required: a duration such as PT2S or 2s");
                    }
                    action = new SleepAction(ms == null ? 0L : ms);
                }
                default -> throw new IllegalStateException(kind);
            }
            if (action == null) {
                action = new NoopAction();
            }
            if (kind.equals("noop") || kind.equals("sleep")) {
                outputs = Set.of();
            }
        }
        if (m.has("env") && !kind.equals("run") && actions.size() == 1) {
            problems.add(Paths.key(path, "env"), "env applies to run steps only; this is a " + kind + " step");
        }

        String pool = pool(m.get("pool"), Paths.key(path, "pool"), jobPool);
        RetryPolicy retry = retry(m.get("retry"), Paths.key(path, "retry"));
        Long timeout = duration(m.get("timeout"), Paths.key(path, "timeout"), false);
        Long heartbeat = duration(m.get("heartbeatTimeout"), Paths.key(path, "heartbeatTimeout"), false);

        List<AssetDraft> assetDrafts = new ArrayList<>();
        List<AssetSpec> produces = produces(m.get("produces"), Paths.key(path, "produces"), assetDrafts);
        if (onFailure && !produces.isEmpty()) {
            problems.add(Paths.key(path, "produces"), "onFailure steps cannot produce assets");
        }

        StepDefinition step = StepDefinition.newBuilder()
                .setKey(stepKey)
                .setAction(action)
                .setNeeds(needs.stream().map(Ref::value).toList())
                .setPool(pool)
                .setRetry(retry)
                .setTimeoutMs(timeout)
                .setHeartbeatTimeoutMs(heartbeat)
                .setProduces(produces)
                .setDescription(string(m.get("description"), Paths.key(path, "description")))
                .build();
        return new StepDraft(stepKey, path, onFailure, needs, kind, outputs, assetDrafts, step);
    }

    private RunAction run(Node node, String path, Map<String, String> jobEnv, Map<String, String> stepEnv, String step) {
        String script;
        String scriptPath;
        String shell = DEFAULT_SHELL;
        String workingDir = null;
        Map<String, String> env = new LinkedHashMap<>(jobEnv);
        env.putAll(stepEnv);
        if (node instanceof ScalarNode s && !s.isNull()) {
            script = s.text();
            scriptPath = path;
        } else if (node instanceof MapNode m) {
            keys(m, path, Keys.RUN);
            scriptPath = Paths.key(path, "script");
            script = requiredString(m, "script", path);
            String sh = string(m.get("shell"), Paths.key(path, "shell"));
            if (sh != null) {
                if (sh.isBlank()) {
                    problems.add(Paths.key(path, "shell"), "must not be empty");
                } else {
                    shell = sh;
                }
            }
            env.putAll(env(m.get("env"), Paths.key(path, "env"), Scope.STEP, step));
            workingDir = string(m.get("workingDir"), Paths.key(path, "workingDir"));
            if (workingDir != null) {
                if (workingDir.isBlank()) {
                    problems.add(Paths.key(path, "workingDir"), "must not be empty");
                }
                site(Paths.key(path, "workingDir"), workingDir, Scope.STEP, step, null);
            }
        } else {
            problems.add(path, "expected a script (string) or an object {script, shell, env, workingDir}, got " + kindOf(node));
            return null;
        }
        if (script != null && script.isBlank()) {
            problems.add(scriptPath, "the script is empty");
        }
        site(scriptPath, script, Scope.STEP, step, null);
        return RunAction.newBuilder()
                .setScript(script == null ? "" : script)
                .setShell(shell)
                .setEnv(env)
                .setWorkingDir(workingDir)
                .build();
    }

    private HttpAction http(Node node, String path, String step) {
        String method = DEFAULT_METHOD;
        String url;
        String urlPath;
        Map<String, String> headers = new LinkedHashMap<>();
        String body = null;
        List<Integer> expect = new ArrayList<>();
        Map<String, String> outputs = new LinkedHashMap<>();
        if (node instanceof ScalarNode s && !s.isNull()) {
            url = s.text();
            urlPath = path;
        } else if (node instanceof MapNode m) {
            keys(m, path, Keys.HTTP);
            String mt = string(m.get("method"), Paths.key(path, "method"));
            if (mt != null) {
                String upper = mt.toUpperCase(Locale.ROOT);
                if (!HTTP_METHODS.contains(upper)) {
                    problems.add(Paths.key(path, "method"), "unknown HTTP method '" + mt + "'; expected one of "
                            + String.join(", ", HTTP_METHODS));
                } else {
                    method = upper;
                }
            }
            urlPath = Paths.key(path, "url");
            url = requiredString(m, "url", path);
            MapNode hm = object(m.get("headers"), Paths.key(path, "headers"));
            if (hm != null) {
                hm.entries().forEach((name, value) -> {
                    String hp = Paths.key(Paths.key(path, "headers"), name);
                    if (!Names.HEADER.matcher(name).matches()) {
                        problems.add(hp, "'" + name + "' is not a valid HTTP header name");
                    }
                    String v = string(value, hp);
                    if (v != null) {
                        headers.put(name, v);
                        site(hp, v, Scope.STEP, step, null);
                    }
                });
            }
            Node bn = m.get("body");
            String bp = Paths.key(path, "body");
            if (bn instanceof MapNode || bn instanceof ListNode) {
                body = toJson(bn);
            } else {
                body = string(bn, bp);
            }
            site(bp, body, Scope.STEP, step, null);
            Node en = m.get("expectStatus");
            String ep = Paths.key(path, "expectStatus");
            if (en instanceof ListNode l) {
                for (int i = 0; i < l.items().size(); i++) {
                    Integer code = status(l.items().get(i), Paths.index(ep, i));
                    if (code != null) {
                        expect.add(code);
                    }
                }
            } else if (en != null && !isNull(en)) {
                Integer code = status(en, ep);
                if (code != null) {
                    expect.add(code);
                }
            }
            MapNode om = object(m.get("outputs"), Paths.key(path, "outputs"));
            if (om != null) {
                om.entries().forEach((name, value) -> {
                    String op = Paths.key(Paths.key(path, "outputs"), name);
                    checkPattern(name, Names.IDENTIFIER, op, "output name",
                            "letters, digits and '_', not starting with a digit");
                    String pointer = string(value, op);
                    if (pointer == null) {
                        problems.add(op, "expected a JSON pointer such as /data/id");
                        return;
                    }
                    try {
                        if (!pointer.isEmpty() && !pointer.startsWith("/")) {
                            throw new IllegalArgumentException("must start with '/'");
                        }
                        JsonPointer.compile(pointer);
                        outputs.put(name, pointer);
                    } catch (IllegalArgumentException e) {
                        problems.add(op, "'" + pointer + "' is not a JSON pointer (e.g. /data/id, or \"\" for the"
                                + " whole body): " + e.getMessage());
                    }
                });
            }
        } else {
            problems.add(path, "expected an object {method, url, headers, body, expectStatus, outputs} or a URL, got "
                    + kindOf(node));
            return null;
        }
        if (url != null) {
            site(urlPath, url, Scope.STEP, step, null);
            checkUrl(url, urlPath);
        }
        return HttpAction.newBuilder()
                .setMethod(method)
                .setUrl(url == null ? "" : url)
                .setHeaders(headers)
                .setBody(body)
                .setExpectStatus(expect)
                .setOutputs(outputs)
                .build();
    }

    private void checkUrl(String url, String path) {
        if (url.strip().startsWith("${{")) {
            return; // the scheme and host come from a template; checked at dispatch
        }
        String probe = url.replaceAll("\\$\\{\\{[^}]*}}", "x");
        try {
            URI uri = new URI(probe);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                problems.add(path, "'" + url + "' is not an http:// or https:// URL");
            } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                problems.add(path, "'" + url + "' has no host");
            }
        } catch (URISyntaxException e) {
            problems.add(path, "'" + url + "' is not a valid URL: " + e.getReason());
        }
    }

    private Integer status(Node node, String path) {
        Integer code = integer(node, path);
        if (code != null && (code < 100 || code > 599)) {
            problems.add(path, "HTTP status " + code + " is outside 100..599");
            return null;
        }
        return code;
    }

    private JavaAction java(Node node, String path, String step) {
        String handler;
        String handlerPath;
        Map<String, String> config = new LinkedHashMap<>();
        if (node instanceof ScalarNode s && !s.isNull()) {
            handler = s.text();
            handlerPath = path;
        } else if (node instanceof MapNode m) {
            keys(m, path, Keys.JAVA);
            handlerPath = Paths.key(path, "handler");
            handler = requiredString(m, "handler", path);
            MapNode cm = object(m.get("config"), Paths.key(path, "config"));
            if (cm != null) {
                cm.entries().forEach((name, value) -> {
                    String cp = Paths.key(Paths.key(path, "config"), name);
                    String v = value instanceof ScalarNode s ? (s.isNull() ? null : s.text()) : toJson(value);
                    if (v == null) {
                        problems.add(cp, "expected a value, got nothing (null)");
                    } else {
                        config.put(name, v);
                        site(cp, v, Scope.STEP, step, null);
                    }
                });
            }
        } else {
            problems.add(path, "expected an object {handler, config} or a handler name, got " + kindOf(node));
            return null;
        }
        if (handler != null && !HANDLER.matcher(handler).matches()) {
            problems.add(handlerPath, "'" + handler + "' is not a handler name (a registered name or class name:"
                    + " letters, digits, '.', '_', '$', '-')");
        }
        return JavaAction.newBuilder().setHandler(handler == null ? "" : handler).setConfig(config).build();
    }

    private NoopAction noop(Node node, String path) {
        if (node == null || node instanceof MapNode m && m.entries().isEmpty()
                || node instanceof ScalarNode s && (s.isNull() || s.scalarKind() == ScalarKind.TRUE)) {
            return new NoopAction();
        }
        if (node instanceof ScalarNode s && s.scalarKind() == ScalarKind.FALSE) {
            problems.add(path, "noop: false is not an action; write noop: true or choose another action");
        } else {
            problems.add(path, "expected {} or true, got " + node.kind());
        }
        return new NoopAction();
    }

    private RetryPolicy retry(Node node, String path) {
        RetryPolicy.Builder retry = RetryPolicy.newBuilder()
                .setMaxAttempts(DEFAULT_MAX_ATTEMPTS)
                .setInitialBackoffMs(DEFAULT_BACKOFF_MS)
                .setMultiplier(DEFAULT_MULTIPLIER)
                .setMaxBackoffMs(DEFAULT_MAX_BACKOFF_MS)
                .setJitter(DEFAULT_JITTER);
        if (node == null || isNull(node)) {
            return retry.build();
        }
        if (node instanceof ScalarNode s && s.scalarKind() == ScalarKind.INT) {
            Integer attempts = integer(node, path);
            if (attempts != null) {
                if (attempts < 1) {
                    problems.add(path, "maxAttempts must be at least 1 (got " + attempts + ")");
                } else {
                    retry.setMaxAttempts(attempts);
                }
            }
            return retry.build();
        }
        MapNode m = object(node, path, "an object {maxAttempts, backoff, multiplier, maxBackoff, jitter} or a number of attempts");
        if (m == null) {
            return retry.build();
        }
        keys(m, path, Keys.RETRY);
        Integer attempts = integer(m.get("maxAttempts"), Paths.key(path, "maxAttempts"));
        if (attempts != null) {
            if (attempts < 1) {
                problems.add(Paths.key(path, "maxAttempts"), "must be at least 1 (got " + attempts + ")");
            } else {
                retry.setMaxAttempts(attempts);
            }
        }
        Long backoff = duration(m.get("backoff"), Paths.key(path, "backoff"), true);
        if (backoff != null) {
            retry.setInitialBackoffMs(backoff);
        }
        Double multiplier = number(m.get("multiplier"), Paths.key(path, "multiplier"));
        if (multiplier != null) {
            if (multiplier < 1.0 || multiplier.isInfinite() || multiplier.isNaN()) {
                problems.add(Paths.key(path, "multiplier"), "must be at least 1.0 (got " + multiplier + ")");
            } else {
                retry.setMultiplier(multiplier);
            }
        }
        Long maxBackoff = duration(m.get("maxBackoff"), Paths.key(path, "maxBackoff"), false);
        if (maxBackoff != null) {
            retry.setMaxBackoffMs(maxBackoff);
            if (backoff != null && maxBackoff < backoff) {
                problems.add(Paths.key(path, "maxBackoff"), "must not be less than backoff ("
                        + Durations.format(maxBackoff) + " < " + Durations.format(backoff) + ")");
            }
        } else {
            // An initial backoff above the default cap raises the cap instead of being cut down silently.
            retry.setMaxBackoffMs(Math.max(DEFAULT_MAX_BACKOFF_MS, retry.getInitialBackoffMs()));
        }
        Double jitter = number(m.get("jitter"), Paths.key(path, "jitter"));
        if (jitter != null) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                problems.add(Paths.key(path, "jitter"), "must be between 0 and 1 (got " + jitter + ")");
            } else {
                retry.setJitter(jitter);
            }
        }
        return retry.build();
    }

    // ---------------------------------------------------------------- assets

    private List<AssetSpec> produces(Node node, String path, List<AssetDraft> drafts) {
        List<AssetSpec> specs = new ArrayList<>();
        List<Node> items;
        if (node instanceof ScalarNode s && !s.isNull()) {
            items = List.of(node); // produces: raw_orders
        } else {
            items = list(node, path);
        }
        if (items == null) {
            return specs;
        }
        for (int i = 0; i < items.size(); i++) {
            String p = node instanceof ListNode ? Paths.index(path, i) : path;
            AssetSpec spec = asset(items.get(i), p, drafts);
            if (spec != null) {
                specs.add(spec);
            }
        }
        return specs;
    }

    private AssetSpec asset(Node node, String path, List<AssetDraft> drafts) {
        AssetSpec.Builder spec = AssetSpec.newBuilder()
                .setDeps(new ArrayList<>())
                .setGroup(null)
                .setOwners(new ArrayList<>())
                .setDescription(null)
                .setFreshnessMaxLagMs(null)
                .setChecks(new ArrayList<>());
        String key;
        String keyPath;
        List<Ref> deps = List.of();
        if (node instanceof ScalarNode s && !s.isNull()) {
            key = s.text();
            keyPath = path;
        } else if (node instanceof MapNode m) {
            keys(m, path, Keys.ASSET);
            keyPath = Paths.key(path, "key");
            key = requiredString(m, "key", path);
            deps = refs(m.get("deps"), Paths.key(path, "deps"), true);
            for (Ref dep : deps) {
                assetKey(dep.value(), dep.path());
            }
            spec.setDeps(deps.stream().map(Ref::value).toList());
            spec.setGroup(string(m.get("group"), Paths.key(path, "group")));
            spec.setOwners(refs(m.get("owners"), Paths.key(path, "owners"), true).stream().map(Ref::value).toList());
            spec.setDescription(string(m.get("description"), Paths.key(path, "description")));
            MapNode fm = object(m.get("freshness"), Paths.key(path, "freshness"));
            if (fm != null) {
                keys(fm, Paths.key(path, "freshness"), Keys.FRESHNESS);
                Long lag = duration(fm.get("maxLag"), Paths.key(Paths.key(path, "freshness"), "maxLag"), false);
                if (lag == null && !fm.has("maxLag")) {
                    problems.add(Paths.key(Paths.key(path, "freshness"), "maxLag"), "is required");
                }
                spec.setFreshnessMaxLagMs(lag);
            }
            spec.setChecks(checks(m.get("checks"), Paths.key(path, "checks")));
        } else {
            problems.add(path, "expected an asset key or an object {key, deps, group, owners, description,"
                    + " freshness, checks}, got " + kindOf(node));
            return null;
        }
        if (key == null) {
            return null;
        }
        assetKey(key, keyPath);
        drafts.add(new AssetDraft(key, keyPath, deps));
        return spec.setKey(key).build();
    }

    private void assetKey(String key, String path) {
        if (!Names.ASSET_KEY.matcher(key).matches() || key.length() > Names.ASSET_KEY_MAX) {
            problems.add(path, "'" + key + "' is not a valid asset key ('/'-separated segments of letters, digits,"
                    + " '_', '.', '-', each not starting with '.' or '-', at most " + Names.ASSET_KEY_MAX + " characters)");
        }
    }

    private List<AssetCheckSpec> checks(Node node, String path) {
        List<AssetCheckSpec> checks = new ArrayList<>();
        List<Node> items = list(node, path);
        if (items == null) {
            return checks;
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            MapNode m = object(items.get(i), p);
            if (m == null) {
                continue;
            }
            keys(m, p, Keys.CHECK);
            String name = requiredString(m, "name", p);
            if (name != null) {
                checkPattern(name, Names.NAME, Paths.key(p, "name"), "check name",
                        "letters, digits, '_', '.', '-', at most 100 characters");
                String first = seen.putIfAbsent(name, p);
                if (first != null) {
                    problems.add(Paths.key(p, "name"), "duplicate check name '" + name + "' (also at " + first + ")");
                }
            }
            String expr = requiredString(m, "expr", p);
            if (expr != null) {
                try {
                    JobExpressions.compileCheck(expr);
                } catch (IllegalArgumentException e) {
                    problems.add(Paths.key(p, "expr"), e.getMessage());
                }
            }
            CheckSeverity severity = enumValue(m.get("severity"), Paths.key(p, "severity"), CheckSeverity.class,
                    CheckSeverity.ERROR);
            checks.add(AssetCheckSpec.newBuilder()
                    .setName(name == null ? "" : name)
                    .setExpression(expr == null ? "" : expr)
                    .setSeverity(severity)
                    .build());
        }
        return checks;
    }

    // ---------------------------------------------------------------- schedules

    private List<ScheduleSpec> readSchedules(MapNode job) {
        List<ScheduleSpec> schedules = new ArrayList<>();
        Node single = job.get("schedule");
        Node many = job.get("schedules");
        if (single != null && !isNull(single) && many != null && !isNull(many)) {
            problems.add("schedule", "use either schedule or schedules, not both");
        }
        if (single != null && !isNull(single)) {
            ScheduleSpec spec = schedule(single, "schedule");
            if (spec != null) {
                schedules.add(spec);
            }
        }
        List<Node> items = list(many, "schedules");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                ScheduleSpec spec = schedule(items.get(i), Paths.index("schedules", i));
                if (spec != null) {
                    schedules.add(spec);
                }
            }
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < schedules.size(); i++) {
            String p = single != null && !isNull(single) ? (i == 0 ? "schedule" : Paths.index("schedules", i - 1))
                    : Paths.index("schedules", i);
            String first = seen.putIfAbsent(schedules.get(i).getName(), p);
            if (first != null) {
                problems.add(Paths.key(p, "name"), "duplicate schedule name '" + schedules.get(i).getName()
                        + "' (also at " + first + "); give each schedule its own name");
            }
        }
        return schedules;
    }

    private ScheduleSpec schedule(Node node, String path) {
        ScheduleSpec.Builder spec = ScheduleSpec.newBuilder()
                .setName(DEFAULT_SCHEDULE_NAME)
                .setCron(null)
                .setIntervalMs(null)
                .setTimezone(DEFAULT_TIMEZONE)
                .setStartAt(null)
                .setEndAt(null)
                .setCatchUp(CatchUpPolicy.LATEST)
                .setCatchUpWindowMs(DEFAULT_CATCH_UP_WINDOW_MS)
                .setOverlap(OverlapPolicy.ALLOW)
                .setParams(new LinkedHashMap<>())
                .setPaused(false);
        if (node instanceof ScalarNode s && !s.isNull()) {
            cron(s.text(), path); // schedule: "30 2 * * *"
            parsed.paramSources.add(new ParamSource(path, "schedule '" + DEFAULT_SCHEDULE_NAME + "'", List.of(), true));
            return spec.setCron(s.text().strip()).build();
        }
        MapNode m = object(node, path, "an object {name, cron | every, timezone, ...} or a cron expression");
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.SCHEDULE);
        String name = string(m.get("name"), Paths.key(path, "name"));
        if (name != null) {
            checkPattern(name, Names.NAME, Paths.key(path, "name"), "schedule name",
                    "letters, digits, '_', '.', '-', at most 100 characters");
            spec.setName(name);
        }
        String cron = string(m.get("cron"), Paths.key(path, "cron"));
        Long every = duration(m.get("every"), Paths.key(path, "every"), false);
        boolean hasCron = m.has("cron") && !isNull(m.get("cron"));
        boolean hasEvery = m.has("every") && !isNull(m.get("every"));
        if (hasCron && hasEvery) {
            problems.add(path, "a schedule has either cron or every, not both");
        } else if (!hasCron && !hasEvery) {
            problems.add(path, "a schedule needs cron or every");
        }
        if (cron != null) {
            cron(cron, Paths.key(path, "cron"));
            spec.setCron(cron.strip());
        }
        if (every != null) {
            if (every < MIN_INTERVAL_MS) {
                problems.add(Paths.key(path, "every"), "must be at least 1s (got " + Durations.format(every) + ")");
            }
            spec.setIntervalMs(every);
        }
        ZoneId zone = ZoneOffset.UTC;
        String tz = string(m.get("timezone"), Paths.key(path, "timezone"));
        if (tz != null) {
            if (ZONES.contains(tz)) {
                zone = ZoneId.of(tz);
                spec.setTimezone(tz);
            } else {
                problems.add(Paths.key(path, "timezone"), "'" + tz + "' is not an IANA time zone (e.g. Europe/Berlin, UTC)"
                        + Suggest.hint(tz, ZONES));
            }
        }
        Instant start = instant(m.get("start"), Paths.key(path, "start"), zone);
        Instant end = instant(m.get("end"), Paths.key(path, "end"), zone);
        spec.setStartAt(start).setEndAt(end);
        if (start != null && end != null && !start.isBefore(end)) {
            problems.add(Paths.key(path, "end"), "must be after start (" + start + ")");
        }
        Node cu = m.get("catchUp");
        String cp = Paths.key(path, "catchUp");
        if (cu instanceof MapNode cm) {
            keys(cm, cp, Keys.CATCH_UP);
            spec.setCatchUp(enumValue(cm.get("policy"), Paths.key(cp, "policy"), CatchUpPolicy.class, CatchUpPolicy.LATEST));
            Long window = duration(cm.get("window"), Paths.key(cp, "window"), false);
            if (window != null) {
                spec.setCatchUpWindowMs(window);
            }
        } else if (cu != null) {
            spec.setCatchUp(enumValue(cu, cp, CatchUpPolicy.class, CatchUpPolicy.LATEST));
        }
        spec.setOverlap(enumValue(m.get("overlap"), Paths.key(path, "overlap"), OverlapPolicy.class, OverlapPolicy.ALLOW));
        spec.setParams(paramValues(m.get("params"), Paths.key(path, "params"), Scope.SCHEDULE, null,
                "schedule '" + spec.getName() + "'"));
        Boolean paused = bool(m.get("paused"), Paths.key(path, "paused"));
        spec.setPaused(Boolean.TRUE.equals(paused));
        return spec.build();
    }

    private void cron(String expression, String path) {
        try {
            CronExpressions.parse(expression);
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
        }
    }

    private Instant instant(Node node, String path, ZoneId zone) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        String s = text.strip();
        try {
            return OffsetDateTime.parse(s).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        } catch (DateTimeParseException ignored) {
            // fall through to the zone-local forms
        }
        try {
            return LocalDateTime.parse(s).atZone(zone).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        } catch (DateTimeParseException ignored) {
            // fall through
        }
        try {
            return LocalDate.parse(s).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(path, "'" + s + "' is not a date or time; use 2026-01-01, 2026-01-01T02:00 (in the schedule's"
                    + " time zone) or 2026-01-01T02:00:00Z");
            return null;
        }
    }

    /** Params set by a schedule or trigger: values may use templates of the given scope. */
    private Map<String, String> paramValues(Node node, String path, Scope scope, ValueFormat format, String what) {
        Map<String, String> values = new LinkedHashMap<>();
        List<ParamUse> uses = new ArrayList<>();
        MapNode m = object(node, path);
        if (m != null) {
            m.entries().forEach((name, value) -> {
                String p = Paths.key(path, name);
                uses.add(new ParamUse(name, p));
                String v = string(value, p);
                if (v == null) {
                    problems.add(p, "expected a value, got " + value.kind());
                } else {
                    values.put(name, v);
                    site(p, v, scope, null, format);
                }
            });
        }
        parsed.paramSources.add(new ParamSource(path, what, uses, true));
        return values;
    }

    // ---------------------------------------------------------------- triggers

    private List<TriggerSpec> readTriggers(Node node, String path) {
        List<TriggerSpec> triggers = new ArrayList<>();
        List<Node> items = list(node, path);
        if (items == null) {
            return triggers;
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            MapNode m = object(items.get(i), p, "an object {kafka: {...}} or {assets: [...]}");
            if (m == null) {
                continue;
            }
            keys(m, p, Keys.TRIGGER);
            boolean kafka = m.has("kafka");
            boolean assets = m.has("assets");
            Object trigger = null;
            String name = null;
            String namePath = null;
            if (kafka == assets) {
                problems.add(p, kafka ? "a trigger is either kafka or assets, not both" : "a trigger needs kafka or assets");
            } else if (kafka) {
                if (m.has("name")) {
                    problems.add(Paths.key(p, "name"), "put the name inside kafka: {name: ...}");
                }
                KafkaTrigger k = kafka(m.get("kafka"), Paths.key(p, "kafka"));
                if (k != null) {
                    trigger = k;
                    name = k.getName();
                    namePath = Paths.key(Paths.key(p, "kafka"), "name");
                }
            } else {
                name = string(m.get("name"), Paths.key(p, "name"));
                namePath = Paths.key(p, "name");
                if (name != null) {
                    checkPattern(name, Names.NAME, namePath, "trigger name",
                            "letters, digits, '_', '.', '-', at most 100 characters");
                } else {
                    name = DEFAULT_ASSET_TRIGGER_NAME;
                }
                String ap = Paths.key(p, "assets");
                List<Ref> keys = refs(m.get("assets"), ap, true);
                if (keys.isEmpty()) {
                    problems.add(ap, "list at least one asset key");
                }
                for (Ref key : keys) {
                    assetKey(key.value(), key.path());
                }
                parsed.assetTriggers.add(new ParsedJob.TriggerDraft(name, p, keys));
                parsed.paramSources.add(new ParamSource(p, "asset trigger '" + name + "'", List.of(), false));
                trigger = AssetTrigger.newBuilder().setName(name).setAssets(keys.stream().map(Ref::value).toList()).build();
            }
            if (trigger == null) {
                continue;
            }
            String first = seen.putIfAbsent(name, p);
            if (first != null) {
                problems.add(namePath, "duplicate trigger name '" + name + "' (also at " + first
                        + "); give each trigger its own name");
            }
            triggers.add(TriggerSpec.newBuilder().setTrigger(trigger).build());
        }
        return triggers;
    }

    private KafkaTrigger kafka(Node node, String path) {
        MapNode m = object(node, path, "an object {name, topic, filter, params, runKey, format}");
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.KAFKA);
        String topic = requiredString(m, "topic", path);
        if (topic != null && !Names.TOPIC.matcher(topic).matches()) {
            problems.add(Paths.key(path, "topic"), "'" + topic + "' is not a valid Kafka topic name (letters, digits,"
                    + " '.', '_', '-', at most 249 characters)");
        }
        String name = string(m.get("name"), Paths.key(path, "name"));
        if (name != null) {
            checkPattern(name, Names.NAME, Paths.key(path, "name"), "trigger name",
                    "letters, digits, '_', '.', '-', at most 100 characters");
        } else {
            name = topic == null ? "" : topic;
        }
        ValueFormat format = enumValue(m.get("format"), Paths.key(path, "format"), ValueFormat.class, ValueFormat.JSON);
        String filter = string(m.get("filter"), Paths.key(path, "filter"));
        if (filter != null) {
            try {
                JobExpressions.compileFilter(filter);
            } catch (IllegalArgumentException e) {
                problems.add(Paths.key(path, "filter"), e.getMessage());
            }
        }
        String runKey = string(m.get("runKey"), Paths.key(path, "runKey"));
        if (runKey != null) {
            if (runKey.isBlank()) {
                problems.add(Paths.key(path, "runKey"), "must not be empty");
            }
            site(Paths.key(path, "runKey"), runKey, Scope.TRIGGER, null, format);
        }
        Map<String, String> params = paramValues(m.get("params"), Paths.key(path, "params"), Scope.TRIGGER, format,
                "Kafka trigger '" + name + "'");
        return KafkaTrigger.newBuilder()
                .setName(name)
                .setTopic(topic == null ? "" : topic)
                .setFilter(filter)
                .setParams(params)
                .setRunKey(runKey)
                .setFormat(format)
                .build();
    }

    // ---------------------------------------------------------------- shared pieces

    private Map<String, String> env(Node node, String path, Scope scope, String step) {
        Map<String, String> env = new LinkedHashMap<>();
        MapNode m = object(node, path);
        if (m == null) {
            return env;
        }
        m.entries().forEach((name, value) -> {
            String p = Paths.key(path, name);
            checkPattern(name, Names.IDENTIFIER, p, "environment variable name",
                    "letters, digits and '_', not starting with a digit");
            String v = string(value, p);
            if (v == null) {
                problems.add(p, "expected a value, got " + value.kind());
            } else {
                env.put(name, v);
                site(p, v, scope, step, null);
            }
        });
        return env;
    }

    private String pool(Node node, String path, String fallback) {
        String pool = string(node, path);
        if (pool == null) {
            return fallback;
        }
        if (!Names.POOL.matcher(pool).matches()) {
            problems.add(path, "'" + pool + "' is not a valid pool name (it becomes the Kafka topic suffix"
                    + " baton.commands.<pool>: letters, digits, '.', '_', '-', at most 100 characters)");
            return fallback;
        }
        return pool;
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
    }

    private void site(String path, String text, Scope scope, String step, ValueFormat format) {
        if (text != null && Templates.containsTemplates(text)) {
            parsed.sites.add(new TemplateSite(path, text, scope, step, format));
        }
    }

    private void checkPattern(String value, Pattern pattern, String path, String what, String rule) {
        if (!pattern.matcher(value).matches()) {
            problems.add(path, "'" + value + "' is not a valid " + what + " (" + rule + ")");
        }
    }

    private void keys(MapNode m, String path, List<String> allowed) {
        for (String key : m.entries().keySet()) {
            if (!allowed.contains(key)) {
                String hint = Suggest.hint(key, allowed);
                problems.add(Paths.key(path, key), "unknown key '" + key + "'"
                        + (hint.isEmpty() ? "; expected one of " + String.join(", ", allowed) : hint));
            }
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.isNull();
    }

    private static String kindOf(Node node) {
        return node == null ? "nothing" : node.kind();
    }

    private MapNode object(Node node, String path) {
        return object(node, path, "an object");
    }

    private MapNode object(Node node, String path, String expected) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof MapNode m) {
            return m;
        }
        problems.add(path, "expected " + expected + ", got " + node.kind());
        return null;
    }

    private List<Node> list(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ListNode l) {
            return l.items();
        }
        problems.add(path, "expected a list, got " + node.kind());
        return null;
    }

    /** A list of strings; a single string is accepted as a one-element list when {@code scalarShorthand}. */
    private List<Ref> refs(Node node, String path, boolean scalarShorthand) {
        List<Ref> refs = new ArrayList<>();
        if (node == null || isNull(node)) {
            return refs;
        }
        if (scalarShorthand && node instanceof ScalarNode s) {
            refs.add(new Ref(s.text(), path));
            return refs;
        }
        List<Node> items = list(node, path);
        if (items == null) {
            return refs;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            String value = string(items.get(i), p);
            if (value == null) {
                if (isNull(items.get(i))) {
                    problems.add(p, "expected a string, got nothing (null)");
                }
                continue;
            }
            if (!seen.add(value)) {
                problems.add(p, "'" + value + "' is listed twice");
                continue;
            }
            refs.add(new Ref(value, p));
        }
        return refs;
    }

    /** A scalar as text; null (absent) for missing or null; a problem for objects and lists. */
    private String string(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s) {
            return s.text();
        }
        problems.add(path, "expected a string, got " + node.kind());
        return null;
    }

    private String requiredString(MapNode m, String key, String parent) {
        String path = Paths.key(parent, key);
        Node node = m.get(key);
        if (node == null || isNull(node)) {
            problems.add(path, "is required");
            return null;
        }
        String value = string(node, path);
        if (value != null && value.isBlank()) {
            problems.add(path, "must not be empty");
            return null;
        }
        return value;
    }

    private Integer integer(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s && s.scalarKind() == ScalarKind.INT) {
            try {
                BigInteger value = s.number() instanceof BigInteger b ? b
                        : s.number() != null ? BigInteger.valueOf(s.number().longValue()) : new BigInteger(s.text());
                return value.intValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                problems.add(path, "'" + s.text() + "' is out of range for an integer");
                return null;
            }
        }
        problems.add(path, "expected an integer, got " + describe(node));
        return null;
    }

    private Double number(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s && (s.scalarKind() == ScalarKind.INT || s.scalarKind() == ScalarKind.FLOAT)) {
            try {
                return s.number() != null ? s.number().doubleValue() : new BigDecimal(s.text()).doubleValue();
            } catch (NumberFormatException e) {
                problems.add(path, "'" + s.text() + "' is not a number");
                return null;
            }
        }
        problems.add(path, "expected a number, got " + describe(node));
        return null;
    }

    private Boolean bool(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s && s.isBoolean()) {
            return s.scalarKind() == ScalarKind.TRUE;
        }
        problems.add(path, "expected true or false, got " + describe(node));
        return null;
    }

    /** Milliseconds; must be positive, or non-negative when {@code zeroAllowed}. */
    private Long duration(Node node, String path, boolean zeroAllowed) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode s)) {
            problems.add(path, "expected a duration such as PT5M or 5m, got " + node.kind());
            return null;
        }
        try {
            long ms = Durations.parseMillis(s.text());
            if (ms < 0 || ms == 0 && !zeroAllowed) {
                problems.add(path, "must be " + (zeroAllowed ? "zero or positive" : "positive") + " (got " + s.text() + ")");
                return null;
            }
            return ms;
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
            return null;
        }
    }

    private <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type, E fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text.strip())) {
                return constant;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        problems.add(path, "'" + text + "' is not one of " + String.join(", ", names) + Suggest.hint(text, names));
        return fallback;
    }

    private static String describe(Node node) {
        return node instanceof ScalarNode s && !s.isNull() ? node.kind() + " '" + s.text() + "'" : node.kind();
    }

    /** Objects and lists given where a string is stored (HTTP body, Java config) are kept as compact JSON. */
    private static String toJson(Node node) {
        try {
            return JSON.writeValueAsString(toJsonNode(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode toJsonNode(Node node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (node) {
            case MapNode m -> {
                ObjectNode o = f.objectNode();
                m.entries().forEach((k, v) -> o.set(k, toJsonNode(v)));
                yield o;
            }
            case ListNode l -> {
                ArrayNode a = f.arrayNode();
                l.items().forEach(i -> a.add(toJsonNode(i)));
                yield a;
            }
            case ScalarNode s -> switch (s.scalarKind()) {
                case STRING -> f.textNode(s.text());
                case INT -> s.number() instanceof BigInteger b ? f.numberNode(b)
                        : s.number() != null ? f.numberNode(s.number().longValue()) : f.textNode(s.text());
                case FLOAT -> s.number() instanceof BigDecimal d ? f.numberNode(d)
                        : s.number() != null ? f.numberNode(s.number().doubleValue()) : f.textNode(s.text());
                case TRUE -> f.booleanNode(true);
                case FALSE -> f.booleanNode(false);
                case NULL -> f.nullNode();
            };
        };
    }
}
