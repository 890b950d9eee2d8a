package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputFileTest {

    @Test
    void readsNameValueLinesAndMultiLineValues() throws Exception {
        Map<String, String> out = OutputFile.parse(List.of(
                "rows=42",
                "empty=",
                "with_equals=a=b",
                "",
                "report<<EOF",
                "line one",
                "",
                "line three",
                "EOF",
                "crlf=x\r",
                "rows=43"));
        assertThat(out).containsExactly(
                Map.entry("rows", "43"),
                Map.entry("empty", ""),
                Map.entry("with_equals", "a=b"),
                Map.entry("report", "line one\n\nline three"),
                Map.entry("crlf", "x"));
    }

    @Test
    void heredocNameMayContainNoEqualsButValueMay() throws Exception {
        assertThat(OutputFile.parse(List.of("json<<END", "{\"a\"=1}", "END"))).containsEntry("json", "{\"a\"=1}");
        assertThat(OutputFile.parse(List.of("url=http://x/?a<<b"))).containsEntry("url", "http://x/?a<<b");
    }

    @Test
    void rejectsMalformedFiles() {
        assertThatThrownBy(() -> OutputFile.parse(List.of("just text"))).hasMessageContaining("line 1");
        assertThatThrownBy(() -> OutputFile.parse(List.of("ok=1", "x<<EOF", "never closed"))).hasMessageContaining("line 2").hasMessageContaining("EOF");
        assertThatThrownBy(() -> OutputFile.parse(List.of("=value"))).hasMessageContaining("line 1");
    }

    @Test
    void sizeCountsUtf8BytesOfNamesAndValues() {
        assertThat(OutputFile.size(Map.of("a", "é"))).isEqualTo(3);
    }
}
