package dev.baton.platform;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauge {@code baton.pool.backlog} (tag {@code pool}; Prometheus {@code baton_pool_backlog}): commands of a pool
 * not yet acquired by any agent ({@link PoolBacklog}). Costs nothing at rest: the backlog is read from Kafka only when
 * the gauge is read (a scrape), at most once per {@code minInterval}, on a short-lived virtual thread, so a scrape
 * never waits for Kafka and sees the value of the previous read. A pool appears after the read that first sees its
 * command topic.
 */
public final class PoolBacklogMeters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolBacklogMeters.class);
    /** Read timeout of one refresh. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final PoolBacklog backlog;
    private final MeterRegistry registry;
    private final long minIntervalNanos;
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long lastRefresh;
    private volatile boolean closed;

    private PoolBacklogMeters(PoolBacklog backlog, MeterRegistry registry, Duration minInterval) {
        this.backlog = backlog;
        this.registry = registry;
        this.minIntervalNanos = minInterval.toNanos();
        this.lastRefresh = System.nanoTime() - minIntervalNanos;
    }

    /** Registers the gauges of the pools that exist now (one read at once, in the background) and later ones. */
    public static PoolBacklogMeters bind(PoolBacklog backlog, MeterRegistry registry, Duration minInterval) {
        PoolBacklogMeters m = new PoolBacklogMeters(backlog, registry, minInterval);
        m.maybeRefresh();
        return m;
    }

    private double value(String pool) {
        maybeRefresh();
        return values.getOrDefault(pool, Double.NaN);
    }

    private void maybeRefresh() {
        if (closed || System.nanoTime() - lastRefresh < minIntervalNanos || !refreshing.compareAndSet(false, true)) {
            return;
        }
        lastRefresh = System.nanoTime();
        Thread.ofVirtual().name("baton-pool-backlog").start(() -> {
            try {
                for (PoolBacklog.Pool p : backlog.read(READ_TIMEOUT).values()) {
                    if (values.put(p.pool(), (double) p.backlog()) == null && !closed) {
                        Gauge.builder("baton.pool.backlog", this, self -> self.value(p.pool()))
                                .description("Commands of the pool not yet acquired by an agent (share group lag)")
                                .tag("pool", p.pool()).register(registry);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.debug("Could not read the pools' command backlog: {}", e.toString());
            } finally {
                refreshing.set(false);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        registry.find("baton.pool.backlog").gauges().forEach(registry::remove);
    }
}
