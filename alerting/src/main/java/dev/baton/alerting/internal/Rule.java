package dev.baton.alerting.internal;

import dev.baton.events.AlertCondition;
import dev.baton.events.AlertRule;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An alert rule with where it came from: a job file ({@code job:<job>/<name>}) or the global rules file
 * ({@code global:<name>}).
 */
public record Rule(String id, AlertRule spec, boolean global) {
    public static Rule ofJob(String job, AlertRule spec) {
        return new Rule("job:" + job + "/" + spec.getName(), spec, false);
    }

    public static Rule ofGlobal(AlertRule spec) {
        return new Rule("global:" + spec.getName(), spec, true);
    }

    public boolean firesOn(AlertCondition c) {
        return spec.getOn().contains(c);
    }

    /** A global rule's job filter (globs with '*' and '?'); job rules are looked up by job already. */
    public boolean appliesToJob(String job) {
        if (!global || spec.getJobs().isEmpty()) {
            return true;
        }
        return job != null && spec.getJobs().stream().anyMatch(g -> glob(g).matcher(job).matches());
    }

    public boolean appliesToPools(List<String> pools) {
        return spec.getPools().isEmpty() || pools.stream().anyMatch(spec.getPools()::contains);
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char ch : g.toCharArray()) {
            re.append(switch (ch) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(ch));
            });
        }
        return Pattern.compile(re.toString());
    }
}
