package dev.baton.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The Prometheus registry of one Baton process, with the JVM and process meters every component exposes
 * ({@code jvm_memory_*}, {@code jvm_gc_*}, {@code jvm_threads_*}, {@code process_cpu_usage}, {@code process_uptime_seconds},
 * {@code process_files_open_files}, ...). Each component adds its own meters and its Kafka clients' (Micrometer's
 * {@code KafkaStreamsMetrics}/{@code KafkaClientMetrics}); see docs/operations.md#metrics. Every meter is computed
 * when scraped: nothing polls at rest.
 */
public final class BatonMeters {
    /** Default ports of {@code /metrics} and {@code /health} of the components run on their own (docs/operations.md). */
    public static final int COORDINATOR_PORT = 9401;
    public static final int SCHEDULER_PORT = 9402;
    public static final int AGENT_PORT = 9403;
    /** 9405 as in docker-compose.yml; the registry takes 9404. */
    public static final int ALERTING_PORT = 9405;
    public static final int REGISTRY_PORT = 9404;
    public static final int BROKER_PORT = 9406;

    private BatonMeters() {}

    /** A new Prometheus registry with the JVM and process meters bound. */
    public static PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindProcess(r);
        return r;
    }

    /** Binds the JVM and process meters to {@code registry}. */
    @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process
    public static void bindProcess(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }
}
