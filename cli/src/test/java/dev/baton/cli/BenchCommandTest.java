package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `baton bench` runs the benchmark jar as its own process; the CLI itself carries neither the harness nor JMH. */
class BenchCommandTest {

    @Test
    void cliClassPathHasNeitherJmhNorTheBenchmarkHarness() {
        // The enforcer rule in cli/pom.xml bans the dependencies; this checks what the CLI's class path really holds.
        assertThatThrownBy(() -> Class.forName("org.openjdk.jmh.runner.Runner")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName(BenchCommand.MAIN_CLASS)).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void findsTheBenchmarkJarOfTheCheckoutTheCliJarWasBuiltIn(@TempDir Path root) throws Exception {
        Path cliTarget = Files.createDirectories(root.resolve("cli/target"));
        Path benchJar = Files.createDirectories(root.resolve("benchmarks/target")).resolve(BenchCommand.JAR_NAME);
        assertThat(BenchCommand.locateJar(null, null, cliTarget)).isEmpty();
        Files.writeString(benchJar, "jar");
        assertThat(BenchCommand.locateJar(null, null, cliTarget)).contains(benchJar);
        assertThat(BenchCommand.locateJar(null, "", cliTarget)).contains(benchJar);
    }

    @Test
    void anExplicitJarWinsAndAMissingOneIsAClearError(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("other.jar"), "jar");
        assertThat(BenchCommand.locateJar(jar.toString(), null, null)).contains(jar);
        assertThat(BenchCommand.locateJar(null, jar.toString(), null)).contains(jar);
        assertThatThrownBy(() -> BenchCommand.locateJar(dir.resolve("missing.jar").toString(), null, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing.jar does not exist");
    }

    @Test
    void passesScenarioQuickAndTheExperimentSettingsToTheBenchmarkJvm() {
        List<String> jvm = BenchCommand.forwardedJvmArgs(List.of("-Xmx2g", "-XX:MaxGCPauseMillis=30", "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=/x/baton-1.jsa", "-Xlog:cds*=off", "--enable-native-access=ALL-UNNAMED",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events", "-Dbench.rates=200,400", "-Dbaton.bench.jar=/j.jar"));
        assertThat(jvm).containsExactly("-Xmx2g", "-XX:MaxGCPauseMillis=30", "--enable-native-access=ALL-UNNAMED",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events", "-Dbench.rates=200,400");
        assertThat(BenchCommand.command("java", Path.of("b.jar"), jvm, "chain", true)).containsExactly("java", "-Xmx2g",
                "-XX:MaxGCPauseMillis=30", "--enable-native-access=ALL-UNNAMED", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events",
                "-Dbench.rates=200,400", "-cp", "b.jar", BenchCommand.MAIN_CLASS, "chain", "--quick");
        assertThat(BenchCommand.command("java", Path.of("b.jar"), List.of(), "jmh", false))
                .containsExactly("java", "-cp", "b.jar", BenchCommand.MAIN_CLASS, "jmh");
    }

    @Test
    void benchCommandParsesEveryDocumentedScenarioAndQuick() {
        for (String s : List.of("chain", "fanout", "throughput", "sensor", "recovery", "jmh")) {
            var parsed = Baton.commandLine().parseArgs("bench", s, "--quick").subcommand().commandSpec().userObject();
            assertThat(parsed).isInstanceOfSatisfying(BenchCommand.class, b -> {
                assertThat(b.scenario).isEqualTo(s);
                assertThat(b.quick).isTrue();
            });
        }
    }
}
