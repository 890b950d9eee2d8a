package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RecentAttemptsTest {
    private Instant now = Instant.parse("2026-11-22T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    @Test
    void remembersFatesForTheTtlAndTheCapacity() {
        var r = new RecentAttempts(2, Duration.ofMinutes(10), clock);
        r.record("a", RecentAttempts.Fate.FINISHED);
        r.record("b", RecentAttempts.Fate.CANCELED);
        assertThat(r.get("a")).isEqualTo(RecentAttempts.Fate.FINISHED);
        r.record("c", RecentAttempts.Fate.FINISHED);
        assertThat(r.get("a")).as("evicted by capacity").isNull();
        now = now.plus(Duration.ofMinutes(11));
        assertThat(r.get("b")).as("expired").isNull();
    }

    @Test
    void aCancelIsNotOverwrittenByTheAttemptFinishing() {
        var r = new RecentAttempts(10, Duration.ofMinutes(10), clock);
        r.record("a", RecentAttempts.Fate.CANCELED);
        r.record("a", RecentAttempts.Fate.FINISHED);
        assertThat(r.get("a")).isEqualTo(RecentAttempts.Fate.CANCELED);
    }
}
