package dev.baton.platform;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the health of the components of this process every few seconds and ends the process (through a
 * {@link FailFast.Exit}) the first time one is {@link ServiceHealth.Status#DOWN}: a component whose essential
 * thread died does not come back by itself, and a supervisor restarting the process is the cure. One daemon
 * thread, one check per interval; the components answer from their own state (no I/O).
 *
 * <pre>{@code
 * try (Watchdog w = Watchdog.start(() -> List.of(agent), Watchdog.DEFAULT_INTERVAL, FailFast.PROCESS)) { ... }
 * }</pre>
 * Close it before closing the components on purpose, so that a component being stopped is never mistaken for a
 * dead one.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
    /** Often enough that a supervisor restarts a broken process within seconds; each check is a few field reads. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    private final ScheduledExecutorService timer;
    private final AtomicBoolean fired = new AtomicBoolean();
    private final Supplier<List<BatonService>> services;
    private final FailFast.Exit exit;

    private Watchdog(Supplier<List<BatonService>> services, FailFast.Exit exit) {
        this.services = services;
        this.exit = exit;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    public static Watchdog start(Supplier<List<BatonService>> services, Duration interval, FailFast.Exit exit) {
        Watchdog w = new Watchdog(services, exit);
        long ms = interval.toMillis();
        w.timer.scheduleWithFixedDelay(w::check, ms, ms, TimeUnit.MILLISECONDS);
        return w;
    }

    /** One check; public for callers that want an answer now. Returns true when it ended the process. */
    public boolean check() {
        try {
            for (BatonService s : services.get()) {
                ServiceHealth h = s.health();
                if (h.down() && fired.compareAndSet(false, true)) {
                    String message = s.name() + " is DOWN: " + h.reason();
                    log.error("{}; ending the process", message);
                    timer.shutdown();
                    exit.exit(FailFast.EXIT_COMPONENT_DOWN, message);
                    return true;
                }
            }
        } catch (RuntimeException e) {
            // A check that throws must not end the checks (a scheduled task that throws is never run again).
            log.warn("Health check failed: {}", e.toString());
        }
        return false;
    }

    /** True once the watchdog found a component DOWN and called its exit. */
    public boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
