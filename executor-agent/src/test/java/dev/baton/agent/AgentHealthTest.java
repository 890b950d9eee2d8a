package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.NoopAction;
import dev.baton.platform.FailFast;
import dev.baton.platform.ServiceHealth;
import dev.baton.platform.Watchdog;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;

/** An agent whose essential thread died says so on its health, and its watchdog ends the process. */
@WithKafka
class AgentHealthTest {

    private record Exit(int code, String message) {}

    @Test
    void aDeadCommandLoopMakesTheAgentDownAndTheWatchdogEndsTheProcess(TestCluster cluster) {
        AtomicBoolean fault = new AtomicBoolean();
        List<Exit> exits = new CopyOnWriteArrayList<>();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        // The Error reaches the thread's uncaught exception handler (where the CLI's ends the process on OutOfMemoryError).
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try (AgentHarness h = new AgentHarness(cluster, "health")) {
            Agent agent = Agent.start(AgentConfig.of(h.agentConfig(Map.of())), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    real -> failingPolls(real, fault));
            try (Watchdog watchdog = Watchdog.start(() -> List.of(agent), Duration.ofMillis(100), (code, message) -> exits.add(new Exit(code, message)))) {
                h.succeeded(h.execute("default", new NoopAction()));
                assertThat(agent.health()).isEqualTo(ServiceHealth.UP);
                assertThat(watchdog.check()).as("a healthy agent is left alone").isFalse();

                fault.set(true); // the next poll of the command loop throws, as an OutOfMemoryError in that thread would

                await().dontCatchUncaughtExceptions().untilAsserted(() -> {
                    ServiceHealth health = agent.health();
                    assertThat(health.status()).isEqualTo(ServiceHealth.Status.DOWN);
                    assertThat(health.reason()).contains("command loop of pool default", "baton-agent-commands-default", "injected");
                });
                assertThat(agent.ready()).isFalse();
                await().dontCatchUncaughtExceptions().untilAsserted(() -> assertThat(exits).singleElement().satisfies(e -> {
                    assertThat(e.code()).isEqualTo(FailFast.EXIT_COMPONENT_DOWN);
                    assertThat(e.message()).startsWith("agent is DOWN: command loop of pool default").contains("injected");
                }));
                assertThat(watchdog.fired()).isTrue();
                // The thread marks itself DOWN before it rethrows; the JVM hands the Error to the handler only after
                // that, so on a loaded machine the watchdog can see DOWN first.
                await().dontCatchUncaughtExceptions().untilAsserted(() ->
                        assertThat(uncaught).singleElement().isInstanceOf(OutOfMemoryError.class));
            } finally {
                agent.close();
            }
            assertThat(agent.health().status()).as("closed on purpose is not DOWN").isEqualTo(ServiceHealth.Status.STOPPED);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /** The real share consumer, except that {@code poll} throws once {@code fault} is set. */
    @SuppressWarnings("unchecked")
    private static ShareConsumer<byte[], byte[]> failingPolls(ShareConsumer<byte[], byte[]> real, AtomicBoolean fault) {
        return (ShareConsumer<byte[], byte[]>) Proxy.newProxyInstance(ShareConsumer.class.getClassLoader(), new Class<?>[] {ShareConsumer.class},
                (proxy, method, args) -> {
                    if (fault.get() && method.getName().equals("poll")) {
                        throw new OutOfMemoryError("injected fault");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
