package dev.baton.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state, a fold of the storage topic. Only the store's reader thread calls
 * {@link #apply}; HTTP handlers read concurrently (the maps are concurrent, and a writer answers only
 * after its own record has been applied, so a client always reads its own writes).
 */
public final class RegistryState {
    private static final Logger log = LoggerFactory.getLogger(RegistryState.class);

    /** One version of a subject. */
    public record Version(String subject, int version, int id, String schemaType, String schema, boolean deleted) {}

    /** A schema by global id. */
    public record StoredSchema(int id, String schemaType, String schema) {}

    private final Map<Integer, StoredSchema> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> idByCanonical = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentSkipListMap<Integer, Version>> subjects = new ConcurrentHashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> parsed = new ConcurrentHashMap<>();
    private volatile CompatibilityLevel globalLevel;
    private volatile int maxId;

    /** Applies one record of the storage topic (unknown or malformed records are skipped with a warning). */
    public void apply(byte[] key, byte[] value, long offset) {
        JsonNode k;
        JsonNode v;
        try {
            k = StoreRecord.parse(key);
            v = StoreRecord.parse(value);
        } catch (RuntimeException e) {
            log.warn("Skipping unreadable registry record at offset {}: {}", offset, e.toString());
            return;
        }
        if (k == null) {
            return;
        }
        switch (k.path("keytype").asText()) {
            case "SCHEMA" -> applySchema(k, v);
            case "CONFIG" -> applyConfig(k, v, offset);
            case "DELETE_SUBJECT" -> applyDeleteSubject(v);
            default -> { } // NOOP, MODE, CONTEXT... written by other registries: nothing to fold
        }
    }

    private void applySchema(JsonNode k, JsonNode v) {
        String subject = k.path("subject").asText();
        int version = k.path("version").asInt();
        ConcurrentSkipListMap<Integer, Version> versions = subjects.computeIfAbsent(subject, s -> new ConcurrentSkipListMap<>());
        if (v == null) {
            versions.remove(version);
            return;
        }
        int id = v.path("id").asInt();
        String type = v.path("schemaType").asText("AVRO");
        String schema = v.path("schema").asText();
        versions.put(version, new Version(subject, version, id, type, schema, v.path("deleted").asBoolean(false)));
        byId.putIfAbsent(id, new StoredSchema(id, type, schema));
        idByCanonical.putIfAbsent(canonicalKey(type, schema), id);
        if (id > maxId) {
            maxId = id;
        }
    }

    private void applyConfig(JsonNode k, JsonNode v, long offset) {
        JsonNode subject = k.path("subject");
        CompatibilityLevel level = null;
        if (v != null && v.hasNonNull("compatibilityLevel")) {
            try {
                level = CompatibilityLevel.parse(v.get("compatibilityLevel").asText());
            } catch (RegistryError e) {
                log.warn("Skipping invalid compatibility level at offset {}: {}", offset, v);
                return;
            }
        }
        if (subject.isNull() || subject.isMissingNode()) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subject.asText());
        } else {
            subjectLevels.put(subject.asText(), level);
        }
    }

    private void applyDeleteSubject(JsonNode v) {
        if (v == null) {
            return;
        }
        ConcurrentSkipListMap<Integer, Version> versions = subjects.get(v.path("subject").asText());
        int upTo = v.path("version").asInt(Integer.MAX_VALUE);
        if (versions != null) {
            versions.headMap(upTo, true).replaceAll((n, ver) -> new Version(ver.subject(), n, ver.id(), ver.schemaType(), ver.schema(), true));
        }
    }

    static String canonicalKey(String schemaType, String canonicalSchema) {
        return schemaType + '\u0000' + canonicalSchema;
    }

    // ---- reads ----

    public Optional<StoredSchema> schemaById(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Optional<Integer> idOf(String schemaType, String canonicalSchema) {
        return Optional.ofNullable(idByCanonical.get(canonicalKey(schemaType, canonicalSchema)));
    }

    public int maxId() {
        return maxId;
    }

    /** Versions of a subject, oldest first; soft-deleted ones only when asked. */
    public List<Version> versions(String subject, boolean includeDeleted) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        List<Version> out = new ArrayList<>();
        for (Version v : versions.values()) {
            if (includeDeleted || !v.deleted()) {
                out.add(v);
            }
        }
        return out;
    }

    /** Highest version number ever used by the subject (soft-deleted included), 0 when none. */
    public int maxVersion(String subject) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    public List<String> subjects(boolean includeDeleted) {
        return subjects.keySet().stream().filter(s -> !versions(s, includeDeleted).isEmpty()).sorted().toList();
    }

    /** Subject/version pairs that use a schema id. */
    public List<Version> usages(int id) {
        List<Version> out = new ArrayList<>();
        subjects.values().forEach(m -> m.values().stream().filter(v -> v.id() == id && !v.deleted()).forEach(out::add));
        return out;
    }

    public CompatibilityLevel globalLevel() {
        CompatibilityLevel level = globalLevel;
        return level == null ? CompatibilityLevel.DEFAULT : level;
    }

    public Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevel(subject).orElse(globalLevel());
    }

    /** The parsed Avro schema of an id, parsed once. */
    public Schema parsed(int id) {
        return parsed.computeIfAbsent(id, i -> new Schema.Parser().parse(byId.get(i).schema()));
    }
}
