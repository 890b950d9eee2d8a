package dev.baton.cli;

import dev.baton.platform.BatonService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs services until SIGINT/SIGTERM, then closes them in reverse start order. */
final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

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
        return started.stream().filter(s -> s instanceof BatonService).map(s -> (BatonService) s).toList();
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
        List<AutoCloseable> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        for (AutoCloseable s : reversed) {
            try {
                s.close();
            } catch (Exception e) {
                log.warn("Error while stopping {}: {}", s, e.toString());
            }
        }
        stopped.countDown();
    }
}
