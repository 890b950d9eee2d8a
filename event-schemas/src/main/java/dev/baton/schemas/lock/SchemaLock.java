package dev.baton.schemas.lock;

import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentReport;
import dev.baton.events.AuditRecord;
import dev.baton.events.ControlCommand;
import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.JobRegistrationRequest;
import dev.baton.events.JobRegistrationResult;
import dev.baton.events.LineageEvent;
import dev.baton.events.LogBatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.StepCommand;
import dev.baton.schemas.serde.internal.AvroCompatibility;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The schema lock: every published version of each top-level event record, kept under
 * {@code schema-lock/<FullRecordName>/v<N>.avsc}. The current schema must read data written with
 * every locked version (BACKWARD_TRANSITIVE, checked with Avro's {@code SchemaCompatibility}), and
 * every compatible change must be locked as a new version (see {@link SchemaLockTool}).
 */
public final class SchemaLock {

    /** The records written as top-level values on Baton's topics: the public contract. */
    public static final List<Schema> TOP_LEVEL_RECORDS = List.of(
            RunRequest.getClassSchema(), ControlCommand.getClassSchema(), AgentReport.getClassSchema(),
            RunEvent.getClassSchema(), StepCommand.getClassSchema(), LineageEvent.getClassSchema(),
            LogBatch.getClassSchema(), AgentHeartbeat.getClassSchema(), AuditRecord.getClassSchema(),
            DeadLetter.getClassSchema(), JobDefinition.getClassSchema(), JobRegistrationRequest.getClassSchema(),
            JobRegistrationResult.getClassSchema(), dev.baton.events.IncidentEvent.getClassSchema(),
            dev.baton.events.IncidentCommand.getClassSchema(), dev.baton.events.Incident.getClassSchema(),
            dev.baton.events.Alert.getClassSchema(), dev.baton.events.BackfillEvent.getClassSchema());

    /** The command that appends new lock versions, as printed in failures. */
    public static final String LOCK_COMMAND = "./mvnw -q -pl event-schemas compile exec:java";

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

    public enum Kind {
        /** The current schema cannot read data written with a locked version: the change must be undone. */
        INCOMPATIBLE,
        /** The current schema differs from the newest locked version but is compatible: run the lock command. */
        NOT_LOCKED,
        /** A lock directory without a matching top-level record (renamed or removed record). */
        ORPHAN
    }

    public record Finding(String record, Kind kind, String message) {
        @Override
        public String toString() {
            return record + " [" + kind + "]: " + message;
        }
    }

    private SchemaLock() {}

    /** Checks {@code current} (top-level records) against the lock directory; empty when all is well. */
    public static List<Finding> check(Path lockDir, List<Schema> current) {
        List<Finding> findings = new ArrayList<>();
        for (Schema schema : current) {
            String name = schema.getFullName();
            TreeMap<Integer, Schema> locked = lockedVersions(lockDir.resolve(name));
            if (locked.isEmpty()) {
                findings.add(new Finding(name, Kind.NOT_LOCKED, "no locked version in " + lockDir.resolve(name)
                        + "; run `" + LOCK_COMMAND + "` to lock the current schema as v1"));
                continue;
            }
            List<String> problems = incompatibilities(schema, locked);
            if (!problems.isEmpty()) {
                findings.add(new Finding(name, Kind.INCOMPATIBLE, "the current schema is not BACKWARD_TRANSITIVE compatible "
                        + "with the locked versions; consumers could no longer read events already written. Restore the "
                        + "field/branch/symbol or give the new field a default (a new meaning is a new event type or a "
                        + "new field with a default):\n  " + String.join("\n  ", problems)));
            } else if (!locked.lastEntry().getValue().equals(schema)) {
                findings.add(new Finding(name, Kind.NOT_LOCKED, "the current schema changed compatibly since locked v"
                        + locked.lastKey() + "; run `" + LOCK_COMMAND + "` to lock it as v" + (locked.lastKey() + 1)
                        + " and commit the new file"));
            }
        }
        Set<String> names = current.stream().map(Schema::getFullName).collect(Collectors.toSet());
        if (Files.isDirectory(lockDir)) {
            try (Stream<Path> dirs = Files.list(lockDir)) {
                dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(d -> !names.contains(d)).sorted()
                        .forEach(d -> findings.add(new Finding(d, Kind.ORPHAN, "locked, but no longer a top-level record; "
                                + "published event types are never removed")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return findings;
    }

    /**
     * Appends {@code v<N+1>.avsc} for every record whose current schema differs from its newest
     * locked version ({@code v1.avsc} when none), refusing incompatible changes.
     *
     * @return the files written
     * @throws IllegalStateException naming each incompatible record (nothing is written then)
     */
    public static List<Path> append(Path lockDir, List<Schema> current) {
        List<Finding> incompatible = check(lockDir, current).stream().filter(f -> f.kind() == Kind.INCOMPATIBLE).toList();
        if (!incompatible.isEmpty()) {
            throw new IllegalStateException("Refusing to lock incompatible schemas:\n"
                    + incompatible.stream().map(Finding::toString).collect(Collectors.joining("\n")));
        }
        List<Path> written = new ArrayList<>();
        for (Schema schema : current) {
            Path dir = lockDir.resolve(schema.getFullName());
            TreeMap<Integer, Schema> locked = lockedVersions(dir);
            if (!locked.isEmpty() && locked.lastEntry().getValue().equals(schema)) {
                continue;
            }
            int next = locked.isEmpty() ? 1 : locked.lastKey() + 1;
            Path file = dir.resolve("v" + next + ".avsc");
            try {
                Files.createDirectories(dir);
                Files.writeString(file, schema.toString(true) + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + file, e);
            }
            written.add(file);
        }
        return written;
    }

    /** Locked versions of one record, by version number. */
    public static TreeMap<Integer, Schema> lockedVersions(Path recordDir) {
        TreeMap<Integer, Schema> versions = new TreeMap<>();
        if (!Files.isDirectory(recordDir)) {
            return versions;
        }
        try (Stream<Path> files = Files.list(recordDir)) {
            for (Path file : files.toList()) {
                Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    versions.put(Integer.parseInt(m.group(1)), new Schema.Parser().parse(Files.readString(file)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read locked schemas in " + recordDir, e);
        }
        return versions;
    }

    private static List<String> incompatibilities(Schema current, Map<Integer, Schema> locked) {
        List<String> problems = new ArrayList<>();
        locked.forEach((version, old) -> AvroCompatibility.BACKWARD.check(current, List.of(old))
                .forEach(p -> problems.add("v" + version + ": " + p)));
        return problems;
    }
}
