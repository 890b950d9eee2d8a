package dev.baton.jobs;

import dev.baton.events.AlertRule;
import dev.baton.jobs.internal.AlertsReader;
import dev.baton.jobs.internal.Node;
import dev.baton.jobs.internal.ParsedJob;
import dev.baton.jobs.internal.Problems;
import dev.baton.jobs.internal.TreeReader;
import java.util.List;
import java.util.Objects;

/**
 * The alerting component's global rules file: {@code alerts:} with the same rule syntax as a job file, plus the
 * conditions that are not about one job (agent_lost, pool_unserved, schedule_tick_missed) and {@code after},
 * {@code jobs}, {@code pools} (docs/alerts.md).
 */
public final class AlertRules {
    private AlertRules() {}

    /**
     * @throws JobValidationException with every problem found (paths such as {@code alerts[0].on[1]})
     */
    public static List<AlertRule> parseGlobal(String text, Format format) {
        Objects.requireNonNull(format, "format");
        Problems problems = new Problems();
        List<AlertRule> rules = List.of();
        Node root = new TreeReader(problems).read(text, format);
        if (root != null) {
            if (root instanceof Node.MapNode m) {
                for (String k : m.entries().keySet()) {
                    if (!k.equals("alerts")) {
                        problems.add(k, "unknown key '" + k + "'; a rules file has only 'alerts'");
                    }
                }
                rules = new AlertsReader(problems, new ParsedJob(), true).read(m.get("alerts"), "alerts");
            } else {
                problems.add("$", "expected an object with 'alerts', got " + root.kind());
            }
        }
        if (!problems.isEmpty()) {
            throw new JobValidationException(problems.list());
        }
        return rules;
    }
}
