package dev.baton.scheduler;

import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared helpers of the broker tests. */
final class Support {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Support() {}

    /** Scheduler configuration under the test's topics, with its own state directory and instance id. */
    static SchedulerConfig config(TestCluster cluster, Topics topics, Map<String, ?> overrides) {
        Map<String, Object> raw = cluster.config(topics);
        int n = SEQ.incrementAndGet();
        raw.put(SchedulerConfig.STATE_DIR, tempDir("scheduler-state-" + n + "-").toString());
        raw.put(SchedulerConfig.INSTANCE_ID, "test-" + n);
        raw.put(SchedulerConfig.TICK_INTERVAL_MS, 50L);
        // The tests move the schedules' clock by hours at once, which no input announces; a real clock's next tick
        // wakes the look on time (the default 30 s is only a safety net for job changes, which nudge it).
        raw.put(SchedulerConfig.TICK_MAX_SLEEP_MS, 1000L);
        raw.put(SchedulerConfig.SENSOR_RESTART_BACKOFF_MS, 100L);
        // The broker's minimum: a crashed engine's task moves on after 6 s.
        raw.put(SchedulerConfig.SESSION_TIMEOUT_MS, 6000);
        raw.putAll(overrides);
        return new SchedulerConfig(raw);
    }

    /** A fresh directory: state left by an earlier run would describe topics of a broker that is gone. */
    static Path tempDir(String prefix) {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(tmp);
            return Files.createTempDirectory(tmp, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double counter(MeterRegistry meters, String name, String... tags) {
        Counter c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }
}
