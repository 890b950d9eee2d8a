package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.BoolValue;
import dev.baton.events.FloatValue;
import dev.baton.events.IntValue;
import dev.baton.events.JsonValue;
import dev.baton.events.TextValue;
import dev.baton.events.UrlValue;
import dev.baton.sdk.Metadata;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializationsTest {

    @Test
    void javaValuesMapToTypedMetadata() {
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("rows", 42);
        md.put("ratio", 0.5);
        md.put("ok", true);
        md.put("name", "orders");
        md.put("link", URI.create("https://example.com/t"));
        md.put("link2", Metadata.url("https://example.com/u"));
        md.put("schema", Metadata.json("{\"a\":1}"));
        md.put("cols", List.of("a", "b"));
        var m = Materializations.of("warehouse/orders", "2026-11-22", md, "v1");
        assertThat(m.getAssetKey()).isEqualTo("warehouse/orders");
        assertThat(m.getPartition()).isEqualTo("2026-11-22");
        assertThat(m.getDataVersion()).isEqualTo("v1");
        assertThat(m.getMetadata()).containsExactly(
                Map.entry("rows", new IntValue(42L)),
                Map.entry("ratio", new FloatValue(0.5)),
                Map.entry("ok", new BoolValue(true)),
                Map.entry("name", new TextValue("orders")),
                Map.entry("link", new UrlValue("https://example.com/t")),
                Map.entry("link2", new UrlValue("https://example.com/u")),
                Map.entry("schema", new JsonValue("{\"a\":1}")),
                Map.entry("cols", new JsonValue("[\"a\",\"b\"]")));
    }

    @Test
    void readsJsonLinesWrittenByRunSteps(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m");
        Files.writeString(f, """
                {"asset": "raw/events", "metadata": {"rows": 7, "size": 1.5, "fresh": false, "owner": "x", "dash": {"url": "https://d"}, "cols": ["a"]}}

                {"asset": "raw/users", "partition": "p1", "dataVersion": "abc"}
                """);
        var ms = Materializations.readJsonLines(f);
        assertThat(ms).hasSize(2);
        assertThat(ms.get(0).getMetadata()).containsExactly(
                Map.entry("rows", new IntValue(7L)),
                Map.entry("size", new FloatValue(1.5)),
                Map.entry("fresh", new BoolValue(false)),
                Map.entry("owner", new TextValue("x")),
                Map.entry("dash", new UrlValue("https://d")),
                Map.entry("cols", new JsonValue("[\"a\"]")));
        assertThat(ms.get(1).getPartition()).isEqualTo("p1");
        assertThat(ms.get(1).getDataVersion()).isEqualTo("abc");
    }

    @Test
    void rejectsLinesWithoutAsset(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m");
        Files.writeString(f, "{\"metadata\": {}}\n");
        assertThatThrownBy(() -> Materializations.readJsonLines(f)).hasMessageContaining("line 1").hasMessageContaining("asset");
        Files.writeString(f, "not json\n");
        assertThatThrownBy(() -> Materializations.readJsonLines(f)).hasMessageContaining("not JSON");
    }
}
