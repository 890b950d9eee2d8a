package dev.baton.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.fixtures.SampleEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Generated classes must build, serialize and deserialize in a fresh JVM started without
 * {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}: nothing in Baton may depend on that flag.
 */
class FreshJvmTrustTest {

    @Test
    void everyEventBuildsAndRoundTripsInAFreshJvmWithoutTheSerializablePackagesFlag() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Child.class.getName()))
                .redirectErrorStream(true)
                .start();
        String output;
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        } finally {
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("round-tripped " + SampleEvents.byTopic().size() + " events").contains("round-tripped 13 events");
    }

    /** Runs in the child JVM. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") != null) {
                throw new IllegalStateException("the child must run without the flag");
            }
            int n = 0;
            for (Map.Entry<String, SpecificRecord> e : SampleEvents.byTopic().entrySet()) {
                @SuppressWarnings("unchecked")
                Class<SpecificRecord> type = (Class<SpecificRecord>) e.getValue().getClass();
                try (AvroSerde<SpecificRecord> serde = new AvroSerde<>()) {
                    serde.configure(Map.of("schema.registry.url", "mock://fresh-jvm", AvroSerdeConfig.VALUE_TYPE, type.getName()), false);
                    SpecificRecord back = serde.deserialize(e.getKey(), serde.serialize(e.getKey(), e.getValue()));
                    if (!back.equals(e.getValue())) {
                        throw new IllegalStateException(type + " did not round-trip: " + back);
                    }
                    n++;
                }
            }
            System.out.println("round-tripped " + n + " events");
        }
    }
}
