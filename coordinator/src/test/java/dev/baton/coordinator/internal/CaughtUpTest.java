package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The commit-coalescing rule "a fresh input means the thread has caught up", with explicit clock values. */
class CaughtUpTest {
    private static final long COALESCE_MS = 5;
    private static final long APPENDED = 1_000_000L;

    @Test
    void anInputTakenWithinTheThresholdIsFreshHoweverLongItsDecisionTakes() {
        // Taken 4 ms after it was appended; its decision then took 3 ms more: still no backlog behind it.
        long taken = APPENDED + 4;
        assertThat(RunProcessor.caughtUp(false, taken, APPENDED, COALESCE_MS)).isTrue();
        assertThat(RunProcessor.caughtUp(false, taken + 3, APPENDED, COALESCE_MS))
                .as("judged at the answer, the same input would look like a backlog").isFalse();
    }

    @Test
    void anInputThatWaitedLongerThanTheThresholdIsABacklogUnlessItFoundTheThreadIdle() {
        long taken = APPENDED + COALESCE_MS + 1;
        assertThat(RunProcessor.caughtUp(false, taken, APPENDED, COALESCE_MS)).isFalse();
        assertThat(RunProcessor.caughtUp(true, taken, APPENDED, COALESCE_MS)).isTrue();
    }
}
