package dev.baton.platform.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/** How long a stream thread's poll may wait: poll.ms while busy, else until its next due work, within bounds. */
class PollBudgetTest {
    private static final long POLL_MS = 20;
    private static final long MAX_MS = 1_000;
    private static final long NOW = 1_765_000_000_000L;

    @Test
    void withNothingDueThePollWaitsTheLongest() {
        assertThat(PollBudget.timeoutMs(POLL_MS, MAX_MS, NOW, IdlePunctuation.NONE, false)).isEqualTo(MAX_MS);
        assertThat(PollBudget.timeoutMs(POLL_MS, MAX_MS, NOW, NOW + 60_000, false)).isEqualTo(MAX_MS);
    }

    @Test
    void thePollEndsWhenTheNextWorkIsDue() {
        assertThat(PollBudget.timeoutMs(POLL_MS, MAX_MS, NOW, NOW + 300, false)).isEqualTo(300);
    }

    @Test
    void neverShorterThanPollMs() {
        assertThat(PollBudget.timeoutMs(POLL_MS, MAX_MS, NOW, NOW + 3, false)).isEqualTo(POLL_MS);
        assertThat(PollBudget.timeoutMs(POLL_MS, MAX_MS, NOW, NOW - 500, false)).isEqualTo(POLL_MS);
    }

    @Test
    void aBusyThreadPollsPollMs() {
        assertThat(PollBudget.timeoutMs(POLL_MS, MAX_MS, NOW, IdlePunctuation.NONE, true)).isEqualTo(POLL_MS);
    }

    @Test
    void offWhenTheLongestIsNotAbovePollMs() {
        assertThat(PollBudget.timeoutMs(POLL_MS, 0, NOW, IdlePunctuation.NONE, false)).isEqualTo(POLL_MS);
        assertThat(PollBudget.timeoutMs(POLL_MS, POLL_MS, NOW, IdlePunctuation.NONE, false)).isEqualTo(POLL_MS);
    }

    @Test
    void anOpenTransactionOrRecordsOfTheLastPollKeepPollMs() {
        PollBudget budget = new PollBudget();
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW)).isEqualTo(MAX_MS);
        budget.transactionBegun();
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW)).isEqualTo(POLL_MS);
        budget.transactionEnded();
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW)).isEqualTo(MAX_MS);
        budget.polled(true);
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW)).isEqualTo(POLL_MS);
        budget.polled(false);
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW)).isEqualTo(MAX_MS);
    }

    @Test
    void theThreadsIdlePunctuationsBoundThePoll() {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(NOW);
        long[] due = {IdlePunctuation.NONE};
        IdlePunctuation p = IdlePunctuation.schedule(context, Duration.ofMillis(50), Duration.ofSeconds(60), now -> due[0]);
        PollBudget budget = new PollBudget();
        budget.register(p);
        // Scheduled at its interval: the poll ends when it is due.
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW)).isEqualTo(50);

        // It ran and found work due in 300 ms: it sleeps until then, and so may the poll.
        due[0] = NOW + 350;
        runLatest(context, NOW + 50);
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW + 50)).isEqualTo(300);

        // Nothing due: it sleeps its longest, the poll waits its longest.
        due[0] = IdlePunctuation.NONE;
        runLatest(context, NOW + 350);
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW + 350)).isEqualTo(MAX_MS);

        // An input wakes it: back to its interval, and the poll with it.
        context.setCurrentSystemTimeMs(NOW + 400);
        p.wake();
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW + 400)).isEqualTo(50);
    }

    @Test
    void aPunctuationLongPastItsDueTimeNoLongerBoundsThePoll() {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(NOW);
        IdlePunctuation p = IdlePunctuation.schedule(context, Duration.ofMillis(50), Duration.ofSeconds(60), now -> IdlePunctuation.NONE);
        PollBudget budget = new PollBudget();
        budget.register(p);
        // Its task is gone (closed or revoked): it never runs again.
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW + 1_000)).isEqualTo(POLL_MS);
        assertThat(budget.timeoutMs(POLL_MS, MAX_MS, NOW + 50 + PollBudget.STALE_MS + 1)).isEqualTo(MAX_MS);
    }

    /** Runs the punctuation scheduled last (IdlePunctuation cancels the previous one when it reschedules) at {@code ms}. */
    private static void runLatest(MockProcessorContext<Void, Void> context, long ms) {
        context.setCurrentSystemTimeMs(ms);
        List<MockProcessorContext.CapturedPunctuator> scheduled = context.scheduledPunctuators();
        scheduled.get(scheduled.size() - 1).getPunctuator().punctuate(ms);
    }
}
