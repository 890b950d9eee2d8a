package dev.baton.schemas.lock;

import java.nio.file.Path;
import java.util.List;

/**
 * Appends a new locked version for every top-level record whose schema changed compatibly:
 * {@code ./mvnw -q -pl event-schemas compile exec:java} (the lock directory comes from the
 * plugin configuration; pass it as the first argument when running the class yourself).
 * Exits with status 1, writing nothing, when a change is incompatible.
 */
public final class SchemaLockTool {
    private SchemaLockTool() {}

    public static void main(String[] args) {
        Path lockDir = Path.of(args.length > 0 ? args[0] : "event-schemas/schema-lock").toAbsolutePath().normalize();
        try {
            List<Path> written = SchemaLock.append(lockDir, SchemaLock.TOP_LEVEL_RECORDS);
            if (written.isEmpty()) {
                System.out.println("Schema lock is up to date (" + lockDir + ").");
            } else {
                written.forEach(p -> System.out.println("Locked " + lockDir.relativize(p)));
                System.out.println("Commit the new files under " + lockDir + ".");
            }
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
