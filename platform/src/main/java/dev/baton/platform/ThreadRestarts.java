package dev.baton.platform;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Whether a failed worker thread (a Kafka Streams stream thread, say) should be replaced or the component should
 * give up and report DOWN. Replacing is right for a passing failure (a fenced producer, a broker timeout); it is
 * wrong when the same input fails every replacement (issue 12: a stream thread died and was replaced 45 times in 8
 * minutes while /health said UP and every other run on its tasks hung). So: an Error such as OutOfMemoryError
 * gives up at once (the JVM is not to be trusted), and more than {@code maxReplacements} failures within
 * {@code window} give up too, which makes the failure visible and lets a supervisor restart the process.
 * Not a fold: reading the clock here is fine.
 */
public final class ThreadRestarts {
    /** Three replacements in five minutes: more than a passing broker hiccup, far fewer than a crash loop. */
    public static final int DEFAULT_MAX_REPLACEMENTS = 3;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

    private final String what;
    private final int maxReplacements;
    private final long windowNanos;
    private final Deque<Long> failures = new ArrayDeque<>();
    private volatile String lastFailure;
    private volatile String fatal;

    public ThreadRestarts(String what, int maxReplacements, Duration window) {
        this.what = what;
        this.maxReplacements = maxReplacements;
        this.windowNanos = window.toNanos();
    }

    public ThreadRestarts(String what) {
        this(what, DEFAULT_MAX_REPLACEMENTS, DEFAULT_WINDOW);
    }

    /** Called on the failing thread: true to replace it, false to give up ({@link #fatal()} then says why). */
    public synchronized boolean mayReplace(Throwable e) {
        String thread = Thread.currentThread().getName();
        lastFailure = what + " (thread " + thread + ") failed: " + describe(e);
        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError) || FailFast.isOutOfMemory(e)) {
            fatal = lastFailure;
            return false;
        }
        String denied = KafkaAccess.authorizationFailure(e);
        if (denied != null) {
            // A missing ACL fails every replacement the same way: say so at once rather than after three more tries.
            fatal = what + " (thread " + thread + ") failed: " + denied;
            return false;
        }
        long now = System.nanoTime();
        failures.addLast(now);
        while (!failures.isEmpty() && now - failures.peekFirst() > windowNanos) {
            failures.removeFirst();
        }
        if (failures.size() > maxReplacements) {
            fatal = what + " failed " + failures.size() + " times within " + Duration.ofNanos(windowNanos).toMinutes()
                    + " min (replaced each time, failing again); last: thread " + thread + ": " + describe(e);
            return false;
        }
        return true;
    }

    /** The exception and, when it wraps others (Streams does), its root cause: the part that says what went wrong. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    /** Why the component gave up, or null. */
    public String fatal() {
        return fatal;
    }

    /** The last failure seen (given up on or not), or null. */
    public String lastFailure() {
        return lastFailure;
    }
}
