package dev.baton.agent.internal;

import dev.baton.events.BoolValue;
import dev.baton.events.FloatValue;
import dev.baton.events.IntValue;
import dev.baton.events.JsonValue;
import dev.baton.events.MaterializationReport;
import dev.baton.events.TextValue;
import dev.baton.events.UrlValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces the exact values of an attempt's secrets with {@value #MASK} in what leaves the agent: log lines, outputs,
 * materialization metadata and error messages. A multi-line secret is also masked line by line (a script printing
 * it writes one log line per line). Longer values are replaced first, so a secret containing another is masked
 * whole.
 */
public final class Redactor {
    public static final String MASK = "***";
    public static final Redactor NONE = new Redactor(List.of());

    private final List<String> masks;

    private Redactor(List<String> masks) {
        this.masks = masks;
    }

    /** A redactor for the given secret values (empty ones are ignored). */
    public static Redactor of(Collection<String> secrets) {
        Set<String> masks = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.isEmpty()) {
                continue;
            }
            masks.add(s);
            if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                for (String line : s.split("\r?\n|\r")) {
                    if (!line.isBlank()) {
                        masks.add(line);
                    }
                }
            }
        }
        List<String> sorted = new ArrayList<>(masks);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return sorted.isEmpty() ? NONE : new Redactor(List.copyOf(sorted));
    }

    public boolean isEmpty() {
        return masks.isEmpty();
    }

    public String redact(String text) {
        if (text == null || masks.isEmpty()) {
            return text;
        }
        String out = text;
        for (String m : masks) {
            if (out.contains(m)) {
                out = out.replace(m, MASK);
            }
        }
        return out;
    }

    private Map<String, String> redact(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(redact(k), redact(v)));
        return out;
    }

    /** The outcome with secret values masked in outputs, output references, materializations and the message. */
    public Outcome redact(Outcome outcome) {
        if (masks.isEmpty()) {
            return outcome;
        }
        return switch (outcome) {
            case Outcome.Succeeded s -> new Outcome.Succeeded(redact(s.outputs()), redact(s.outputRefs()),
                    s.materializations().stream().map(this::redact).toList());
            case Outcome.Failed f -> new Outcome.Failed(f.errorClass(), redact(f.message()), f.exitCode(), f.retryable());
        };
    }

    private MaterializationReport redact(MaterializationReport m) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        m.getMetadata().forEach((k, v) -> metadata.put(redact(k), redactValue(v)));
        return MaterializationReport.newBuilder(m)
                .setAssetKey(redact(m.getAssetKey()))
                .setPartition(redact(m.getPartition()))
                .setDataVersion(redact(m.getDataVersion()))
                .setMetadata(metadata)
                .build();
    }

    private Object redactValue(Object v) {
        return switch (v) {
            case TextValue t -> new TextValue(redact(t.getValue()));
            case UrlValue u -> new UrlValue(redact(u.getValue()));
            case JsonValue j -> new JsonValue(redact(j.getValue()));
            case IntValue i -> i;
            case FloatValue f -> f;
            case BoolValue b -> b;
            default -> v;
        };
    }

    @Override
    public String toString() {
        return "Redactor[" + masks.size() + " values]"; // never the values
    }
}
