package dev.baton.registry.internal;

import dev.baton.registry.internal.CompatibilityLevel.Versioned;
import dev.baton.registry.internal.RegistryState.StoredSchema;
import dev.baton.registry.internal.RegistryState.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The registry's operations over the folded state. Reads run on the caller's thread (they never touch
 * Kafka). Every write runs on one dedicated writer thread, which decides (existing id? compatible?
 * next id and version) from a state that already contains all earlier writes, appends the record and
 * waits for its read-back before taking the next write.
 */
public final class RegistryService implements AutoCloseable {
    public static final String AVRO = "AVRO";

    private final RegistryState state;
    private final KafkaStore store;
    private final ExecutorService writer;

    public RegistryService(RegistryState state, KafkaStore store) {
        this.state = state;
        this.store = store;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "baton-registry-writer[" + store.topic() + "]");
            t.setDaemon(true);
            return t;
        });
    }

    /** A parsed, canonical schema (Avro's compact JSON form: whitespace and attribute order do not matter). */
    public record Canonical(String schemaType, Schema schema, String text) {}

    public static Canonical canonical(String schemaType, String schemaText, boolean hasReferences) {
        String type = schemaType == null || schemaType.isBlank() ? AVRO : schemaType;
        if (!AVRO.equals(type)) {
            throw RegistryError.invalidSchema("schema type " + type + " is not supported; this registry stores AVRO schemas");
        }
        if (hasReferences) {
            throw RegistryError.invalidSchema("schema references are not supported by this registry");
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryError.invalidSchema("empty schema");
        }
        try {
            Schema schema = new Schema.Parser().parse(schemaText);
            return new Canonical(type, schema, schema.toString());
        } catch (RuntimeException e) {
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- reads

    public List<String> subjects(boolean includeDeleted, String prefix) {
        return state.subjects(includeDeleted).stream().filter(s -> prefix == null || s.startsWith(prefix)).toList();
    }

    public List<Integer> versions(String subject, boolean includeDeleted) {
        List<Version> versions = existing(subject, includeDeleted);
        return versions.stream().map(Version::version).toList();
    }

    public Version version(String subject, String versionText, boolean includeDeleted) {
        List<Version> versions = existing(subject, includeDeleted);
        int wanted = parseVersion(versionText);
        if (wanted == -1) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(versionText));
    }

    public StoredSchema schemaById(int id) {
        return state.schemaById(id).orElseThrow(() -> new RegistryError(404, RegistryError.SCHEMA_NOT_FOUND, "Schema " + id + " not found"));
    }

    public List<Version> usages(int id) {
        schemaById(id);
        return state.usages(id);
    }

    public Version lookup(String subject, Canonical schema, boolean includeDeleted) {
        List<Version> versions = existing(subject, includeDeleted);
        return versions.stream().filter(v -> v.schemaType().equals(schema.schemaType()) && v.schema().equals(schema.text()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new RegistryError(404, RegistryError.SCHEMA_NOT_FOUND, "Schema not found"));
    }

    /**
     * Messages explaining why {@code schema} could not be registered under {@code subject}; empty when it could.
     *
     * @param versionText a version to check against only that one, or null / latest for what registration would check
     */
    public List<String> compatibility(String subject, String versionText, Canonical schema) {
        CompatibilityLevel level = state.effectiveLevel(subject);
        if (versionText == null || parseVersion(versionText) == -1) {
            // As Confluent: a subject without versions accepts anything.
            return level.check(schema.schema(), previous(subject));
        }
        Version one = version(subject, versionText, false);
        return level.check(schema.schema(), List.of(new Versioned(one.version(), state.parsed(one.id()))));
    }

    public CompatibilityLevel globalLevel() {
        return state.globalLevel();
    }

    public CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
        return state.subjectLevel(subject).orElseGet(() -> {
            if (defaultToGlobal) {
                return state.globalLevel();
            }
            throw new RegistryError(404, RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    "Subject '" + subject + "' does not have subject-level compatibility configured");
        });
    }

    // ---------------------------------------------------------------- writes (single writer thread)

    /** Registers {@code schema} under {@code subject}; an identical schema already in the subject returns its id. */
    public CompletableFuture<Integer> register(String subject, Canonical schema) {
        return write(() -> {
            for (Version v : state.versions(subject, false)) {
                if (v.schemaType().equals(schema.schemaType()) && v.schema().equals(schema.text())) {
                    return v.id();
                }
            }
            List<String> problems = state.effectiveLevel(subject).check(schema.schema(), previous(subject));
            if (!problems.isEmpty()) {
                throw new RegistryError(409, RegistryError.INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible with an earlier "
                        + "schema for subject \"" + subject + "\", details: " + problems);
            }
            // Ids are global: the same schema keeps its id in every subject; a new one gets the next id.
            int id = state.idOf(schema.schemaType(), schema.text()).orElse(state.maxId() + 1);
            int version = state.maxVersion(subject) + 1;
            store.append(List.of(record(StoreRecord.schemaKey(subject, version),
                    StoreRecord.schemaValue(subject, version, id, schema.schemaType(), schema.text(), false))));
            return id;
        });
    }

    public CompletableFuture<CompatibilityLevel> setLevel(String subjectOrNull, CompatibilityLevel level) {
        return write(() -> {
            store.append(List.of(record(StoreRecord.configKey(subjectOrNull), StoreRecord.configValue(level.name()))));
            return level;
        });
    }

    /** Removes the subject-level setting; returns the level it had. */
    public CompletableFuture<CompatibilityLevel> deleteSubjectLevel(String subject) {
        return write(() -> {
            CompatibilityLevel previous = subjectLevel(subject, false);
            store.append(List.of(record(StoreRecord.configKey(subject), null)));
            return previous;
        });
    }

    /** Soft-deletes every version of the subject; returns their numbers. Ids stay readable by id. */
    public CompletableFuture<List<Integer>> deleteSubject(String subject, boolean permanent) {
        return write(() -> {
            refusePermanent(permanent);
            List<Version> all = state.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            List<Version> live = state.versions(subject, false);
            if (live.isEmpty()) {
                throw new RegistryError(404, RegistryError.SUBJECT_SOFT_DELETED, "Subject '" + subject + "' was soft deleted.");
            }
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (Version v : live) {
                records.add(record(StoreRecord.schemaKey(subject, v.version()),
                        StoreRecord.schemaValue(subject, v.version(), v.id(), v.schemaType(), v.schema(), true)));
            }
            store.append(records);
            return live.stream().map(Version::version).toList();
        });
    }

    /** Soft-deletes one version; returns its number. */
    public CompletableFuture<Integer> deleteVersion(String subject, String versionText, boolean permanent) {
        return write(() -> {
            refusePermanent(permanent);
            Version v = version(subject, versionText, false);
            store.append(List.of(record(StoreRecord.schemaKey(subject, v.version()),
                    StoreRecord.schemaValue(subject, v.version(), v.id(), v.schemaType(), v.schema(), true))));
            return v.version();
        });
    }

    // ---------------------------------------------------------------- helpers

    private static void refusePermanent(boolean permanent) {
        if (permanent) {
            // Hard deletes would let compaction forget the highest id and hand it out again after a restart.
            throw new RegistryError(422, RegistryError.OPERATION_NOT_PERMITTED,
                    "Permanent deletion is not supported by this registry: schema ids must never be reused");
        }
    }

    private List<Versioned> previous(String subject) {
        return state.versions(subject, false).stream().map(v -> new Versioned(v.version(), state.parsed(v.id()))).toList();
    }

    private List<Version> existing(String subject, boolean includeDeleted) {
        List<Version> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    /** -1 for latest. */
    static int parseVersion(String text) {
        if ("latest".equals(text)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(text);
            if (v >= 1 || v == -1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new RegistryError(422, RegistryError.INVALID_VERSION, "The specified version '" + text + "' is not a valid version id. "
                + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    private ProducerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ProducerRecord<>(store.topic(), 0, key, value);
    }

    private <T> CompletableFuture<T> write(Callable<T> op) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    result.complete(op.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(new RegistryError(500, RegistryError.BACKEND_ERROR, "The registry is shutting down"));
        }
        return result;
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
