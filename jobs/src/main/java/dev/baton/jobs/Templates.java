package dev.baton.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.RunAction;
import dev.baton.events.StepDefinition;
import dev.baton.jobs.internal.HttpValues;
import dev.baton.jobs.internal.ScriptValues;
import dev.baton.jobs.internal.TemplateGrammar;
import dev.baton.jobs.internal.TemplateScanner;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * {@code ${{ ... }}} templates. Pure functions: no clock, no environment, no I/O.
 *
 * <p>Syntax: {@code ${{ <namespace>.<segment>... }}}, whitespace inside the braces optional, segments made of
 * {@code [A-Za-z0-9_-]}. Shell syntax ({@code ${VAR}}, {@code $VAR}, {@code $(cmd)}) passes through untouched.
 * {@link #resolve} inserts values verbatim and never re-scans them, so a value containing {@code ${{} cannot inject
 * another reference; it is for values that are data where they land (params set by schedules and triggers, env
 * values). Step actions go through {@link #resolveAction}, which keeps every value data on every step kind: shell
 * quoting or environment variables in run scripts, percent-encoding in URLs, JSON encoding in JSON bodies. The
 * verbatim behaviour there needs the step's explicit {@code unsafeVerbatimTemplates} opt-in. There is no escape for
 * a literal {@code ${{}.
 *
 * <p>Namespaces: {@code params.<name>}, {@code steps.<step>.outputs.<name>}, {@code run.id}, {@code run.job},
 * {@code attempt.id}, {@code attempt.number} (step actions); {@code trigger.*} (Kafka trigger params and runKey);
 * {@code schedule.name|time|date} (schedule params); {@code partition.key|start|end} and
 * {@code partition.<dimension>.key|start|end} (step actions of a partitioned run); {@code secrets.NAME} is left in
 * place (normalised to {@code ${{ secrets.NAME }}}) for the agent, and a substituted value naming a secret is refused.
 * See docs/jobs.md.
 */
public final class Templates {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Templates() {}

    /** Whether the text contains {@code ${{} at all (well-formed or not). */
    public static boolean containsTemplates(String text) {
        return text != null && text.contains(TemplateScanner.OPEN);
    }

    /**
     * Every reference in the text, in order.
     *
     * @throws TemplateException for the first malformed one (unterminated, or not a dotted reference)
     */
    public static List<TemplateReference> references(String text) {
        List<TemplateReference> refs = new ArrayList<>();
        for (TemplateScanner.Item item : TemplateScanner.scan(text)) {
            if (item.error() != null) {
                throw item.error();
            }
            refs.add(item.reference());
        }
        return refs;
    }

    /**
     * Replaces every reference in the text.
     *
     * @throws TemplateException naming the expression when one is malformed or cannot be resolved
     */
    public static String resolve(String text, TemplateContext ctx) {
        if (!containsTemplates(text)) {
            return text;
        }
        List<TemplateReference> refs = references(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        for (TemplateReference ref : refs) {
            out.append(text, last, ref.start()).append(evaluate(ref, ctx));
            last = ref.end();
        }
        return out.append(text, last, text.length()).toString();
    }

    /** Resolves every value of a map (e.g. a Kafka trigger's params); keys are literal. */
    public static Map<String, String> resolveValues(Map<String, String> values, TemplateContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, resolve(v, ctx)));
        return out;
    }

    /** The value of one reference. */
    public static String evaluate(TemplateReference ref, TemplateContext ctx) {
        List<String> path = ref.path();
        String shape = TemplateGrammar.shapeError(path);
        if (shape != null) {
            throw new TemplateException(ref.expression(), shape);
        }
        if (ref.namespace().equals(TemplateGrammar.SECRETS)) {
            // Only the agent that runs the step resolves secrets: the reference stays in place, normalised.
            return ref.text();
        }
        return dataOnly(ref, value(ref, path, ctx));
    }

    /** Whether the text holds {@code ${{ secrets.} in any spelling the agent would resolve. */
    public static boolean mentionsSecrets(String text) {
        return text != null && text.contains(TemplateScanner.OPEN) && SECRET_REFERENCE.matcher(text).find();
    }

    private static final java.util.regex.Pattern SECRET_REFERENCE =
            java.util.regex.Pattern.compile("\\$\\{\\{\\s*" + TemplateGrammar.SECRETS + "\\.");

    /**
     * A value (a param, a step output, a field of a Kafka record) that names a secret would make the agent fetch it
     * into a step that only meant to pass data: whoever sets a param could read any secret of the agent.
     */
    private static String dataOnly(TemplateReference ref, String value) {
        if (mentionsSecrets(value)) {
            throw new TemplateException(ref.expression(), "the value contains ${{ secrets.* }}; secrets can only be named"
                    + " in the job file, never passed in params, outputs or records");
        }
        return value;
    }

    private static String value(TemplateReference ref, List<String> path, TemplateContext ctx) {
        return switch (ref.namespace()) {
            case TemplateGrammar.PARAMS -> {
                String value = ctx.params().get(path.get(1));
                if (value == null) {
                    throw new TemplateException(ref.expression(), "parameter '" + path.get(1) + "' has no value");
                }
                yield value;
            }
            case TemplateGrammar.STEPS -> {
                Map<String, String> outputs = ctx.stepOutputs().get(path.get(1));
                if (outputs == null) {
                    throw new TemplateException(ref.expression(), "no outputs available for step '" + path.get(1) + "'");
                }
                String value = outputs.get(path.get(3));
                if (value == null) {
                    throw new TemplateException(ref.expression(), "step '" + path.get(1) + "' has no output '"
                            + path.get(3) + "'" + (outputs.isEmpty() ? "" : "; it has " + String.join(", ", outputs.keySet())));
                }
                yield value;
            }
            case TemplateGrammar.RUN -> require(ref, path.get(1).equals("id") ? ctx.runId() : ctx.jobName(), "run");
            case TemplateGrammar.ATTEMPT -> require(ref, path.get(1).equals("id") ? ctx.attemptId()
                    : ctx.attemptNumber() == null ? null : ctx.attemptNumber().toString(), "attempt");
            case TemplateGrammar.TRIGGER -> trigger(ref, ctx.trigger());
            case TemplateGrammar.SCHEDULE -> schedule(ref, ctx.schedule());
            case TemplateGrammar.PARTITION -> partition(ref, ctx.partition());
            case TemplateGrammar.SECRETS -> ref.text(); // resolved by the agent, never here
            case TemplateGrammar.ITEM -> item(ref, ctx);
            case TemplateGrammar.ITEM_INDEX -> {
                if (ctx.itemIndex() == null) {
                    throw new TemplateException(ref.expression(), "item_index is only available in a forEach step");
                }
                yield ctx.itemIndex().toString();
            }
            default -> throw new IllegalStateException("unreachable: " + ref.namespace());
        };
    }

    /**
     * A copy of the action (RunAction, HttpAction, JavaAction) with its templated strings resolved so that every
     * value stays data ({@link #resolveRun}, {@link #resolveHttp}, {@link #resolveJava}); others as is.
     */
    public static Object resolveAction(Object action, TemplateContext ctx) {
        return resolveAction(action, ctx, false);
    }

    /**
     * Like {@link #resolveAction(Object, TemplateContext)}; with {@code unsafeVerbatim} (the step's
     * {@code unsafeVerbatimTemplates} opt-in) values are inserted as written, so they can become shell code,
     * JSON structure or URL syntax.
     */
    public static Object resolveAction(Object action, TemplateContext ctx, boolean unsafeVerbatim) {
        if (action instanceof RunAction run) {
            return resolveRun(run, ctx, unsafeVerbatim);
        } else if (action instanceof HttpAction http) {
            return resolveHttp(http, ctx, unsafeVerbatim);
        } else if (action instanceof JavaAction java) {
            return resolveJava(java, ctx);
        } else if (action instanceof dev.baton.events.SubJobAction sub) {
            // The child's params are data: the child checks them against its own declarations.
            return dev.baton.events.SubJobAction.newBuilder().setJob(sub.getJob())
                    .setParams(resolveValues(sub.getParams(), ctx)).build();
        }
        return action;
    }

    /** {@link #resolveRun(RunAction, TemplateContext, boolean)} with values kept data. */
    public static RunAction resolveRun(RunAction action, TemplateContext ctx) {
        return resolveRun(action, ctx, false);
    }

    /**
     * Script, env values and working directory resolved; the shell is literal. Env values and the working directory
     * are data already (a value cannot escape the working directory with {@code ..}). In the script a value is
     * inserted as is only when it is made of characters no shell treats specially ({@code ScriptValues}); any other
     * value travels in an environment variable {@code BATON_TPL_<n>} added to the action's env, and the script
     * references it in the form the quoting context at that point needs ({@code "${BATON_TPL_1}"} bare,
     * {@code ${BATON_TPL_1}} inside double quotes, {@code '"${BATON_TPL_1}"'} inside single quotes, ...), so the
     * shell sees the value as literal text. {@code ${{ secrets.NAME }}} travels the same way, as its literal text.
     */
    public static RunAction resolveRun(RunAction action, TemplateContext ctx, boolean unsafeVerbatim) {
        Map<String, String> env = new LinkedHashMap<>(resolveValues(action.getEnv(), ctx));
        String script = unsafeVerbatim ? resolve(action.getScript(), ctx)
                : ScriptValues.resolveScript(action.getScript(), action.getShell(), ctx, env);
        return RunAction.newBuilder()
                .setScript(script)
                .setShell(action.getShell())
                .setEnv(env)
                .setWorkingDir(unsafeVerbatim ? resolve(action.getWorkingDir(), ctx) : ScriptValues.resolvePath(action.getWorkingDir(), ctx))
                .build();
    }

    /** {@link #resolveHttp(HttpAction, TemplateContext, boolean)} with values kept data. */
    public static HttpAction resolveHttp(HttpAction action, TemplateContext ctx) {
        return resolveHttp(action, ctx, false);
    }

    /**
     * URL, header values and body resolved; method, expected statuses and output pointers are literal. By default
     * a value in the URL's path, query or fragment is percent-encoded (a value at the very start must be an
     * http(s) URL; one in the host must be a host name), a header value must not contain a line break, and in a
     * JSON body (a body starting with {@code {} or {@code [}, or a JSON content type) a value inside a string is
     * JSON-escaped and one outside strings becomes a JSON number, boolean or null when it is one and a JSON string
     * otherwise; a form-encoded body percent-encodes; other bodies take values as text.
     */
    public static HttpAction resolveHttp(HttpAction action, TemplateContext ctx, boolean unsafeVerbatim) {
        Map<String, String> headers = resolveValues(action.getHeaders(), ctx);
        String url;
        String body;
        if (unsafeVerbatim) {
            url = resolve(action.getUrl(), ctx);
            body = resolve(action.getBody(), ctx);
        } else {
            for (Map.Entry<String, String> h : action.getHeaders().entrySet()) {
                HttpValues.checkHeader(h.getKey(), h.getValue(), ctx);
            }
            url = HttpValues.resolveUrl(action.getUrl(), ctx);
            body = HttpValues.resolveBody(action.getBody(), action.getHeaders(), ctx);
        }
        return HttpAction.newBuilder()
                .setMethod(action.getMethod())
                .setUrl(url)
                .setHeaders(headers)
                .setBody(body)
                .setExpectStatus(new ArrayList<>(action.getExpectStatus()))
                .setOutputs(new LinkedHashMap<>(action.getOutputs()))
                .build();
    }

    /** Config values resolved (they are handed to the handler as data); the handler name is literal. */
    public static JavaAction resolveJava(JavaAction action, TemplateContext ctx) {
        return JavaAction.newBuilder()
                .setHandler(action.getHandler())
                .setConfig(resolveValues(action.getConfig(), ctx))
                .build();
    }

    /** A copy of the step with its action resolved (see {@link #resolveAction}), honouring its unsafe opt-in. */
    public static StepDefinition resolveStep(StepDefinition step, TemplateContext ctx) {
        return StepDefinition.newBuilder(step)
                .setAction(resolveAction(step.getAction(), ctx, step.getUnsafeVerbatimTemplates())).build();
    }

    private static String require(TemplateReference ref, String value, String what) {
        if (value == null) {
            throw new TemplateException(ref.expression(), ref.expression() + " is not available here (no " + what + " in context)");
        }
        return value;
    }

    private static String schedule(TemplateReference ref, ScheduleTick tick) {
        if (tick == null) {
            throw new TemplateException(ref.expression(), "schedule.* is only available in schedule params");
        }
        return switch (ref.path().get(1)) {
            case "name" -> tick.name();
            case "time" -> tick.time().toString();
            default -> LocalDate.ofInstant(tick.time(), tick.zone()).toString();
        };
    }

    /** {@code item}: the element (a string as is, anything else as JSON text); {@code item.a.b}: a field of it. */
    private static String item(TemplateReference ref, TemplateContext ctx) {
        if (ctx.item() == null) {
            throw new TemplateException(ref.expression(), "item is only available in a forEach step");
        }
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = JSON.readTree(ctx.item());
        } catch (java.io.IOException e) {
            throw new TemplateException(ref.expression(), "the element is not JSON: " + e.getMessage());
        }
        List<String> path = ref.path();
        for (int i = 1; i < path.size(); i++) {
            if (!node.isObject()) {
                throw new TemplateException(ref.expression(), "the element" + (i > 1 ? "'s field '" + path.get(i - 1) + "'" : "")
                        + " is not an object (it is " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + "), so it has no field '" + path.get(i) + "'");
            }
            com.fasterxml.jackson.databind.JsonNode next = node.get(path.get(i));
            if (next == null) {
                throw new TemplateException(ref.expression(), "the element has no field '" + path.get(i) + "'");
            }
            node = next;
        }
        return node.isTextual() ? node.textValue() : node.toString();
    }

    private static String partition(TemplateReference ref, Partition partition) {
        if (partition == null) {
            throw new TemplateException(ref.expression(), "partition.* is only available in runs of a partition");
        }
        List<String> path = ref.path();
        Partition p = partition;
        if (path.size() == 3) {
            p = partition.dimensions().get(path.get(1));
            if (p == null) {
                throw new TemplateException(ref.expression(), "the partition has no dimension '" + path.get(1) + "'"
                        + (partition.dimensions().isEmpty() ? "" : "; it has " + String.join(", ", partition.dimensions().keySet())));
            }
        }
        String field = path.get(path.size() - 1);
        if (field.equals("key")) {
            return p.key();
        }
        if (!p.hasWindow()) {
            throw new TemplateException(ref.expression(), "the partition '" + p.key() + "' has no time window");
        }
        return field.equals("start") ? p.startText() : p.endText();
    }

    private static String trigger(TemplateReference ref, TriggerRecord record) {
        if (record == null) {
            throw new TemplateException(ref.expression(), "trigger.* is only available in Kafka trigger params and runKey");
        }
        List<String> path = ref.path();
        return switch (path.get(1)) {
            case "key" -> {
                if (record.key() == null) {
                    throw new TemplateException(ref.expression(), "the record has no key");
                }
                yield record.key();
            }
            case "topic" -> record.topic();
            case "partition" -> Integer.toString(record.partition());
            case "offset" -> Long.toString(record.offset());
            case "timestamp" -> {
                if (record.timestamp() == null) {
                    throw new TemplateException(ref.expression(), "the record has no timestamp");
                }
                yield record.timestamp().toString();
            }
            case "headers" -> {
                String name = String.join(".", path.subList(2, path.size()));
                String value = record.headers().get(name);
                if (value == null) {
                    throw new TemplateException(ref.expression(), "the record has no header '" + name + "'");
                }
                yield value;
            }
            default -> {
                Object value = record.value();
                for (int i = 2; i < path.size(); i++) {
                    value = field(ref, value, path.get(i), String.join(".", path.subList(0, i)));
                }
                yield render(ref, value);
            }
        };
    }

    private static Object field(TemplateReference ref, Object container, String name, String parent) {
        Object missing = MISSING;
        Object result = missing;
        if (container == null || container instanceof JsonNode n && (n.isNull() || n.isMissingNode())) {
            throw new TemplateException(ref.expression(), parent + " is null");
        } else if (container instanceof JsonNode node) {
            if (node.isObject() && node.has(name)) {
                result = node.get(name);
            } else if (node.isArray() && isIndex(name) && Integer.parseInt(name) < node.size()) {
                result = node.get(Integer.parseInt(name));
            }
        } else if (container instanceof Map<?, ?> map) {
            if (map.containsKey(name)) {
                result = map.get(name);
            } else if (map.containsKey(new Utf8(name))) {
                result = map.get(new Utf8(name));
            }
        } else if (container instanceof List<?> list) {
            if (isIndex(name) && Integer.parseInt(name) < list.size()) {
                result = list.get(Integer.parseInt(name));
            }
        } else if (container instanceof GenericRecord record) {
            Schema.Field field = record.getSchema().getField(name);
            if (field != null) {
                result = record.get(field.pos());
            }
        } else {
            throw new TemplateException(ref.expression(), parent + " is not an object (format STRING has no fields)");
        }
        if (result == missing) {
            throw new TemplateException(ref.expression(), parent + " has no field '" + name + "'");
        }
        return result;
    }

    private static final Object MISSING = new Object();

    private static boolean isIndex(String s) {
        return s.length() <= 9 && s.chars().allMatch(Character::isDigit);
    }

    /** Scalars as text, null as empty, objects and arrays as compact JSON. */
    private static String render(TemplateReference ref, Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof JsonNode node) {
            if (node.isNull() || node.isMissingNode()) {
                return "";
            }
            return node.isValueNode() ? node.asText() : node.toString();
        }
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean || value instanceof Enum<?>) {
            return value.toString();
        }
        if (value instanceof GenericEnumSymbol<?> || value instanceof GenericRecord) {
            // Avro's own JSON rendering (records) or the symbol name (enums).
            return value.toString();
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new TemplateException(ref.expression(), "value cannot be rendered as JSON: " + e.getOriginalMessage());
        }
    }

}
