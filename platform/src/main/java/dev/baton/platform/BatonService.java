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

    /** Stops the component, finishing in-flight work where its contract says so. Idempotent. */
    @Override
    void close();
}
