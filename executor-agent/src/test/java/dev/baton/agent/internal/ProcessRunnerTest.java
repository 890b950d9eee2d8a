package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {

    @Test
    void envNamesAreUpperCaseWithUnderscores() {
        assertThat(ProcessRunner.envName("my-param.x")).isEqualTo("MY_PARAM_X");
        assertThat(ProcessRunner.envName("Rows_2")).isEqualTo("ROWS_2");
    }

    @Test
    void shellCommandAppendsDashCOrSubstitutesAScriptFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertThat(ProcessRunner.shellCommand("bash", "echo hi", dir)).containsExactly("bash", "-c", "echo hi");
        assertThat(ProcessRunner.shellCommand(" ", "echo hi", dir)).containsExactly("bash", "-c", "echo hi");
        assertThat(ProcessRunner.shellCommand("bash -e -o pipefail", "x", dir)).containsExactly("bash", "-e", "-o", "pipefail", "-c", "x");
        List<String> py = ProcessRunner.shellCommand("python3 {0}", "print(1)", dir);
        assertThat(py).containsExactly("python3", dir.resolve("script").toString());
        assertThat(dir.resolve("script")).hasContent("print(1)");
    }

    @Test
    void bareBashAndShFailFastAndEveryOtherShellRunsAsWritten() {
        assertThat(ProcessRunner.resolveShell(null)).isEqualTo("bash --noprofile --norc -e -o pipefail");
        assertThat(ProcessRunner.resolveShell(" ")).isEqualTo("bash --noprofile --norc -e -o pipefail");
        assertThat(ProcessRunner.resolveShell("bash")).isEqualTo("bash --noprofile --norc -e -o pipefail");
        assertThat(ProcessRunner.resolveShell(" sh ")).isEqualTo("sh -e");
        assertThat(ProcessRunner.resolveShell("bash {0}")).isEqualTo("bash {0}");
        assertThat(ProcessRunner.resolveShell("bash -x")).isEqualTo("bash -x");
        assertThat(ProcessRunner.resolveShell("python3")).isEqualTo("python3");
    }

    @Test
    void pumpSplitsLinesKeepsEmptyOnesAndTheUnterminatedLast() {
        List<String> lines = new ArrayList<>();
        ProcessRunner.pump(new ByteArrayInputStream("a\r\n\nb é\nlast".getBytes(StandardCharsets.UTF_8)), lines::add);
        assertThat(lines).containsExactly("a", "", "b é", "last");
    }

    @Test
    void pumpPassesHugeLinesOnInPieces() {
        List<String> lines = new ArrayList<>();
        String big = "x".repeat(200_000);
        ProcessRunner.pump(new ByteArrayInputStream((big + "\nend\n").getBytes(StandardCharsets.UTF_8)), lines::add);
        assertThat(String.join("", lines.subList(0, lines.size() - 1))).isEqualTo(big);
        assertThat(lines.getLast()).isEqualTo("end");
        assertThat(lines).allMatch(l -> l.length() <= 64 * 1024 + 8192);
    }
}
