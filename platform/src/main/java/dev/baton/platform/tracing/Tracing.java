package dev.baton.platform.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's OpenTelemetry tracing, configured only by the standard {@code OTEL_*} environment variables and
 * {@code otel.*} system properties (SDK autoconfigure). <b>Off unless configured</b>: with {@code otel.traces.exporter}
 * ({@code OTEL_TRACES_EXPORTER}) unset or {@code none}, or {@code otel.sdk.disabled=true}, this is the no-op
 * implementation (no SDK is built, spans cost a no-op call) and Baton writes no trace context into its events.
 *
 * <p>When on, metrics and logs exporters default to {@code none} (Baton's metrics are Micrometer's; set
 * {@code OTEL_METRICS_EXPORTER} to override), {@code service.name} defaults to {@code baton}, and the SDK's id
 * generator is {@link DeterministicIds#GENERATOR}, so that spans rebuilt from events keep the ids derived from them.
 * One instance per JVM ({@link #get()}): in the single-machine stack every component shares it and names itself by
 * its tracer's instrumentation scope ({@code dev.baton.gateway}, {@code dev.baton.coordinator}, ...).
 */
public final class Tracing {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

    /** Instrumentation scopes, one per component (the tracer name shows which component emitted a span). */
    public static final String GATEWAY = "dev.baton.gateway";
    public static final String SCHEDULER = "dev.baton.scheduler";
    public static final String COORDINATOR = "dev.baton.coordinator";
    public static final String AGENT = "dev.baton.agent";

    private static final Tracing OFF = new Tracing(OpenTelemetry.noop(), null);
    private static volatile Tracing current;

    private final OpenTelemetry otel;
    private final OpenTelemetrySdk sdk;

    private Tracing(OpenTelemetry otel, OpenTelemetrySdk sdk) {
        this.otel = otel;
        this.sdk = sdk;
    }

    /** The JVM's tracing, built from the environment on first use (and flushed by a shutdown hook). */
    public static Tracing get() {
        Tracing t = current;
        if (t == null) {
            synchronized (Tracing.class) {
                t = current;
                if (t == null) {
                    t = fromEnvironment();
                    current = t;
                }
            }
        }
        return t;
    }

    /**
     * Shuts the current instance down (exporting what it holds) and reads the environment again on the next
     * {@link #get()}: for tests and embedders that change {@code otel.*} system properties at run time.
     */
    public static synchronized void reload() {
        Tracing t = current;
        current = null;
        if (t != null) t.shutdown();
    }

    /** True when configured: spans are recorded and exported, and trace context is written into events. */
    public boolean enabled() {
        return sdk != null;
    }

    /** The tracer of one component (see the scope constants). */
    public Tracer tracer(String scope) {
        return otel.getTracer(scope);
    }

    /**
     * Starts a span whose ids are given instead of generated: {@code spanId} always, {@code traceId} when the span has
     * no valid parent (a root span). Either may be null for a generated one.
     */
    public Span startWithIds(SpanBuilder builder, String traceId, String spanId) {
        if (sdk == null) return builder.startSpan();
        DeterministicIds.preset(traceId, spanId);
        try {
            return builder.startSpan();
        } finally {
            DeterministicIds.clear();
        }
    }

    /** Exports every ended span now (tests, and before a process exits). */
    public void flush() {
        if (sdk != null) sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
    }

    private void shutdown() {
        if (sdk != null) sdk.shutdown().join(10, TimeUnit.SECONDS);
    }

    /** Whether the environment turns tracing on (see the class comment). */
    public static boolean configured() {
        if ("true".equalsIgnoreCase(setting("otel.sdk.disabled"))) return false;
        String exporter = setting("otel.traces.exporter");
        return exporter != null && !exporter.isBlank() && !exporter.trim().equalsIgnoreCase("none");
    }

    private static String setting(String property) {
        String v = System.getProperty(property);
        if (v != null) return v;
        return System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
    }

    private static Tracing fromEnvironment() {
        if (!configured()) return OFF;
        try {
            OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    // Defaults only: OTEL_* variables and otel.* system properties override each of them.
                    .addPropertiesSupplier(() -> Map.of(
                            "otel.service.name", "baton",
                            "otel.metrics.exporter", "none",
                            "otel.logs.exporter", "none"))
                    .addTracerProviderCustomizer((b, config) -> b.setIdGenerator(DeterministicIds.GENERATOR))
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
            Tracing t = new Tracing(sdk, sdk);
            Runtime.getRuntime().addShutdownHook(new Thread(t::shutdown, "baton-tracing-shutdown"));
            LOG.info("OpenTelemetry tracing on (traces exporter {})", setting("otel.traces.exporter"));
            return t;
        } catch (RuntimeException e) {
            // A bad OTEL_* setting must not stop the orchestrator; say why and run without tracing.
            LOG.error("OpenTelemetry tracing stays off: the OTEL_* configuration is invalid: {}", e.getMessage());
            return OFF;
        }
    }
}
