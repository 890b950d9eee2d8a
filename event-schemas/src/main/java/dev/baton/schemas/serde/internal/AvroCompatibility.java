package dev.baton.schemas.serde.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Compatibility levels as Confluent defines them, checked with Avro's own {@link SchemaCompatibility}. */
public enum AvroCompatibility {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    public static AvroCompatibility parse(String level) {
        try {
            return valueOf(level.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Invalid compatibility level: " + level);
        }
    }

    /**
     * Checks {@code candidate} against the previous versions (oldest first); non-transitive levels
     * only look at the last one. Returns one message per incompatibility, empty when compatible.
     */
    public List<String> check(Schema candidate, List<Schema> previousOldestFirst) {
        if (this == NONE || previousOldestFirst.isEmpty()) {
            return List.of();
        }
        boolean transitive = name().endsWith("_TRANSITIVE");
        List<Schema> against = transitive ? previousOldestFirst
                : List.of(previousOldestFirst.get(previousOldestFirst.size() - 1));
        boolean backward = this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
        boolean forward = this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
        List<String> messages = new ArrayList<>();
        for (Schema old : against) {
            if (backward) {
                messages.addAll(describe("new schema cannot read data written with an earlier schema",
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, old)));
            }
            if (forward) {
                messages.addAll(describe("an earlier schema cannot read data written with the new schema",
                        SchemaCompatibility.checkReaderWriterCompatibility(old, candidate)));
            }
        }
        return messages;
    }

    /** Messages of a reader/writer check, empty when the reader can read what the writer wrote. */
    public static List<String> describe(String context, SchemaPairCompatibility result) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            out.add(context + ": " + i.getType() + " at " + i.getLocation() + ": " + i.getMessage()
                    + " (writer " + name(i.getWriterFragment()) + ", reader " + name(i.getReaderFragment()) + ")");
        }
        if (out.isEmpty()) {
            out.add(context + ": " + result.getDescription());
        }
        return out;
    }

    private static String name(Schema s) {
        if (s == null) {
            return "-";
        }
        return switch (s.getType()) {
            case RECORD, ENUM, FIXED -> s.getFullName();
            case UNION -> "union" + s.getTypes().stream().map(AvroCompatibility::name).toList();
            default -> s.getType().getName();
        };
    }
}
