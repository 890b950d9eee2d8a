package dev.baton.gateway.internal.backfills;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** {@code baton.backfill.duration}: a backfill's request to its completion or cancel (a seed SLI), by job and outcome. */
public final class BackfillMetrics {
    public static final String DURATION = "baton.backfill.duration";
    private final MeterRegistry registry;

    public BackfillMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** @param outcome succeeded, failed or canceled */
    public void finished(String job, String outcome, long millis) {
        if (registry == null) {
            return;
        }
        Timer.builder(DURATION)
                .description("Backfill duration from its request to its completion or cancel")
                .tag("job", job)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofDays(2))
                .register(registry)
                .record(Duration.ofMillis(Math.max(0, millis)));
    }
}
