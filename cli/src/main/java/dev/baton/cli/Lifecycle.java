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
 * Runs services until SIGINT/SIGTERM, then closes them in reverse start order. With {@link #failFast} the process
 * also ends, with a message on stderr and a non-zero code, when a service is DOWN or the JVM runs out of memory.
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

    List<BatonService> services() {
        return List.copyOf(started).stream().filter(s -> s instanceof BatonService).map(s -> (BatonService) s).toList();
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
            try {
                s.close();
            } catch (Exception e) {
                log.warn("Error while stopping {}: {}", s, e.toString());
            }
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
