package dev.baton.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.registry.internal.CompatibilityLevel;
import dev.baton.registry.internal.CompatibilityLevel.Versioned;
import dev.baton.registry.internal.RegistryError;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The seven levels on three classic changes, checked with Avro's SchemaCompatibility (no broker needed). */
class CompatibilityLevelTest {
    static Schema schema(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
    }

    static final Schema A = schema("{\"name\":\"a\",\"type\":\"int\"}");
    static final Schema A_B_DEFAULT = schema("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}");
    static final Schema A_B = schema("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"int\"}");
    static final Schema B_DEFAULT = schema("{\"name\":\"b\",\"type\":\"int\",\"default\":0}");

    static boolean compatible(String level, Schema candidate, Schema... previous) {
        List<Versioned> versions = new java.util.ArrayList<>();
        for (int i = 0; i < previous.length; i++) {
            versions.add(new Versioned(i + 1, previous[i]));
        }
        return CompatibilityLevel.parse(level).check(candidate, versions).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // level,            add field w/o default, remove required field, add field w/ default, transitive trap
            "NONE,                true,  true,  true,  true",
            "BACKWARD,            false, true,  true,  true",
            "BACKWARD_TRANSITIVE, false, true,  true,  false",
            "FORWARD,             true,  false, true,  true",
            "FORWARD_TRANSITIVE,  true,  false, true,  true",
            "FULL,                false, false, true,  true",
            "FULL_TRANSITIVE,     false, false, true,  false",
    })
    void levelsAcceptExactlyTheChangesConfluentDocuments(String level, boolean addRequired, boolean removeRequired,
                                                          boolean addOptional, boolean transitiveTrap) {
        assertThat(compatible(level, A_B, A)).as("add a field without default").isEqualTo(addRequired);
        assertThat(compatible(level, B_DEFAULT, A_B_DEFAULT)).as("remove a field without default").isEqualTo(removeRequired);
        assertThat(compatible(level, A_B_DEFAULT, A)).as("add a field with default").isEqualTo(addOptional);
        // v1 A, v2 A_B_DEFAULT; candidate A_B reads v2 but not v1.
        assertThat(compatible(level, A_B, A, A_B_DEFAULT)).as("only the latest is checked unless transitive").isEqualTo(transitiveTrap);
    }

    @Test
    void levelsParseCaseInsensitivelyAndRejectOthersWith42203() {
        assertThat(CompatibilityLevel.parse("full_transitive")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SOMETIMES")).isInstanceOfSatisfying(RegistryError.class,
                e -> assertThat(e.code()).isEqualTo(42203));
    }
}
