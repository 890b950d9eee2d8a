package dev.baton.platform.streams;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What one stream thread has due next, for {@link IdlePollClientSupplier}: the next runs of the {@link IdlePunctuation}s
 * scheduled on the thread, whether its producer has a transaction open, and whether its last poll returned records.
 *
 * <p>Kafka Streams' run loop polls with a fixed {@code poll.ms} and runs wall-clock punctuations and commits only after
 * the poll returned; under exactly-once a processed record becomes readable only at that commit. A poll may therefore
 * last longer than {@code poll.ms} only while none of that is due: no transaction open (nothing processed or punctuated
 * waits for its commit), the previous poll empty (nothing left to process), and no punctuation due before it ends.
 *
 * <p>One per thread ({@link #current()}); used only from that thread (processors, producer and consumer calls of a
 * stream thread all run on it).
 */
public final class PollBudget {
    private static final ThreadLocal<PollBudget> CURRENT = ThreadLocal.withInitial(PollBudget::new);

    PollBudget() {
    }
    /**
     * A punctuation this far past its due time has not run although its thread polled many times meanwhile: its task is
     * gone (closed, revoked) or not running, so it does not bound the poll.
     */
    static final long STALE_MS = 10_000;

    /** Weak: a closed task's processor, and its punctuation with it, must not stay registered. */
    private final List<WeakReference<IdlePunctuation>> punctuations = new ArrayList<>();
    private boolean transactionOpen;
    private boolean lastPollHadRecords;

    /** The calling thread's budget. */
    public static PollBudget current() {
        return CURRENT.get();
    }

    void register(IdlePunctuation p) {
        if (punctuations.size() >= 64) {
            // Threads whose polls never ask (no idle poll configured, tests) still register: drop the collected ones.
            punctuations.removeIf(r -> r.get() == null);
        }
        punctuations.add(new WeakReference<>(p));
    }

    /** The producer of this thread began a transaction (records or offsets now wait for its commit). */
    public void transactionBegun() {
        transactionOpen = true;
    }

    /** The producer of this thread committed or aborted its transaction. */
    public void transactionEnded() {
        transactionOpen = false;
    }

    public boolean transactionOpen() {
        return transactionOpen;
    }

    void polled(boolean hadRecords) {
        lastPollHadRecords = hadRecords;
    }

    /** Whether the thread has work that the next commit or loop must not wait for. */
    boolean busy() {
        return transactionOpen || lastPollHadRecords;
    }

    /** The earliest next run (epoch ms) of the thread's live punctuations, or {@link IdlePunctuation#NONE}. */
    long nextDueMs(long nowMs) {
        long next = IdlePunctuation.NONE;
        for (Iterator<WeakReference<IdlePunctuation>> it = punctuations.iterator(); it.hasNext(); ) {
            IdlePunctuation p = it.next().get();
            if (p == null) {
                it.remove();
                continue;
            }
            long due = p.nextRunMs();
            if (due >= nowMs - STALE_MS) {
                next = Math.min(next, due);
            }
        }
        return next;
    }

    /** How long this thread's next poll may wait, when Streams asked for {@code requestedMs} (see {@link #timeoutMs}). */
    long timeoutMs(long requestedMs, long maxMs, long nowMs) {
        if (maxMs <= requestedMs || busy()) {
            return requestedMs;
        }
        return timeoutMs(requestedMs, maxMs, nowMs, nextDueMs(nowMs), false);
    }

    /**
     * The poll timeout: {@code requestedMs} (Streams' {@code poll.ms}) while {@code busy} or when {@code maxMs} is not
     * longer; else until the next due work at {@code nextDueMs} (epoch ms, {@link IdlePunctuation#NONE}: none), but at
     * least {@code requestedMs} and at most {@code maxMs}.
     */
    static long timeoutMs(long requestedMs, long maxMs, long nowMs, long nextDueMs, boolean busy) {
        if (busy || maxMs <= requestedMs) {
            return requestedMs;
        }
        if (nextDueMs == IdlePunctuation.NONE) {
            return maxMs;
        }
        return Math.max(requestedMs, Math.min(maxMs, nextDueMs - nowMs));
    }
}
