package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.platform.StateDirLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton coordinator} and {@code baton gateway} started on a state directory another live process holds (this
 * test's JVM) exit 1 at once, naming the directory and the holder, before they try Kafka (there is none here).
 */
class StateDirInUseTest {
    @TempDir Path dir;

    @Test
    void aComponentOnAStateDirectoryAnotherProcessUsesExits1NamingIt() throws Exception {
        for (String component : List.of("coordinator", "gateway")) {
            Path state = dir.resolve(component);
            try (StateDirLock held = StateDirLock.acquire(component, state)) {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"), Baton.class.getName(), component,
                        "--bootstrap-servers", "127.0.0.1:9", "--registry-url", "http://127.0.0.1:9",
                        "--set", component + ".state.dir=" + state));
                if (!component.equals("gateway")) {
                    cmd.addAll(List.of("--metrics-port", "0"));
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(component + " still running").isTrue();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as(out).isEqualTo(1);
                assertThat(out).contains("error: " + component + " cannot start: another process uses its state directory "
                        + state.toAbsolutePath() + " (pid " + ProcessHandle.current().pid() + ", " + component + ")");
            }
        }
    }
}
