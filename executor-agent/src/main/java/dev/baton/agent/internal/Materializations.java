package dev.baton.agent.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.BoolValue;
import dev.baton.events.FloatValue;
import dev.baton.events.IntValue;
import dev.baton.events.JsonValue;
import dev.baton.events.MaterializationReport;
import dev.baton.events.TextValue;
import dev.baton.events.UrlValue;
import dev.baton.sdk.Metadata;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link MaterializationReport}s from Java handlers' calls and from run steps' JSON-lines file. */
public final class Materializations {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A materialization line a run step wrote that is not valid. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    private Materializations() {}

    public static MaterializationReport of(String assetKey, String partition, Map<String, ?> metadata, String dataVersion) {
        if (assetKey == null || assetKey.isBlank()) {
            throw new IllegalArgumentException("asset key must not be empty");
        }
        Map<String, Object> typed = new LinkedHashMap<>();
        if (metadata != null) {
            metadata.forEach((k, v) -> typed.put(k, typed(v)));
        }
        return MaterializationReport.newBuilder()
                .setAssetKey(assetKey)
                .setPartition(partition)
                .setMetadata(typed)
                .setDataVersion(dataVersion)
                .build();
    }

    /** Maps a Java value to one of the typed metadata records. */
    static Object typed(Object v) {
        return switch (v) {
            case null -> new JsonValue("null");
            case Boolean b -> new BoolValue(b);
            case Byte n -> new IntValue(n.longValue());
            case Short n -> new IntValue(n.longValue());
            case Integer n -> new IntValue(n.longValue());
            case Long n -> new IntValue(n);
            case BigInteger n when n.bitLength() < 64 -> new IntValue(n.longValue());
            case Float n -> new FloatValue(n.doubleValue());
            case Double n -> new FloatValue(n);
            case BigDecimal n -> new FloatValue(n.doubleValue());
            case Number n -> new TextValue(n.toString());
            case CharSequence s -> new TextValue(s.toString());
            case URI u -> new UrlValue(u.toString());
            case URL u -> new UrlValue(u.toString());
            case Metadata.Url u -> new UrlValue(u.value());
            case Metadata.Json j -> new JsonValue(j.value());
            default -> {
                try {
                    yield new JsonValue(JSON.writeValueAsString(v));
                } catch (JsonProcessingException e) {
                    yield new TextValue(String.valueOf(v));
                }
            }
        };
    }

    /**
     * Reads a run step's {@code $BATON_MATERIALIZATIONS} file: one JSON object per line,
     * {@code {"asset": "...", "partition": "...", "metadata": {...}, "dataVersion": "..."}} (all but
     * {@code asset} optional). Metadata numbers, booleans and strings keep their type; objects and
     * arrays become JSON values; {@code {"url": "..."}} becomes a URL value.
     */
    public static List<MaterializationReport> readJsonLines(Path file) throws IOException, FormatException {
        List<MaterializationReport> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new FormatException("line " + (i + 1) + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            if (!n.isObject() || !n.path("asset").isTextual() || n.path("asset").asText().isBlank()) {
                throw new FormatException("line " + (i + 1) + ": expected an object with a non-empty \"asset\" string");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            JsonNode md = n.path("metadata");
            if (!md.isMissingNode() && !md.isNull()) {
                if (!md.isObject()) {
                    throw new FormatException("line " + (i + 1) + ": \"metadata\" must be an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = md.fields(); it.hasNext(); ) {
                    var e = it.next();
                    metadata.put(e.getKey(), fromJson(e.getValue()));
                }
            }
            out.add(MaterializationReport.newBuilder()
                    .setAssetKey(n.get("asset").asText())
                    .setPartition(textOrNull(n.path("partition")))
                    .setMetadata(metadata)
                    .setDataVersion(textOrNull(n.path("dataVersion")))
                    .build());
        }
        return out;
    }

    private static Object fromJson(JsonNode v) {
        if (v.isBoolean()) {
            return new BoolValue(v.booleanValue());
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return new IntValue(v.longValue());
        }
        if (v.isNumber()) {
            return new FloatValue(v.doubleValue());
        }
        if (v.isTextual()) {
            return new TextValue(v.textValue());
        }
        if (v.isObject() && v.size() == 1 && v.path("url").isTextual()) {
            return new UrlValue(v.get("url").textValue());
        }
        return new JsonValue(v.toString());
    }

    private static String textOrNull(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
