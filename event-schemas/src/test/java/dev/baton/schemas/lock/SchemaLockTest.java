package dev.baton.schemas.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The compatibility gate of the public event contract: this test runs in the normal build, so an
 * incompatible change to a top-level event record, or a compatible one that was not locked, fails it.
 */
class SchemaLockTest {

    static Path lockDir() {
        String configured = System.getProperty("baton.schema.lock.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("schema-lock");
        return Files.isDirectory(dir) ? dir : Path.of("event-schemas", "schema-lock");
    }

    @TestFactory
    Stream<DynamicTest> everyTopLevelRecordReadsAllItsLockedVersionsAndIsLocked() {
        Path dir = lockDir();
        assertThat(dir).isDirectory();
        return SchemaLock.TOP_LEVEL_RECORDS.stream().map(schema -> DynamicTest.dynamicTest(schema.getFullName(), () -> {
            List<SchemaLock.Finding> findings = SchemaLock.check(dir, List.of(schema)).stream()
                    .filter(f -> f.kind() != SchemaLock.Kind.ORPHAN).toList();
            assertThat(findings).as("%s", findings).isEmpty();
        }));
    }

    @Test
    void noLockedRecordDisappeared() {
        List<SchemaLock.Finding> orphans = SchemaLock.check(lockDir(), SchemaLock.TOP_LEVEL_RECORDS).stream()
                .filter(f -> f.kind() == SchemaLock.Kind.ORPHAN).toList();
        assertThat(orphans).as("%s", orphans).isEmpty();
    }

    @Test
    void theContractListsItsTopLevelRecords() {
        // The thirteen of the run engine, plus the alerting component's four (issue 17), plus backfill events (issue 15).
        assertThat(SchemaLock.TOP_LEVEL_RECORDS).extracting(Schema::getName).containsExactlyInAnyOrder(
                "RunRequest", "ControlCommand", "AgentReport", "RunEvent", "StepCommand", "LineageEvent",
                "LogBatch", "AgentHeartbeat", "AuditRecord", "DeadLetter", "JobDefinition",
                "JobRegistrationRequest", "JobRegistrationResult",
                "IncidentEvent", "IncidentCommand", "Incident", "Alert", "BackfillEvent");
    }
}
