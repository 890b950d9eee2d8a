package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code baton apply} reads job files strictly as UTF-8. */
class ApplyTest {

    @Test
    void aFileThatIsNotUtf8IsRejectedBeforeAnyRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        // "grün" saved as ISO-8859-1: the 0xFC would otherwise reach the gateway as U+FFFD.
        Files.write(file, "name: x\nsteps:\n  - key: a\n    run: echo grün\n".getBytes(StandardCharsets.ISO_8859_1));
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        // Port 9 (discard) on loopback: a request would fail with a connection error, not this message.
        int code = new CommandLine(new ClientCommands.Apply()).setErr(new PrintWriter(err)).setOut(new PrintWriter(out))
                .execute("--url", "http://127.0.0.1:9", "--token", "t", "-f", file.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(file + ": the file is not valid UTF-8: invalid byte 0xFC at byte offset 42"
                + " (line 4); save the file as UTF-8" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }
}
