package dev.baton.registry;

import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** One real KRaft broker for every test of this JVM (tests isolate themselves by topic names). */
final class SharedBroker {
    private static EmbeddedKafkaBroker broker;

    private SharedBroker() {}

    static synchronized String bootstrapServers() {
        if (broker == null) {
            try {
                Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                Files.createDirectories(tmp);
                broker = EmbeddedKafkaBroker.start(Files.createTempDirectory(tmp, "registry-broker"), 0, Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "shared-broker-shutdown"));
        }
        return broker.bootstrapServers();
    }
}
