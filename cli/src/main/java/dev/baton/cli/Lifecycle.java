package dev.baton.cli;

import dev.baton.platform.BatonService;
import dev.baton.platform.FailFast;
import dev.baton.platform.Watchdog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs services until SIGINT/SIGTERM, then closes them in reverse start order; services added with
 * {@link #addTogether} one after another are independent of each other and close at the same time (each still after
 * everything added after them and before everything added before them). With {@link #failFast} the process also ends,
 * with a message on stderr and a non-zero code, when a service is DOWN or the JVM runs out of memory.
 */
final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile Watchdog watchdog;

    Lifecycle() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "baton-shutdown"));
    }

    <T extends AutoCloseable> T add(T service) {
        started.add(service);
        return service;
    }

    /**
     * Adds a service that closes at the same time as the ones added with this method right before it: `baton dev`'s
     * components, each of whose stop waits for its own clients (a consumer's close, a step's grace), so that a stop
     * takes the longest of them and not their sum.
     */
    <T extends AutoCloseable> T addTogether(T service) {
        synchronized (started) {
            if (!started.isEmpty() && started.getLast() instanceof Together group) {
                group.members.add(service);
            } else {
                Together group = new Together();
                group.members.add(service);
                started.add(group);
            }
        }
        return service;
    }

    List<BatonService> services() {
        List<AutoCloseable> all = new ArrayList<>();
        synchronized (started) {
            for (AutoCloseable s : started) {
                if (s instanceof Together group) {
                    all.addAll(group.members);
                } else {
                    all.add(s);
                }
            }
        }
        return all.stream().filter(s -> s instanceof BatonService).map(s -> (BatonService) s).toList();
    }

    /** Services closed at the same time, one thread each; the close returns when all of them have closed. */
    private static final class Together implements AutoCloseable {
        private final List<AutoCloseable> members = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void close() throws InterruptedException {
            List<Thread> threads = new ArrayList<>();
            for (AutoCloseable m : List.copyOf(members)) {
                threads.add(Thread.ofPlatform().name("baton-stop-" + threads.size()).start(() -> closeLogging(m)));
            }
            for (Thread t : threads) {
                t.join();
            }
        }

        @Override
        public String toString() {
            return members.toString();
        }
    }

    private static void closeLogging(AutoCloseable s) {
        try {
            s.close();
        } catch (Exception e) {
            log.warn("Error while stopping {}: {}", s, e.toString());
        }
    }

    /**
     * Ends the process through {@code exit} when a service added here is DOWN (checked every
     * {@link Watchdog#DEFAULT_INTERVAL}: exit code {@link FailFast#EXIT_COMPONENT_DOWN}) or any thread dies of an
     * OutOfMemoryError (code {@link FailFast#EXIT_OUT_OF_MEMORY}). Services added later are watched too.
     */
    void failFast(FailFast.Exit exit) {
        FailFast.installUncaughtExceptionHandler(exit);
        watchdog = Watchdog.start(this::services, Watchdog.DEFAULT_INTERVAL, exit);
    }

    /** Blocks until the process is asked to stop. */
    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        Watchdog w = watchdog;
        if (w != null) {
            w.close(); // services stopped on purpose are not dead ones
        }
        List<AutoCloseable> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        for (AutoCloseable s : reversed) {
            closeLogging(s);
        }
        if (RECORDING_AOT_CACHE) {
            // The JVM assembles the cache after this, in a child JVM, before the process ends: say why the stop waits.
            log.info("Stopped. The JVM now writes its AOT cache for the next start (once per build, some seconds; "
                    + "BATON_AOT=0 turns it off, docs/operations.md)");
        }
        stopped.countDown();
    }

    /** Whether this JVM records an AOT cache at exit (the ./baton launcher's first start of a server command on JDK 25). */
    private static final boolean RECORDING_AOT_CACHE = java.lang.management.ManagementFactory.getRuntimeMXBean()
            .getInputArguments().stream().anyMatch(a -> a.startsWith("-XX:AOTCacheOutput="));
}
