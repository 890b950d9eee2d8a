package dev.baton.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real KRaft broker (Apache Kafka's broker code, in this JVM) and one embedded
 * Confluent-compatible schema registry per test JVM, on first use, and stops them when the JVM's
 * tests are done. Tests isolate themselves with unique topic prefixes ({@link TestCluster#newTopics()}),
 * never by restarting the broker.
 */
public final class BatonKafkaExtension implements ParameterResolver {
    private static final String KEY = TestCluster.class.getName();

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == TestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return shared(e);
    }

    static TestCluster shared(ExtensionContext e) {
        // The root store closes the cluster after the last test of this JVM.
        return e.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, k -> TestCluster.start(), TestCluster.class);
    }
}
