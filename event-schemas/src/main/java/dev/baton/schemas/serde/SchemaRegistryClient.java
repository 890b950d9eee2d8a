package dev.baton.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.schemas.serde.internal.HttpRegistryTransport;
import dev.baton.schemas.serde.internal.MockRegistry;
import dev.baton.schemas.serde.internal.RegistryTransport;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * Client of the Confluent Schema Registry REST API, limited to what the documented API offers so
 * that it works unchanged against Confluent, Redpanda, Apicurio (ccompat) and Karapace, and Baton's
 * embedded registry. Thread-safe.
 *
 * <p>Caches: schema by id, and id by (subject, schema) for both registration and lookup, so each is
 * requested once per client (concurrent callers of the same key share one request; failures are not
 * cached). Latest versions, compatibility checks and configuration are never cached.
 *
 * <p>Configuration keys: see {@link AvroSerdeConfig} ({@code schema.registry.url}, basic
 * authentication, {@code schema.registry.ssl.*}, timeouts).
 */
public final class SchemaRegistryClient implements AutoCloseable {
    public static final String AVRO = "AVRO";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Result of a compatibility check; {@code messages} explain an incompatibility when the registry gives them. */
    public record Compatibility(boolean compatible, List<String> messages) {}

    private record SchemaKey(String subject, String schemaType, String schema) {}

    private final RegistryTransport transport;
    private final List<String> urls;
    private final ConcurrentMap<Integer, CompletableFuture<Schema>> byId = new ConcurrentHashMap<>();
    private final ConcurrentMap<SchemaKey, CompletableFuture<Integer>> registered = new ConcurrentHashMap<>();
    private final ConcurrentMap<SchemaKey, CompletableFuture<RegisteredSchema>> lookedUp = new ConcurrentHashMap<>();

    private SchemaRegistryClient(RegistryTransport transport, List<String> urls) {
        this.transport = transport;
        this.urls = urls;
    }

    /** Creates a client from {@code schema.registry.url} and the other keys of {@link AvroSerdeConfig}. */
    public static SchemaRegistryClient create(Map<String, ?> config) {
        return create(new AvroSerdeConfig(config));
    }

    static SchemaRegistryClient create(AvroSerdeConfig config) {
        List<String> urls = config.getList(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (urls.size() == 1 && urls.get(0).startsWith("mock://")) {
            return new SchemaRegistryClient(MockRegistry.forScope(urls.get(0).substring("mock://".length())), urls);
        }
        HttpRegistryTransport http = new HttpRegistryTransport(config);
        return new SchemaRegistryClient(http, http.urls());
    }

    /** Forgets the in-memory registry of {@code mock://<scope>}. */
    public static void dropMockScope(String scope) {
        MockRegistry.dropScope(scope);
    }

    public List<String> urls() {
        return urls;
    }

    /** {@code POST /subjects/{subject}/versions}: registers (or finds) the schema and returns its global id. */
    public int register(String subject, Schema schema) {
        int id = register(subject, schema.toString(), AVRO);
        byId.putIfAbsent(id, CompletableFuture.completedFuture(schema));
        return id;
    }

    /** Registers a schema of any type; {@code schemaType} is sent only when it is not AVRO. */
    public int register(String subject, String schema, String schemaType) {
        SchemaKey key = new SchemaKey(subject, schemaType, schema);
        return once(registered, key, () -> transport.call("POST", "/subjects/" + enc(subject) + "/versions",
                schemaBody(schema, schemaType)).path("id").asInt());
    }

    /** {@code POST /subjects/{subject}}: the version of {@code subject} holding this schema; 404 (40401/40403) when none. */
    public RegisteredSchema lookup(String subject, Schema schema) {
        SchemaKey key = new SchemaKey(subject, AVRO, schema.toString());
        RegisteredSchema found = once(lookedUp, key, () -> toRegistered(subject,
                transport.call("POST", "/subjects/" + enc(subject), schemaBody(key.schema(), AVRO))));
        byId.putIfAbsent(found.id(), CompletableFuture.completedFuture(schema));
        return found;
    }

    /** {@code GET /schemas/ids/{id}}, parsed as Avro; fetched once per id. */
    public Schema schemaById(int id) {
        return once(byId, id, () -> {
            JsonNode node = transport.call("GET", "/schemas/ids/" + id, null);
            String type = node.path("schemaType").asText(AVRO);
            if (!AVRO.equals(type)) {
                throw new IllegalStateException("Schema id " + id + " is a " + type + " schema, not Avro");
            }
            if (node.path("references").size() > 0) {
                throw new IllegalStateException("Schema id " + id + " uses schema references, which this client does not resolve");
            }
            return new Schema.Parser().parse(node.path("schema").asText());
        });
    }

    /** {@code GET /subjects/{subject}/versions/latest}; never cached. */
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    /** {@code GET /subjects/{subject}/versions/{version}} ({@code version} is a number or {@code latest}). */
    public RegisteredSchema version(String subject, String version) {
        return toRegistered(subject, transport.call("GET", "/subjects/" + enc(subject) + "/versions/" + enc(version), null));
    }

    /** {@code GET /subjects}. */
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        transport.call("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * {@code POST /compatibility/subjects/{subject}/versions/latest?verbose=true}: whether the schema could be
     * registered under the subject's compatibility level.
     */
    public Compatibility testCompatibility(String subject, Schema schema) {
        JsonNode node = transport.call("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest?verbose=true",
                schemaBody(schema.toString(), AVRO));
        List<String> messages = new ArrayList<>();
        node.path("messages").forEach(m -> messages.add(m.asText()));
        return new Compatibility(node.path("is_compatible").asBoolean(false), List.copyOf(messages));
    }

    /**
     * {@code GET /config} (global, when {@code subject} is null) or {@code GET /config/{subject}?defaultToGlobal=true}:
     * the compatibility level in force.
     */
    public String compatibilityLevel(String subject) {
        JsonNode node = transport.call("GET", subject == null ? "/config" : "/config/" + enc(subject) + "?defaultToGlobal=true", null);
        JsonNode level = node.has("compatibilityLevel") ? node.get("compatibilityLevel") : node.path("compatibility");
        return level.asText(null);
    }

    /** {@code PUT /config} (global, when {@code subject} is null) or {@code PUT /config/{subject}}; returns the level set. */
    public String updateCompatibilityLevel(String subject, String level) {
        ObjectNode body = F.objectNode().put("compatibility", level);
        JsonNode node = transport.call("PUT", subject == null ? "/config" : "/config/" + enc(subject), body);
        return node.path("compatibility").asText(level);
    }

    @Override
    public void close() {
        transport.close();
    }

    private static ObjectNode schemaBody(String schema, String schemaType) {
        ObjectNode body = F.objectNode().put("schema", schema);
        if (schemaType != null && !AVRO.equals(schemaType)) {
            body.put("schemaType", schemaType);
        }
        return body;
    }

    private static RegisteredSchema toRegistered(String subject, JsonNode node) {
        return new RegisteredSchema(node.path("subject").asText(subject), node.path("id").asInt(),
                node.path("version").asInt(), node.path("schemaType").asText(AVRO), node.path("schema").asText());
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Loads each key once; concurrent callers wait for the same request; a failure is not cached. */
    private static <K, V> V once(ConcurrentMap<K, CompletableFuture<V>> cache, K key, Supplier<V> load) {
        CompletableFuture<V> existing = cache.get(key);
        if (existing == null) {
            CompletableFuture<V> mine = new CompletableFuture<>();
            existing = cache.putIfAbsent(key, mine);
            if (existing == null) {
                try {
                    V value = load.get();
                    mine.complete(value);
                    return value;
                } catch (RuntimeException e) {
                    cache.remove(key, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
        }
        try {
            return existing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
