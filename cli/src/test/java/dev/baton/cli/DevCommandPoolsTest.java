package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `baton dev`'s agent serves every pool the loaded jobs use (issue 14): examples/cleanup_tmp.yaml runs on pool infra. */
class DevCommandPoolsTest {
    static final Path REPO = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "..")).toAbsolutePath().normalize();

    @Test
    void theExamplesNeedTheDefaultAndTheInfraPool() throws Exception {
        List<Path> files = ClientCommands.Apply.expand(List.of(REPO.resolve("examples")));
        assertThat(DevCommand.poolsOf(files)).contains("default", "infra").doesNotHaveDuplicates();
    }

    @Test
    void hookPoolsCountAndABrokenFileIsLeftToRegistration(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), """
                name: a
                steps:
                  - key: one
                    pool: gpu
                    run: echo 1
                onFailure:
                  - key: page
                    pool: alerts
                    run: echo failed
                """);
        Files.writeString(dir.resolve("broken.yaml"), "name: [unclosed");
        assertThat(DevCommand.poolsOf(List.of(dir.resolve("a.yaml"), dir.resolve("broken.yaml"))))
                .containsExactly("alerts", "default", "gpu");
        assertThat(DevCommand.poolsOf(List.of())).containsExactly("default");
    }
}
