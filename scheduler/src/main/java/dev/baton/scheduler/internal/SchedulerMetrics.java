package dev.baton.scheduler.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's meters.
 * <ul>
 *   <li>{@code baton.scheduler.tick.lag} (timer; job, schedule): a tick's due time to its run request being sent.</li>
 *   <li>{@code baton.scheduler.ticks} (counter; job, schedule, outcome): REQUESTED, SKIPPED, QUEUED, MISSED, FAILED.</li>
 *   <li>{@code baton.scheduler.undecodable} (counter; topic): job definitions or run events the engine could not read.</li>
 *   <li>{@code baton.sensor.consumer.lag} (gauge; job, trigger, kind): records of the sensor's topic not yet consumed.</li>
 *   <li>{@code baton.sensor.waiting.for.topic} (gauge; job, trigger, kind): 1 while the sensor's topic does not exist.</li>
 *   <li>{@code baton.sensor.request.latency} (timer with Prometheus buckets; job, trigger, kind): record timestamp to its
 *       run request committed.</li>
 *   <li>{@code baton.sensor.requests} / {@code baton.sensor.filtered} (counters; job, trigger, kind): records that
 *       requested a run / did not match.</li>
 *   <li>{@code baton.sensor.dead.letters} (counter; job, trigger, kind, cause): records sent to the dead-letter topic.</li>
 * </ul>
 */
public final class SchedulerMetrics {
    /** Buckets of {@code baton_sensor_request_latency_seconds}. */
    static final Duration[] LATENCY_BUCKETS = java.util.stream.Stream.of(50L, 100L, 250L, 500L, 1_000L, 2_500L, 5_000L,
            10_000L, 30_000L, 60_000L, 120_000L, 300_000L, 900_000L).map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;

    public SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void tickLag(String job, String schedule, long lagMs) {
        Timer.builder("baton.scheduler.tick.lag").description("Due time of a tick to its run request")
                .tags("job", job, "schedule", schedule).publishPercentiles(0.5, 0.99).register(registry)
                .record(Duration.ofMillis(Math.max(0, lagMs)));
    }

    public void tick(String job, String schedule, String outcome) {
        registry.counter("baton.scheduler.ticks", "job", job, "schedule", schedule, "outcome", outcome).increment();
    }

    public void undecodable(String topic) {
        registry.counter("baton.scheduler.undecodable", "topic", topic).increment();
    }

    public Sensor sensor(String job, String trigger, String kind) {
        return new Sensor(Tags.of("job", job, "trigger", trigger, "kind", kind));
    }

    /** The meters of one sensor; {@link #close()} removes them when the sensor stops. */
    public final class Sensor implements AutoCloseable {
        private final Tags tags;
        private final AtomicLong lag = new AtomicLong();
        private final AtomicLong waiting = new AtomicLong();
        private final List<Meter> meters = new ArrayList<>();
        private final Timer latency;
        private final Counter requests;
        private final Counter filtered;
        private final Counter batches;
        private final Counter transactions;

        Sensor(Tags tags) {
            this.tags = tags;
            meters.add(Gauge.builder("baton.sensor.consumer.lag", lag, AtomicLong::get)
                    .description("Records of the sensor's topic not yet consumed").tags(tags).register(registry));
            meters.add(Gauge.builder("baton.sensor.waiting.for.topic", waiting, AtomicLong::get)
                    .description("1 while the sensor's topic does not exist yet").tags(tags).register(registry));
            // Fixed Prometheus buckets (not client-side percentiles): histogram_quantile aggregates them across
            // sensors and schedulers, and the alert "sensor latency over one minute" reads them (deploy/prometheus).
            latency = Timer.builder("baton.sensor.request.latency").description("Record timestamp to run request committed")
                    .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            requests = Counter.builder("baton.sensor.requests").tags(tags).register(registry);
            filtered = Counter.builder("baton.sensor.filtered").tags(tags).register(registry);
            meters.add(latency);
            meters.add(requests);
            meters.add(filtered);
            batches = Counter.builder("baton.sensor.batches").description("Polls that returned records")
                    .tags(tags).register(registry);
            transactions = Counter.builder("baton.sensor.transactions")
                    .description("Transactions committed (run requests or dead letters with offsets, or offsets of filtered records alone)")
                    .tags(tags).register(registry);
            meters.add(batches);
            meters.add(transactions);
        }

        public void lag(long records) {
            lag.set(records);
        }

        public void waitingForTopic(boolean w) {
            waiting.set(w ? 1 : 0);
        }

        public void latency(long ms) {
            latency.record(Duration.ofMillis(Math.max(0, ms)));
        }

        public void requested(int n) {
            requests.increment(n);
        }

        public void filtered(int n) {
            filtered.increment(n);
        }

        public void batch() {
            batches.increment();
        }

        public void committed() {
            transactions.increment();
        }

        public void deadLetter(String cause) {
            Counter c = Counter.builder("baton.sensor.dead.letters").tags(tags).tag("cause", cause).register(registry);
            if (!meters.contains(c)) {
                meters.add(c);
            }
            c.increment();
        }

        @Override
        public void close() {
            meters.forEach(registry::remove);
        }
    }
}
