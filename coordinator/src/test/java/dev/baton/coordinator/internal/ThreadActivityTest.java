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
        a.commitAsked(0L);
        a.handled(1_000L);
        assertThat(a.idleBefore(1_000L + 10 * GAP)).as("inputs that waited for the commit share the next one").isFalse();
        a.handled(20 * GAP);
        assertThat(a.idleBefore(22 * GAP)).as("the commit was paid; the next gap is idleness again").isTrue();
    }

    private static final long LINGER = 20_000_000L;

    @Test
    void oneRunAtATimeNeverLingers() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.input("r1");
        a.input("r1");
        a.commitAsked(0L);
        a.input("r2"); // the next run of a chain, right after the previous one's end was committed
        assertThat(a.lingers(1L, LINGER)).isFalse();
    }

    @Test
    void inputsOfSeveralRunsBetweenCommitsLingerUntilTheLingerHasPassedSinceTheLastCommit() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.input("r1");
        a.input("r2");
        assertThat(a.lingers(1L, LINGER)).as("no commit asked yet: nothing to space from").isFalse();
        a.commitAsked(100L);
        a.input("r3");
        assertThat(a.lingers(100L + LINGER - 1, LINGER)).as("the window before had several runs").isTrue();
        assertThat(a.lingers(100L + LINGER, LINGER)).isFalse();
        a.commitAsked(200L);
        a.input("r3");
        a.commitAsked(300L);
        a.input("r4");
        assertThat(a.lingers(301L, LINGER)).as("two windows of one run each: back to committing at once").isFalse();
    }
}
