package dev.baton.platform;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Ending the process when it can no longer do its job, so that a supervisor (systemd, Kubernetes, Docker's
 * restart policy) starts a fresh one instead of it lingering half-alive: an essential thread died (see
 * {@link Watchdog}) or the JVM ran out of memory. The action is an {@link Exit}, injectable so that tests
 * observe it instead of ending their JVM.
 */
public final class FailFast {
    /** A component is DOWN (an essential thread died); {@code EX_SOFTWARE} of sysexits.h. */
    public static final int EXIT_COMPONENT_DOWN = 70;
    /** An OutOfMemoryError: the code {@code -XX:+ExitOnOutOfMemoryError} exits with, so a supervisor sees one code either way. */
    public static final int EXIT_OUT_OF_MEMORY = 3;
    /** How long shutdown hooks (draining the agent, closing Streams) get before the process is halted anyway. */
    static final Duration HALT_AFTER = Duration.ofSeconds(90);

    /** What to do when the process must end. */
    @FunctionalInterface
    public interface Exit {
        /** Ends the process with {@code code} after printing {@code message}; may return (tests), must not throw. */
        void exit(int code, String message);
    }

    /**
     * The real thing: prints the message on stderr, then {@code System.exit} from a fresh thread (shutdown hooks
     * close the other components cleanly) with a halt after {@link #HALT_AFTER} in case a hook hangs. An
     * OutOfMemoryError halts at once: with the heap exhausted, shutdown hooks may hang or fail themselves.
     */
    public static final Exit PROCESS = (code, message) -> {
        PrintStream err = System.err;
        err.println("baton: " + message);
        err.println("baton: exiting with code " + code + " so that a supervisor restarts the process");
        err.flush();
        if (code == EXIT_OUT_OF_MEMORY) {
            Runtime.getRuntime().halt(code);
        }
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("baton: shutdown did not finish within " + HALT_AFTER.toSeconds() + " s; halting");
            Runtime.getRuntime().halt(code);
        }, "baton-fail-fast-halt");
        halt.setDaemon(true);
        halt.start();
        Thread exit = new Thread(() -> System.exit(code), "baton-fail-fast-exit");
        exit.setDaemon(true);
        exit.start();
    };

    private FailFast() {}

    /** True when {@code t} or one of its causes is an OutOfMemoryError. */
    public static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes an OutOfMemoryError in any thread end the process (code {@link #EXIT_OUT_OF_MEMORY}); other uncaught
     * exceptions are printed as the JVM does by default, and a component whose essential thread died that way is
     * found DOWN by its {@link Watchdog}. Process-wide: for the CLI's commands, not for code embedding a component.
     */
    public static void installUncaughtExceptionHandler(Exit exit) {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (isOutOfMemory(e)) {
                exit.exit(EXIT_OUT_OF_MEMORY, "OutOfMemoryError in thread " + thread.getName() + ": " + e.getMessage());
                return;
            }
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            e.printStackTrace();
        });
    }
}
