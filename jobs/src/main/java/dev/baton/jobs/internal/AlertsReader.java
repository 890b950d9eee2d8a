package dev.baton.jobs.internal;

import dev.baton.events.AlertCondition;
import dev.baton.events.AlertDestination;
import dev.baton.events.AlertEmail;
import dev.baton.events.AlertRule;
import dev.baton.events.AlertSeverity;
import dev.baton.events.AlertSlack;
import dev.baton.events.AlertWebhook;
import dev.baton.jobs.internal.Node.ListNode;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.Ref;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code alerts} section: alert rules of a job file, or of the alerting component's global rules file
 * ({@code global}). A rule names the conditions it fires on ({@code on}), its destinations (webhook, slack, email;
 * each an object or a list of them), a severity and the occurrence count at which its incident escalates.
 * Job files may only use the job conditions; agent_lost, pool_unserved and schedule_tick_missed, {@code after},
 * {@code jobs} and {@code pools} belong to the rules file.
 */
public final class AlertsReader extends ValueReader {
    /** Conditions a job file's rule may use. */
    public static final Set<AlertCondition> JOB_CONDITIONS = Set.of(AlertCondition.RUN_FAILED, AlertCondition.STEP_FAILED,
            AlertCondition.CHECK_FAILED, AlertCondition.FRESHNESS_BREACHED);
    /** Only {@code ${{ secrets.NAME }}} may appear in a destination's URL or headers. */
    public static final Pattern SECRET_TEMPLATE = Pattern.compile("\\$\\{\\{\\s*secrets\\.([A-Z][A-Z0-9_]{0,99})\\s*}}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>,;]+@[^@\\s<>,;]+");
    private static final Pattern JOB_GLOB = Pattern.compile("[a-z0-9_*?][a-z0-9_*?-]{0,99}");
    private static final int MAX_RULES = 50;

    private final boolean global;

    public AlertsReader(Problems problems, ParsedJob parsed, boolean global) {
        super(problems, parsed);
        this.global = global;
    }

    public List<AlertRule> read(Node node, String path) {
        List<AlertRule> rules = new ArrayList<>();
        List<Node> items = list(node, path);
        if (items == null) {
            return rules;
        }
        if (items.size() > MAX_RULES) {
            problems.add(path, "at most " + MAX_RULES + " alert rules (got " + items.size() + ")");
            return rules;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            AlertRule rule = rule(items.get(i), p, i);
            if (rule != null) {
                if (!names.add(rule.getName())) {
                    problems.add(Paths.key(p, "name"), "two alert rules are named '" + rule.getName()
                            + "'; give each rule its own name");
                    continue;
                }
                rules.add(rule);
            }
        }
        return rules;
    }

    private AlertRule rule(Node node, String path, int index) {
        MapNode m = object(node, path, "an alert rule {on, webhook, slack, email, ...}");
        if (m == null) {
            if (node != null && isNull(node)) {
                problems.add(path, "expected an alert rule, got nothing (null)");
            }
            return null;
        }
        keys(m, path, Keys.ALERT);
        List<AlertCondition> on = conditions(m, path);
        String name = string(m.get("name"), Paths.key(path, "name"));
        if (name != null) {
            checkPattern(name, Names.NAME, Paths.key(path, "name"), "rule name",
                    "letters, digits, '_', '.' and '-', at most 100 characters");
        } else {
            name = on.isEmpty() ? "rule" + (index + 1)
                    : String.join("-", on.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        }
        List<AlertDestination> destinations = new ArrayList<>();
        for (Node n : items(m.get("webhook"))) {
            AlertWebhook w = webhook(n, Paths.key(path, "webhook"));
            if (w != null) {
                destinations.add(new AlertDestination(w));
            }
        }
        for (Node n : items(m.get("slack"))) {
            AlertSlack s = slack(n, Paths.key(path, "slack"));
            if (s != null) {
                destinations.add(new AlertDestination(s));
            }
        }
        Node emailNode = m.get("email");
        // A list of addresses is one e-mail to all of them; a list of objects is one e-mail per object.
        boolean addressList = emailNode instanceof ListNode l && l.items().stream().allMatch(x -> x instanceof ScalarNode);
        for (Node n : addressList ? List.of(emailNode) : items(emailNode)) {
            AlertEmail e = email(n, Paths.key(path, "email"));
            if (e != null) {
                destinations.add(new AlertDestination(e));
            }
        }
        AlertSeverity severity = enumValue(m.get("severity"), Paths.key(path, "severity"), AlertSeverity.class, AlertSeverity.WARNING);
        Integer escalate = integer(m.get("escalateAfter"), Paths.key(path, "escalateAfter"));
        if (escalate != null && escalate < 2) {
            problems.add(Paths.key(path, "escalateAfter"), "must be at least 2 occurrences (the first one opens the incident; got "
                    + escalate + ")");
            escalate = null;
        }
        Long after = null;
        List<String> jobs = new ArrayList<>();
        List<String> pools = new ArrayList<>();
        if (!global) {
            for (String k : List.of("after", "jobs", "pools")) {
                if (m.has(k)) {
                    problems.add(Paths.key(path, k), "'" + k + "' belongs to global rules (the alerting component's rules file)");
                }
            }
        } else {
            after = duration(m.get("after"), Paths.key(path, "after"), false);
            for (Ref r : refs(m.get("jobs"), Paths.key(path, "jobs"), true)) {
                checkPattern(r.value(), JOB_GLOB, r.path(), "job name or glob", "a job name, '*' and '?' match any characters");
                jobs.add(r.value());
            }
            for (Ref r : refs(m.get("pools"), Paths.key(path, "pools"), true)) {
                checkPattern(r.value(), Names.POOL, r.path(), "pool", "1-100 of [A-Za-z0-9._-]");
                pools.add(r.value());
            }
        }
        return AlertRule.newBuilder().setName(name).setOn(on).setDestinations(destinations).setSeverity(severity)
                .setEscalateAfter(escalate == null ? 0 : escalate).setAfterMs(after).setJobs(jobs).setPools(pools).build();
    }

    private List<AlertCondition> conditions(MapNode m, String path) {
        String p = Paths.key(path, "on");
        List<AlertCondition> on = new ArrayList<>();
        if (!m.has("on") || isNull(m.get("on"))) {
            problems.add(p, "is required: the conditions the rule fires on, e.g. [run_failed]");
            return on;
        }
        for (Ref r : refs(m.get("on"), p, true)) {
            AlertCondition c = condition(r.value());
            List<String> allowed = (global ? List.of(AlertCondition.values()) : List.copyOf(JOB_CONDITIONS)).stream()
                    .filter(x -> x != AlertCondition.UNKNOWN).map(x -> x.name().toLowerCase(Locale.ROOT)).sorted().toList();
            if (c == null || c == AlertCondition.UNKNOWN) {
                problems.add(r.path(), "'" + r.value() + "' is not a condition; expected one of " + String.join(", ", allowed)
                        + Suggest.hint(r.value(), allowed));
            } else if (!global && !JOB_CONDITIONS.contains(c)) {
                problems.add(r.path(), "'" + r.value() + "' is not about one job: put it in a global rule (the alerting"
                        + " component's rules file, docs/alerts.md); a job's rules use " + String.join(", ", allowed));
            } else {
                on.add(c);
            }
        }
        if (on.isEmpty() && m.get("on") instanceof ListNode l && l.items().isEmpty()) {
            problems.add(p, "must name at least one condition");
        }
        return on;
    }

    private static AlertCondition condition(String text) {
        for (AlertCondition c : AlertCondition.values()) {
            if (c.name().equalsIgnoreCase(text.strip())) {
                return c;
            }
        }
        return null;
    }

    /** An object, or a list of them. */
    private List<Node> items(Node node) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        return node instanceof ListNode l ? l.items() : List.of(node);
    }

    private AlertWebhook webhook(Node node, String path) {
        MapNode m = object(node, path, "an object {url, headers}");
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.ALERT_WEBHOOK);
        String url = url(requiredString(m, "url", path), Paths.key(path, "url"));
        Map<String, String> headers = new LinkedHashMap<>();
        MapNode h = object(m.get("headers"), Paths.key(path, "headers"));
        if (h != null) {
            h.entries().forEach((k, v) -> {
                String hp = Paths.key(Paths.key(path, "headers"), k);
                if (!Names.HEADER.matcher(k).matches()) {
                    problems.add(hp, "'" + k + "' is not a valid HTTP header name");
                }
                String value = string(v, hp);
                if (value != null && secretsOnly(value, hp)) {
                    headers.put(k, value);
                }
            });
        }
        return url == null ? null : new AlertWebhook(url, headers);
    }

    private AlertSlack slack(Node node, String path) {
        if (node instanceof ScalarNode s && !s.isNull()) {
            String url = url(s.text(), path);
            return url == null ? null : new AlertSlack(url);
        }
        MapNode m = object(node, path, "an object {url} or a URL");
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.ALERT_SLACK);
        String url = url(requiredString(m, "url", path), Paths.key(path, "url"));
        return url == null ? null : new AlertSlack(url);
    }

    private AlertEmail email(Node node, String path) {
        Node to = node;
        String toPath = path;
        if (node instanceof MapNode m) {
            keys(m, path, Keys.ALERT_EMAIL);
            to = m.get("to");
            toPath = Paths.key(path, "to");
            if (to == null || isNull(to)) {
                problems.add(toPath, "is required: the addresses to send to");
                return null;
            }
        }
        List<String> addresses = new ArrayList<>();
        int before = problems.size();
        for (Ref r : refs(to, toPath, true)) {
            if (!EMAIL.matcher(r.value()).matches()) {
                problems.add(r.path(), "'" + r.value() + "' is not an e-mail address");
            } else {
                addresses.add(r.value());
            }
        }
        if (addresses.isEmpty()) {
            if (problems.size() == before) {
                problems.add(toPath, "must name at least one address");
            }
            return null;
        }
        return new AlertEmail(addresses);
    }

    private String url(String url, String path) {
        if (url == null || !secretsOnly(url, path)) {
            return null;
        }
        if (SECRET_TEMPLATE.matcher(url.strip()).matches()) {
            return url.strip(); // the whole URL is a secret (a Slack webhook URL usually is)
        }
        try {
            URI u = new URI(SECRET_TEMPLATE.matcher(url).replaceAll("x"));
            if (u.getScheme() == null || !List.of("http", "https").contains(u.getScheme().toLowerCase(Locale.ROOT))
                    || u.getHost() == null) {
                problems.add(path, "'" + url + "' is not an http(s) URL");
                return null;
            }
        } catch (Exception e) {
            problems.add(path, "'" + url + "' is not an http(s) URL");
            return null;
        }
        return url;
    }

    /** Templates other than {@code ${{ secrets.NAME }}} are refused here: an alert has no run context to fill them. */
    private boolean secretsOnly(String value, String path) {
        String rest = SECRET_TEMPLATE.matcher(value).replaceAll("");
        if (rest.contains("${{")) {
            problems.add(path, "only ${{ secrets.NAME }} may be used here (resolved by the alerting component when it sends)");
            return false;
        }
        return true;
    }
}
