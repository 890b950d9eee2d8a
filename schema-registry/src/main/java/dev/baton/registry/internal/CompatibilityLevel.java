package dev.baton.registry.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's {@link SchemaCompatibility}. BACKWARD: the
 * new schema reads data written with the previous one; FORWARD: the previous one reads data written
 * with the new one; FULL: both. The transitive variants check every earlier version, the others
 * only the latest.
 */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    public static final CompatibilityLevel DEFAULT = BACKWARD;

    public static CompatibilityLevel parse(String level) {
        if (level != null) {
            try {
                return valueOf(level.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // fall through
            }
        }
        throw new RegistryError(422, RegistryError.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, "
                        + "forward_transitive, and full_transitive");
    }

    boolean transitive() {
        return name().endsWith("_TRANSITIVE");
    }

    boolean backward() {
        return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    boolean forward() {
        return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    /**
     * @param previous earlier versions, oldest first, each with its version number
     * @return one message per incompatibility; empty when compatible
     */
    public List<String> check(Schema candidate, List<Versioned> previous) {
        if (this == NONE || previous.isEmpty()) {
            return List.of();
        }
        List<Versioned> against = transitive() ? previous : List.of(previous.get(previous.size() - 1));
        List<String> messages = new ArrayList<>();
        for (Versioned old : against) {
            if (backward()) {
                messages.addAll(describe("version " + old.version() + " (BACKWARD)",
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema())));
            }
            if (forward()) {
                messages.addAll(describe("version " + old.version() + " (FORWARD)",
                        SchemaCompatibility.checkReaderWriterCompatibility(old.schema(), candidate)));
            }
        }
        return messages;
    }

    /** An earlier schema of a subject. */
    public record Versioned(int version, Schema schema) {}

    private static List<String> describe(String against, SchemaPairCompatibility result) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            out.add("{errorType:'" + i.getType() + "', description:'" + i.getMessage() + "', location:'" + i.getLocation()
                    + "', against:'" + against + "'}");
        }
        if (out.isEmpty()) {
            out.add("{errorType:'INCOMPATIBLE', description:'" + result.getDescription() + "', against:'" + against + "'}");
        }
        return out;
    }
}
