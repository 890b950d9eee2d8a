package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which job files {@code bench idle} gives {@code baton dev} (IdleBench.exampleJobs). */
class IdleBenchJobsTest {
    @Test
    void examplesOfTheCheckoutTheJarWasBuiltIn(@TempDir Path dir) throws Exception {
        Path jar = Files.createDirectories(dir.resolve("cli/target")).resolve("baton.jar");
        Path examples = Files.createDirectories(dir.resolve("examples"));
        assertThat(IdleBench.exampleJobs(jar)).isEqualTo(examples.toAbsolutePath());
    }

    @Test
    void givenDirectoryWins(@TempDir Path dir) throws Exception {
        Path jar = Files.createDirectories(dir.resolve("cli/target")).resolve("baton.jar");
        Files.createDirectories(dir.resolve("examples"));
        Path other = Files.createDirectories(dir.resolve("other-jobs"));
        System.setProperty("bench.idle.jobs", other.toString());
        try {
            assertThat(IdleBench.exampleJobs(jar)).isEqualTo(other.toAbsolutePath());
        } finally {
            System.clearProperty("bench.idle.jobs");
        }
    }
}
