package dev.baton.coordinator.internal.processing;

import dev.baton.events.AssetCheckSpec;
import dev.baton.events.AssetSpec;
import dev.baton.events.BoolValue;
import dev.baton.events.CheckOutcome;
import dev.baton.events.CheckSeverity;
import dev.baton.events.FloatValue;
import dev.baton.events.IntValue;
import dev.baton.events.JsonValue;
import dev.baton.events.MaterializationReport;
import dev.baton.events.TextValue;
import dev.baton.events.UrlValue;
import dev.baton.jobs.JobExpressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.MapContext;

/**
 * Materialization metadata and asset checks. Pure and deterministic: the decider and the effects compute the
 * same results from the same inputs.
 */
public final class AssetChecks {
    private AssetChecks() {}

    /** One check's result on one materialization. */
    public record Result(String asset, String check, CheckSeverity severity, CheckOutcome outcome, String message) {
        public boolean blocks() {
            return severity == CheckSeverity.ERROR && outcome != CheckOutcome.PASSED;
        }
    }

    /** Typed metadata of a materialization: the step's outputs, overridden by what the step reported for the asset. */
    public static Map<String, Object> metadata(Map<String, String> outputs, MaterializationReport reported) {
        Map<String, Object> m = new LinkedHashMap<>();
        outputs.forEach((k, v) -> m.put(k, typed(v)));
        if (reported != null) {
            m.putAll(reported.getMetadata());
        }
        return m;
    }

    /** Output values become typed metadata: integers, floats, booleans, URLs, JSON, else text. */
    public static Object typed(String v) {
        String t = v.trim();
        if (t.matches("-?\\d{1,18}")) {
            return new IntValue(Long.parseLong(t));
        }
        if (t.matches("-?\\d+\\.\\d+([eE][-+]?\\d+)?")) {
            return new FloatValue(Double.parseDouble(t));
        }
        if (t.equals("true") || t.equals("false")) {
            return new BoolValue(Boolean.parseBoolean(t));
        }
        if (t.startsWith("http://") || t.startsWith("https://") || t.startsWith("s3://") || t.startsWith("gs://")) {
            return new UrlValue(t);
        }
        if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
            return new JsonValue(t);
        }
        return new TextValue(v);
    }

    private static Object plain(Object typed) {
        return switch (typed) {
            case IntValue v -> v.getValue();
            case FloatValue v -> v.getValue();
            case BoolValue v -> v.getValue();
            case TextValue v -> v.getValue();
            case UrlValue v -> v.getValue();
            case JsonValue v -> v.getValue();
            default -> typed;
        };
    }

    /** Evaluates every check of {@code spec} against the metadata; an expression that cannot be evaluated is ERRORED. */
    public static List<Result> evaluate(AssetSpec spec, Map<String, Object> metadata) {
        List<Result> results = new ArrayList<>();
        if (spec.getChecks().isEmpty()) {
            return results;
        }
        MapContext ctx = new MapContext();
        metadata.forEach((k, v) -> ctx.set(k, plain(v)));
        for (AssetCheckSpec c : spec.getChecks()) {
            CheckOutcome outcome;
            String message;
            try {
                Object r = JobExpressions.compileCheck(c.getExpression()).evaluate(ctx);
                boolean ok = Boolean.TRUE.equals(r);
                outcome = ok ? CheckOutcome.PASSED : CheckOutcome.FAILED;
                message = ok ? c.getExpression() + " holds" : c.getExpression() + " does not hold (" + describe(c, metadata) + ")";
            } catch (JexlException | IllegalArgumentException e) {
                outcome = CheckOutcome.ERRORED;
                message = "cannot evaluate " + c.getExpression() + ": " + e.getMessage();
            }
            results.add(new Result(spec.getKey(), c.getName(), c.getSeverity(), outcome, message));
        }
        return results;
    }

    private static String describe(AssetCheckSpec c, Map<String, Object> metadata) {
        StringBuilder sb = new StringBuilder();
        metadata.forEach((k, v) -> {
            if (c.getExpression().contains(k)) {
                sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(plain(v));
            }
        });
        return sb.isEmpty() ? "no metadata it reads" : sb.toString();
    }
}
