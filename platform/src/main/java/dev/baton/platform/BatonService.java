package dev.baton.platform;

/**
 * A running Baton component (coordinator, agent, scheduler, gateway, registry). Started by a static
 * factory of the component from its typed configuration; {@code baton dev} runs several in one JVM,
 * production runs each alone.
 */
public interface BatonService extends AutoCloseable {
    /** Short name for logs and health output, e.g. {@code coordinator}. */
    String name();

    /** True once the component does its job (for /health): joined its groups, restored its state. */
    boolean ready();

    /**
     * Whether the component does its job, and if not whether it will get there by itself ({@code STARTING}) or not
     * ({@code DOWN}: an essential thread died; the {@link Watchdog} ends the process). Cheap: answers from the
     * component's own state, without I/O. The default knows only {@link #ready()}.
     */
    default ServiceHealth health() {
        return ready() ? ServiceHealth.UP : ServiceHealth.starting("not ready");
    }

    /** Stops the component, finishing in-flight work where its contract says so. Idempotent. */
    @Override
    void close();
}
