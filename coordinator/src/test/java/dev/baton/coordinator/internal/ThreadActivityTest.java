package dev.baton.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The commit-coalescing rule "an input that finds its stream thread idle is no backlog", with explicit clock values. */
class ThreadActivityTest {
    private static final long GAP = RunProcessor.IDLE_GAP_NANOS;
    /** An input's append time (broker clock, ms) where it does not matter. */
    private static final long T = 1_700_000_000_000L;

    @Test
    void theFirstInputOfAThreadFindsItIdle() {
        assertThat(new RunProcessor.ThreadActivity().idleBefore(123L, T)).isTrue();
    }

    @Test
    void anInputRightBehindAnotherIsABacklogAndOneAfterAGapIsNot() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L, T);
        a.handled(1_000L);
        assertThat(a.idleBefore(1_000L + GAP - 1, T)).as("taken from the consumer's buffer").isFalse();
        a.handled(2 * GAP);
        assertThat(a.idleBefore(2 * GAP + GAP, T)).as("the thread waited in poll() for it").isTrue();
    }

    @Test
    void aGapSpentCommittingIsNotIdleness() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L, T);
        a.commitAsked(0L);
        a.handled(1_000L);
        assertThat(a.idleBefore(1_000L + 10 * GAP, T)).as("inputs that waited for the commit share the next one").isFalse();
        a.handled(20 * GAP);
        assertThat(a.idleBefore(22 * GAP, T)).as("the commit was paid; the next gap is idleness again").isTrue();
    }

    @Test
    void anInputAppendedAfterTheCommitCompletedAndTakenAGapLaterFindsTheThreadIdle() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L, T);
        a.commitAsked(500L); // a run's end, committed at once
        a.handled(1_000L);
        a.commitDone(1_000L + 5 * GAP, T + 5); // the transaction took 5 ms
        assertThat(a.idleBefore(1_000L + 20 * GAP, T + 12))
                .as("the next run's request, appended and made readable after the commit: the thread waited in poll()")
                .isTrue();
    }

    @Test
    void anInputTakenRightAfterTheCommitCompletedWaitedForIt() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L, T);
        a.commitAsked(500L);
        a.handled(1_000L);
        a.commitDone(1_000L + 50 * GAP, T + 50); // a slow commit: the gap since the last input is all the commit's
        assertThat(a.idleBefore(1_000L + 50 * GAP + GAP - 1, T + 50)).as("readable when the commit ended: a backlog").isFalse();
    }

    @Test
    void anInputAppendedBeforeTheCommitCompletedWaitedForItHoweverLateTheThreadTookIt() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L, T);
        a.commitAsked(500L);
        a.handled(1_000L);
        a.commitDone(1_000L + 5 * GAP, T + 5);
        assertThat(a.idleBefore(1_000L + 20 * GAP, T + 4))
                .as("appended while the commit ran; a loaded thread slow to poll again is no idleness").isFalse();
    }

    @Test
    void aCommitDoneBeforeTheAskDoesNotCountForIt() {
        RunProcessor.ThreadActivity a = new RunProcessor.ThreadActivity();
        a.idleBefore(0L, T);
        a.commitDone(100L, T); // Streams' own commit (interval, punctuation)
        a.commitAsked(500L);
        a.handled(1_000L);
        assertThat(a.idleBefore(1_000L + 10 * GAP, T + 10)).as("the commit asked is not known to have completed").isFalse();
        a.handled(11 * GAP);
        a.commitDone(12 * GAP, T + 12); // not asked by the coordinator: the gap since the last input decides, as before
        assertThat(a.idleBefore(12 * GAP + 1, T)).isTrue();
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
