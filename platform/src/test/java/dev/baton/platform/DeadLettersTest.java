package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private static final byte[] VALUE = "garbage".getBytes(StandardCharsets.UTF_8);

    @Test
    void theIdIsDerivedFromWhereTheRecordCameFromSoAReplayYieldsTheSameId() {
        var first = DeadLetters.of("agent", "NOT_WIRE_FORMAT", "bad", "t", 1, 42, null, VALUE, new RecordHeaders(), null,
                Instant.parse("2026-12-01T00:00:00Z"));
        var replay = DeadLetters.of("agent", "NOT_WIRE_FORMAT", "bad", "t", 1, 42, null, VALUE, new RecordHeaders(), null,
                Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(replay.getEventId()).isEqualTo(first.getEventId());
        assertThat(DeadLetters.of("agent", "NOT_WIRE_FORMAT", "bad", "t", 1, 43, null, VALUE, null, null, Instant.EPOCH).getEventId())
                .isNotEqualTo(first.getEventId());
        assertThat(DeadLetters.of("agent", "NOT_WIRE_FORMAT", "bad", "t", 2, 42, null, VALUE, null, null, Instant.EPOCH).getEventId())
                .isNotEqualTo(first.getEventId());
        assertThat(first.getSourceTopic()).isEqualTo("t");
        assertThat(first.getOffset()).isEqualTo(42);
    }
}
