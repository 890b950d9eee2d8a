package dev.baton.schemas.serde.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.schemas.serde.SchemaRegistryException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-memory registry behind {@code schema.registry.url=mock://<scope>}, for unit tests (for
 * example a {@code TopologyTestDriver}) that need no broker and no HTTP. Serdes configured with the
 * same scope share one instance. Avro only; same semantics and error codes as the embedded registry.
 */
public final class MockRegistry implements RegistryTransport {
    private static final Map<String, MockRegistry> SCOPES = new ConcurrentHashMap<>();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonical = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, String> subjectLevels = new HashMap<>();
    private String globalLevel = "BACKWARD";

    private MockRegistry() {}

    public static MockRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new MockRegistry());
    }

    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized JsonNode call(String method, String pathAndQuery, JsonNode body) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        String[] p = path.substring(1).split("/");
        for (int i = 0; i < p.length; i++) {
            p[i] = URLDecoder.decode(p[i], StandardCharsets.UTF_8);
        }
        String route = method + " " + shape(p);
        return switch (route) {
            case "POST subjects/*/versions" -> register(p[1], body);
            case "POST subjects/*" -> lookup(p[1], body);
            case "GET subjects" -> {
                var arr = F.arrayNode();
                versionsBySubject.keySet().forEach(arr::add);
                yield arr;
            }
            case "GET schemas/ids/*" -> byId(p[2]);
            case "GET subjects/*/versions/*" -> version(p[1], p[3]);
            case "POST compatibility/subjects/*/versions/*" -> compatibility(p[2], p[4], body);
            case "GET config" -> F.objectNode().put("compatibilityLevel", globalLevel);
            case "GET config/*" -> F.objectNode().put("compatibilityLevel", subjectLevels.getOrDefault(p[1], globalLevel));
            case "PUT config" -> {
                globalLevel = level(body);
                yield F.objectNode().put("compatibility", globalLevel);
            }
            case "PUT config/*" -> {
                String level = level(body);
                subjectLevels.put(p[1], level);
                yield F.objectNode().put("compatibility", level);
            }
            default -> throw new SchemaRegistryException(404, 404, "HTTP 404 Not Found: " + method + " " + path);
        };
    }

    private static String shape(String[] p) {
        StringBuilder b = new StringBuilder(p[0]);
        for (int i = 1; i < p.length; i++) {
            boolean literal = switch (p[0]) {
                case "subjects" -> i == 2;
                case "schemas" -> i == 1;
                case "compatibility" -> i == 1 || i == 3;
                default -> false;
            };
            b.append('/').append(literal ? p[i] : "*");
        }
        return b.toString();
    }

    private static String level(JsonNode body) {
        String level = body == null ? null : body.path("compatibility").asText(null);
        try {
            return AvroCompatibility.parse(level).name();
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, e.getMessage());
        }
    }

    private static Schema parse(JsonNode body) {
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA, "Only AVRO schemas are supported, not " + type);
        }
        try {
            return new Schema.Parser().parse(body.path("schema").asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        }
    }

    private JsonNode register(String subject, JsonNode body) {
        Schema schema = parse(body);
        String canonical = schema.toString();
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        for (Integer id : versions) {
            if (schemasById.get(id).equals(canonical)) {
                return F.objectNode().put("id", id);
            }
        }
        List<String> problems = AvroCompatibility.parse(subjectLevels.getOrDefault(subject, globalLevel))
                .check(schema, versions.stream().map(id -> new Schema.Parser().parse(schemasById.get(id))).toList());
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\", details: " + problems);
        }
        int id = idsByCanonical.computeIfAbsent(canonical, c -> schemasById.size() + 1);
        schemasById.put(id, canonical);
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return F.objectNode().put("id", id);
    }

    private JsonNode lookup(String subject, JsonNode body) {
        List<Integer> versions = subjectVersions(subject);
        String canonical = parse(body).toString();
        for (int i = 0; i < versions.size(); i++) {
            if (schemasById.get(versions.get(i)).equals(canonical)) {
                return versionNode(subject, i + 1, versions.get(i));
            }
        }
        throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
    }

    private JsonNode byId(String idText) {
        String schema = schemasById.get(Integer.parseInt(idText));
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + idText + " not found");
        }
        return F.objectNode().put("schema", schema);
    }

    private JsonNode version(String subject, String v) {
        List<Integer> versions = subjectVersions(subject);
        int n = "latest".equals(v) || "-1".equals(v) ? versions.size() : Integer.parseInt(v);
        if (n < 1 || n > versions.size()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + v + " not found.");
        }
        return versionNode(subject, n, versions.get(n - 1));
    }

    private JsonNode compatibility(String subject, String v, JsonNode body) {
        Schema candidate = parse(body);
        if ("latest".equals(v) && !versionsBySubject.containsKey(subject)) {
            return F.objectNode().put("is_compatible", true); // as Confluent: nothing to be incompatible with
        }
        List<Integer> versions = subjectVersions(subject);
        List<Schema> previous = versions.stream().map(id -> new Schema.Parser().parse(schemasById.get(id))).toList();
        if (!"latest".equals(v)) {
            JsonNode one = version(subject, v);
            previous = List.of(new Schema.Parser().parse(one.path("schema").asText()));
        }
        List<String> problems = AvroCompatibility.parse(subjectLevels.getOrDefault(subject, globalLevel)).check(candidate, previous);
        ObjectNode out = F.objectNode().put("is_compatible", problems.isEmpty());
        var messages = out.putArray("messages");
        problems.forEach(messages::add);
        return out;
    }

    private List<Integer> subjectVersions(String subject) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        return versions;
    }

    private ObjectNode versionNode(String subject, int version, int id) {
        return F.objectNode().put("subject", subject).put("version", version).put("id", id).put("schema", schemasById.get(id));
    }

    @Override
    public void close() {
        // shared by scope; dropped explicitly with dropScope
    }
}
