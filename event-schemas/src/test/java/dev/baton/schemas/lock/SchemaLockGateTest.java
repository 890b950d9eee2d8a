package dev.baton.schemas.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.events.ControlCommand;
import dev.baton.events.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves that the gate of {@link SchemaLockTest} fails on incompatible changes and asks for compatible ones to be locked. */
class SchemaLockGateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path lock;

    @Test
    void aNewFieldWithoutDefaultIsIncompatibleAndIsNotLocked() throws Exception {
        SchemaLock.append(lock, List.of(RunRequest.getClassSchema()));
        Schema changed = withField(RunRequest.getClassSchema(), "{\"name\":\"tenant\",\"type\":\"string\"}");

        List<SchemaLock.Finding> findings = SchemaLock.check(lock, List.of(changed));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.record()).isEqualTo("dev.baton.events.RunRequest");
            assertThat(f.kind()).isEqualTo(SchemaLock.Kind.INCOMPATIBLE);
            assertThat(f.message()).contains("v1").contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("tenant");
        });
        assertThatThrownBy(() -> SchemaLock.append(lock, List.of(changed)))
                .hasMessageContaining("dev.baton.events.RunRequest").hasMessageContaining("tenant");
        assertThat(lock.resolve("dev.baton.events.RunRequest/v2.avsc")).doesNotExist();
    }

    @Test
    void aRemovedUnionBranchIsIncompatible() throws Exception {
        SchemaLock.append(lock, List.of(ControlCommand.getClassSchema()));
        ObjectNode json = (ObjectNode) JSON.readTree(ControlCommand.getClassSchema().toString());
        for (JsonNode field : json.get("fields")) {
            if (field.get("name").asText().equals("command")) {
                ArrayNode branches = (ArrayNode) field.get("type");
                branches.remove(branches.size() - 1); // AdmitStep
            }
        }
        Schema changed = new Schema.Parser().parse(json.toString());

        List<SchemaLock.Finding> findings = SchemaLock.check(lock, List.of(changed));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.record()).isEqualTo("dev.baton.events.ControlCommand");
            assertThat(f.kind()).isEqualTo(SchemaLock.Kind.INCOMPATIBLE);
            assertThat(f.message()).contains("MISSING_UNION_BRANCH").contains("AdmitStep");
        });
    }

    @Test
    void aCompatibleChangeMustBeLockedAndTheLockCommandAppendsTheNextVersion() throws Exception {
        SchemaLock.append(lock, List.of(RunRequest.getClassSchema()));
        Schema changed = withField(RunRequest.getClassSchema(), "{\"name\":\"tenant\",\"type\":\"string\",\"default\":\"\"}");

        List<SchemaLock.Finding> findings = SchemaLock.check(lock, List.of(changed));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(SchemaLock.Kind.NOT_LOCKED);
            assertThat(f.message()).contains(SchemaLock.LOCK_COMMAND).contains("v2");
        });

        assertThat(SchemaLock.append(lock, List.of(changed))).containsExactly(lock.resolve("dev.baton.events.RunRequest/v2.avsc"));
        assertThat(SchemaLock.check(lock, List.of(changed))).isEmpty();
        assertThat(SchemaLock.lockedVersions(lock.resolve("dev.baton.events.RunRequest")).keySet()).containsExactly(1, 2);
    }

    @Test
    void compatibilityIsTransitiveOverEveryLockedVersion() throws Exception {
        // v1 has no "tenant"; v2 adds it with a default; dropping the default is fine against v2 but not against v1.
        SchemaLock.append(lock, List.of(RunRequest.getClassSchema()));
        SchemaLock.append(lock, List.of(withField(RunRequest.getClassSchema(), "{\"name\":\"tenant\",\"type\":\"string\",\"default\":\"\"}")));
        Schema changed = withField(RunRequest.getClassSchema(), "{\"name\":\"tenant\",\"type\":\"string\"}");

        List<SchemaLock.Finding> findings = SchemaLock.check(lock, List.of(changed));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(SchemaLock.Kind.INCOMPATIBLE);
            assertThat(f.message()).contains("v1:").doesNotContain("v2:");
        });
    }

    @Test
    void docChangesNeedNoNewVersionButARemovedRecordIsReported() throws Exception {
        SchemaLock.append(lock, List.of(RunRequest.getClassSchema(), ControlCommand.getClassSchema()));
        ObjectNode json = (ObjectNode) JSON.readTree(RunRequest.getClassSchema().toString());
        json.put("doc", "reworded");
        Schema reworded = new Schema.Parser().parse(json.toString());

        assertThat(SchemaLock.check(lock, List.of(reworded))).singleElement().satisfies(f -> {
            assertThat(f.record()).isEqualTo("dev.baton.events.ControlCommand");
            assertThat(f.kind()).isEqualTo(SchemaLock.Kind.ORPHAN);
        });
    }

    @Test
    void anUnlockedRecordAsksForTheLockCommand() {
        assertThat(SchemaLock.check(lock, List.of(RunRequest.getClassSchema()))).singleElement()
                .satisfies(f -> assertThat(f.message()).contains(SchemaLock.LOCK_COMMAND).contains("v1"));
        assertThat(Files.exists(lock.resolve("dev.baton.events.RunRequest"))).isFalse();
    }

    private static Schema withField(Schema schema, String fieldJson) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
        ((ArrayNode) json.get("fields")).add(JSON.readTree(fieldJson));
        return new Schema.Parser().parse(json.toString());
    }
}
