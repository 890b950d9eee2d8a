package dev.baton.jobs.internal;

import java.util.List;
import java.util.Set;

/** The shape of every template reference, shared by resolution and validation. */
public final class TemplateGrammar {
    public static final String PARAMS = "params";
    public static final String STEPS = "steps";
    public static final String RUN = "run";
    public static final String ATTEMPT = "attempt";
    public static final String TRIGGER = "trigger";
    public static final String SCHEDULE = "schedule";
    public static final String PARTITION = "partition";
    /** Resolved only by the agent that runs the step; the coordinator leaves {@code ${{ secrets.NAME }}} in place. */
    public static final String SECRETS = "secrets";
    /** The element of a forEach step's instance: {@code item} (the whole element) or {@code item.<field>...}. */
    public static final String ITEM = "item";
    /** The position (from 0) of a forEach step's instance in its list. */
    public static final String ITEM_INDEX = "item_index";

    public static final Set<String> RUN_FIELDS = Set.of("id", "job");
    public static final Set<String> ATTEMPT_FIELDS = Set.of("id", "number");
    public static final Set<String> TRIGGER_FIELDS = Set.of("key", "value", "headers", "topic", "partition", "offset", "timestamp");
    public static final Set<String> SCHEDULE_FIELDS = Set.of("name", "time", "date");
    /** partition.key|start|end, and per dimension partition.<dimension>.key|start|end. */
    public static final Set<String> PARTITION_FIELDS = Set.of("key", "start", "end");
    public static final List<String> NAMESPACES = List.of(PARAMS, STEPS, RUN, ATTEMPT, TRIGGER, SCHEDULE, PARTITION, SECRETS);

    private TemplateGrammar() {}

    /** Null when the path has a valid shape, otherwise why not. */
    public static String shapeError(List<String> path) {
        String ns = path.get(0);
        int n = path.size();
        return switch (ns) {
            case PARAMS -> n == 2 ? null : "expected params.<name>";
            case STEPS -> n == 4 && path.get(2).equals("outputs") ? null : "expected steps.<step>.outputs.<name>";
            case RUN -> n == 2 && RUN_FIELDS.contains(path.get(1)) ? null : "expected run.id or run.job";
            case ATTEMPT -> n == 2 && ATTEMPT_FIELDS.contains(path.get(1)) ? null : "expected attempt.id or attempt.number";
            case TRIGGER -> triggerShapeError(path);
            case SCHEDULE -> n == 2 && SCHEDULE_FIELDS.contains(path.get(1)) ? null
                    : "expected schedule.name, schedule.time or schedule.date";
            case PARTITION -> n == 2 && PARTITION_FIELDS.contains(path.get(1))
                    || n == 3 && !PARTITION_FIELDS.contains(path.get(1)) && PARTITION_FIELDS.contains(path.get(2)) ? null
                    : "expected partition.key, partition.start, partition.end or partition.<dimension>.key|start|end";
            case ITEM -> null;
            case ITEM_INDEX -> n == 1 ? null : "expected item_index";
            case SECRETS -> n == 2 && Names.SECRET.matcher(path.get(1)).matches() ? null
                    : "expected secrets.<NAME> (upper-case letters, digits and '_', starting with a letter)";
            default -> "unknown namespace '" + ns + "'; expected one of " + String.join(", ", NAMESPACES);
        };
    }

    private static String triggerShapeError(List<String> path) {
        String expected = "expected trigger.key, trigger.value[.<field>...], trigger.headers.<name>, trigger.topic,"
                + " trigger.partition, trigger.offset or trigger.timestamp";
        if (path.size() < 2 || !TRIGGER_FIELDS.contains(path.get(1))) {
            return expected;
        }
        return switch (path.get(1)) {
            case "value" -> null;
            case "headers" -> path.size() >= 3 ? null : "expected trigger.headers.<name>";
            default -> path.size() == 2 ? null : expected;
        };
    }
}
