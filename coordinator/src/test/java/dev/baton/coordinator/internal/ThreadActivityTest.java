package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The commit-coalescing rule "an input that finds its stream thread idle is no backlog", with explicit clock values. */
class ThreadActivityTest {
    private static final long GAP = RunProcessor.IDLE_GAP_NANOS;

    @Test
    void theFirstInputOfAThreadFindsItIdle() {
        assertThat(new RunProcessor.ThreadActivity().idleBefore(123L)).isTrue();
    }

    @Test
    void anInputRightBehindAnotherIsABacklogAndOneAfterAGapIsNot() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L);
        a.handled(1_000L);
        assertThat(a.idleBefore(1_000L + GAP - 1)).as("taken from the consumer's buffer").isFalse();
        a.handled(2 * GAP);
        assertThat(a.idleBefore(2 * GAP + GAP)).as("the thread waited in poll() for it").isTrue();
    }

    @Test
    void aGapSpentCommittingIsNotIdleness() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L);
        a.commitAsked();
        a.handled(1_000L);
        assertThat(a.idleBefore(1_000L + 10 * GAP)).as("inputs that waited for the commit share the next one").isFalse();
        a.handled(20 * GAP);
        assertThat(a.idleBefore(22 * GAP)).as("the commit was paid; the next gap is idleness again").isTrue();
    }
}
