package dev.baton.coordinator.internal.processing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Event and attempt ids are derived from names: the cached-digest version must give the ids the JDK's would. */
class DecisionContextUuidTest {
    @Test
    void idsAreTheJdksNameBasedUuids() {
        Random random = new Random(20);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder name = new StringBuilder("run-" + i + "/timer/HEARTBEAT_DEADLINE/s" + random.nextInt(50) + "/");
            for (int c = random.nextInt(40); c > 0; c--) {
                name.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 0x4e00 + random.nextInt(500)));
            }
            String n = name.toString();
            assertThat(DecisionContext.uuid(n)).isEqualTo(UUID.nameUUIDFromBytes(n.getBytes(StandardCharsets.UTF_8)).toString());
        }
        assertThat(DecisionContext.uuid("")).isEqualTo(UUID.nameUUIDFromBytes(new byte[0]).toString());
    }
}
