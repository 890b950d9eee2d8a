package dev.baton.platform.streams;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * A wall-clock punctuation that runs every {@code interval} while its processor has work due soon, and otherwise sleeps
 * until that work is due (at most {@code maxSleep}); {@link #wake()} brings it back to the short interval at once (call
 * it when an input may have made work due: a timer armed, a commit owed).
 *
 * <p>Why: Kafka Streams marks a task as needing a commit after every punctuation that ran, and once the task has
 * consumed a record that commit is an exactly-once transaction carrying the task's offsets (AddOffsetsToTxn,
 * TxnOffsetCommit, EndTxn, markers) even when nothing changed. A fixed short punctuation therefore costs a transaction
 * every commit interval for ever, at rest too. Sleeping until the work is due keeps the same precision (the work runs at
 * its due time, at the thread's next wake-up) without waking, or committing, for nothing.
 *
 * <p>Not thread-safe: use it from its processor's {@code init}, {@code process} and punctuations (the stream thread).
 */
public final class IdlePunctuation {
    /** The punctuator's work. */
    @FunctionalInterface
    public interface Work {
        /**
         * Does the work that is due at wall-clock time {@code now} (ms) and returns when there is more work next (epoch
         * ms; {@code now} or earlier: at the next interval), or {@link #NONE} when none is known.
         */
        long run(long now);
    }

    /** {@link Work#run} knows no further work. */
    public static final long NONE = Long.MAX_VALUE;

    private final ProcessorContext<?, ?> context;
    private final long intervalMs;
    private final long maxSleepMs;
    private final Work work;
    private Cancellable scheduled;
    private long periodMs;
    /** Wall-clock time (ms) of its next run, as far as known. */
    private long nextRunMs;

    private IdlePunctuation(ProcessorContext<?, ?> context, long intervalMs, long maxSleepMs, Work work) {
        this.context = context;
        this.intervalMs = intervalMs;
        this.maxSleepMs = Math.max(intervalMs, maxSleepMs);
        this.work = work;
    }

    /**
     * Schedules {@code work} every {@code interval} (wall-clock) from now; it sleeps once {@code work} reports nothing
     * due within the interval.
     */
    public static IdlePunctuation schedule(ProcessorContext<?, ?> context, Duration interval, Duration maxSleep, Work work) {
        IdlePunctuation p = new IdlePunctuation(context, Math.max(1, interval.toMillis()), maxSleep.toMillis(), work);
        p.reschedule(p.intervalMs);
        PollBudget.current().register(p); // its thread's poll must not outlast its next run (IdlePollClientSupplier)
        return p;
    }

    /** Back to the short interval (no-op when not sleeping). */
    public void wake() {
        if (periodMs != intervalMs) {
            reschedule(intervalMs);
        }
    }

    /**
     * As {@link #wake()}, but only when work due at {@code dueMs} (epoch ms) would otherwise wait for a later run: an
     * input that arms work due after the next run needs no extra run, nor the commit each run costs.
     */
    public void wakeBy(long dueMs) {
        if (periodMs != intervalMs && dueMs < nextRunMs) {
            reschedule(intervalMs);
        }
    }

    /** Whether it currently waits longer than its interval (for tests and metrics). */
    public boolean sleeping() {
        return periodMs > intervalMs;
    }

    /** The current wait between two runs, in ms. */
    public long periodMs() {
        return periodMs;
    }

    /** Wall-clock time (epoch ms) of its next run, as far as known. */
    public long nextRunMs() {
        return nextRunMs;
    }

    private void punctuate(long now) {
        long next = work.run(now);
        long period = next == NONE ? maxSleepMs : Math.max(intervalMs, Math.min(maxSleepMs, next - now));
        if (period != periodMs) {
            reschedule(period);
        } else {
            nextRunMs = now + period;
        }
    }

    private void reschedule(long period) {
        if (scheduled != null) {
            scheduled.cancel(); // also from within its own punctuation: Streams then does not schedule it again
        }
        periodMs = period;
        nextRunMs = context.currentSystemTimeMs() + period;
        scheduled = context.schedule(Duration.ofMillis(period), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }
}
