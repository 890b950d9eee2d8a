package dev.baton.jobs.internal;

import com.fasterxml.jackson.core.JsonPointer;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.SleepAction;
import dev.baton.events.SubJobAction;
import dev.baton.jobs.Templates;
import dev.baton.jobs.internal.Node.ListNode;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarKind;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** A step's one action: {@code run}, {@code http}, {@code java}, {@code noop} or {@code sleep}. */
final class ActionReader extends ValueReader {
    static final Set<String> HTTP_METHODS = new LinkedHashSet<>(
            List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
    private static final Pattern HANDLER = Pattern.compile("[A-Za-z0-9_.$-]{1,200}");

    private final EnvReader envReader;

    /**
     * @param kind    the action key ({@code noop} when the step has none or several)
     * @param action  the Avro action record
     * @param outputs output names known in advance (see {@link ParsedJob.StepDraft#declaredOutputs()})
     */
    record StepAction(String kind, Object action, Set<String> outputs) {}

    ActionReader(Problems problems, ParsedJob parsed, EnvReader envReader) {
        super(problems, parsed);
        this.envReader = envReader;
    }

    /** Reads the action of the step {@code m} at {@code path}; {@code stepEnv} is the step's own env. */
    StepAction read(MapNode m, String path, Map<String, String> jobEnv, Map<String, String> stepEnv, String stepKey) {
        List<String> actions = Keys.ACTIONS.stream().filter(m::has).toList();
        Object action = new NoopAction();
        String kind = "noop";
        Set<String> outputs = null;
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
                case "job" -> action = SubJobReader.read(this, an, ap, stepKey);
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
        return new StepAction(kind, action, outputs);
    }

    private RunAction run(Node node, String path, Map<String, String> jobEnv, Map<String, String> stepEnv, String step) {
        String script;
        String scriptPath;
        String shell = JobDefaults.SHELL;
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
            env.putAll(envReader.env(m.get("env"), Paths.key(path, "env"), Scope.STEP, step));
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
        String method = JobDefaults.HTTP_METHOD;
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
                body = NodeJson.toJson(bn);
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
                    if (Templates.mentionsSecrets(pointer)) {
                        // Outputs travel in clear on Kafka and feed other steps' params and templates.
                        problems.add(op, "secrets cannot be used in outputs; outputs travel in clear on Kafka");
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
                    String v = value instanceof ScalarNode s ? (s.isNull() ? null : s.text()) : NodeJson.toJson(value);
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
}
