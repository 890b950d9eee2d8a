package dev.baton.registry;

import static dev.baton.registry.Http.enc;
import static dev.baton.registry.Http.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST API against a real broker, as Confluent documents it. */
class EmbeddedSchemaRegistryTest {
    static final String V1 = record("Thing", "{\"name\":\"a\",\"type\":\"int\"}");
    static final String V2_WITH_DEFAULT = record("Thing", "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}");
    static final String V2_NO_DEFAULT = record("Thing", "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\"}");

    private static EmbeddedSchemaRegistry registry;
    private static Http http;

    @BeforeAll
    static void start() {
        registry = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), "schemas-" + UUID.randomUUID(), 0);
        http = new Http(registry.url());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static String record(String name, String fields) {
        return "{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"t\",\"fields\":[" + fields + "]}";
    }

    static String subject() {
        return "s-" + UUID.randomUUID() + "-value";
    }

    static int register(Http http, String subject, String schema) {
        Http.Response r = http.post("/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().get("id").asInt();
    }

    @Test
    void registeringTheSameSchemaAgainReturnsTheSameIdAndNewSchemasGetIncreasingIds() {
        String s = subject();
        int id = register(http, s, V1);
        // Same schema, other whitespace and attribute order: canonicalised to the same schema.
        String reformatted = "{ \"namespace\" : \"t\", \"name\":\"Thing\",\n \"type\":\"record\", \"fields\":[{\"type\":\"int\",\"name\":\"a\"}]}";
        assertThat(register(http, s, reformatted)).isEqualTo(id);
        assertThat(http.get("/subjects/" + enc(s) + "/versions").json()).hasSize(1);
        // Ids are global: the same schema under another subject keeps its id.
        assertThat(register(http, subject(), V1)).isEqualTo(id);
        int next = register(http, s, V2_WITH_DEFAULT);
        assertThat(next).isGreaterThan(id);
        assertThat(register(http, subject(), record("Other", "{\"name\":\"z\",\"type\":\"long\"}"))).isGreaterThan(next);
    }

    @Test
    void lookupReturnsSubjectIdVersionAndSchema() throws Exception {
        String s = subject();
        int id1 = register(http, s, V1);
        int id2 = register(http, s, V2_WITH_DEFAULT);

        JsonNode found = http.post("/subjects/" + enc(s), schemaBody(V1)).json();
        assertThat(found.get("subject").asText()).isEqualTo(s);
        assertThat(found.get("id").asInt()).isEqualTo(id1);
        assertThat(found.get("version").asInt()).isEqualTo(1);
        assertThat(Http.JSON.readTree(found.get("schema").asText())).isEqualTo(Http.JSON.readTree(V1));
        assertThat(http.post("/subjects/" + enc(s), schemaBody(V2_WITH_DEFAULT)).json().get("version").asInt()).isEqualTo(2);
        assertThat(id2).isNotEqualTo(id1);

        Http.Response missingSchema = http.post("/subjects/" + enc(s), schemaBody(V2_NO_DEFAULT));
        assertThat(missingSchema.status()).isEqualTo(404);
        assertThat(missingSchema.errorCode()).isEqualTo(40403);
        Http.Response missingSubject = http.post("/subjects/" + enc(subject()), schemaBody(V1));
        assertThat(missingSubject.status()).isEqualTo(404);
        assertThat(missingSubject.errorCode()).isEqualTo(40401);
    }

    @Test
    void schemasAreServedByIdByVersionAndAsLatest() throws Exception {
        String s = "a/b c:" + UUID.randomUUID(); // needs URL encoding
        int id1 = register(http, s, V1);
        int id2 = register(http, s, V2_WITH_DEFAULT);

        JsonNode byId = http.get("/schemas/ids/" + id2).json();
        assertThat(Http.JSON.readTree(byId.get("schema").asText())).isEqualTo(Http.JSON.readTree(V2_WITH_DEFAULT));
        assertThat(byId.has("schemaType")).isFalse(); // AVRO is implied
        assertThat(Http.JSON.readTree(http.get("/schemas/ids/" + id1 + "/schema").text())).isEqualTo(Http.JSON.readTree(V1));
        assertThat(http.get("/schemas/ids/" + id2 + "/versions").json()).extracting(n -> n.get("subject").asText() + "@" + n.get("version"))
                .contains(s + "@2");
        assertThat(http.get("/schemas/types").json().get(0).asText()).isEqualTo("AVRO");

        assertThat(http.get("/subjects").json()).extracting(JsonNode::asText).contains(s);
        assertThat(http.get("/subjects/" + enc(s) + "/versions").json()).extracting(JsonNode::asInt).containsExactly(1, 2);
        JsonNode v1 = http.get("/subjects/" + enc(s) + "/versions/1").json();
        assertThat(v1.get("subject").asText()).isEqualTo(s);
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("id").asInt()).isEqualTo(id1);
        JsonNode latest = http.get("/subjects/" + enc(s) + "/versions/latest").json();
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("id").asInt()).isEqualTo(id2);
        assertThat(http.get("/subjects/" + enc(s) + "/versions/-1").json().get("version").asInt()).isEqualTo(2);
        assertThat(Http.JSON.readTree(http.get("/subjects/" + enc(s) + "/versions/2/schema").text()))
                .isEqualTo(Http.JSON.readTree(V2_WITH_DEFAULT));
    }

    @Test
    void anIncompatibleRegistrationGets409() {
        String s = subject();
        register(http, s, V1);
        Http.Response r = http.post("/subjects/" + enc(s) + "/versions", schemaBody(V2_NO_DEFAULT));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo(409);
        assertThat(r.json().get("message").asText()).contains("incompatible").contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("b");
        assertThat(http.get("/subjects/" + enc(s) + "/versions").json()).hasSize(1);
    }

    @Test
    void theCompatibilityEndpointAnswersIsCompatibleAndExplainsWhenVerbose() {
        String s = subject();
        register(http, s, V1);
        JsonNode bad = http.post("/compatibility/subjects/" + enc(s) + "/versions/latest?verbose=true", schemaBody(V2_NO_DEFAULT)).json();
        assertThat(bad.get("is_compatible").asBoolean()).isFalse();
        assertThat(bad.get("messages").toString()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        JsonNode good = http.post("/compatibility/subjects/" + enc(s) + "/versions/1", schemaBody(V2_WITH_DEFAULT)).json();
        assertThat(good.get("is_compatible").asBoolean()).isTrue();
        assertThat(good.has("messages")).isFalse();
        // As Confluent: a subject without versions accepts anything; an explicit version must exist.
        assertThat(http.post("/compatibility/subjects/" + enc(subject()) + "/versions/latest", schemaBody(V1)).json()
                .get("is_compatible").asBoolean()).isTrue();
        assertThat(http.post("/compatibility/subjects/" + enc(s) + "/versions/7", schemaBody(V1)).errorCode()).isEqualTo(40402);
    }

    @Test
    void anInvalidSchemaGets422With42201() {
        String s = subject();
        for (String invalid : List.of("{\"type\":\"record\",\"name\":\"X\"}", "{\"type\":\"nope\"}", "not json at all",
                record("D", "{\"name\":\"a\",\"type\":\"int\",\"default\":\"text\"}"), "")) {
            Http.Response r = http.post("/subjects/" + enc(s) + "/versions", schemaBody(invalid));
            assertThat(r.status()).as(invalid).isEqualTo(422);
            assertThat(r.errorCode()).as(invalid).isEqualTo(42201);
        }
        Http.Response json = http.post("/subjects/" + enc(s) + "/versions",
                Http.JSON.createObjectNode().put("schemaType", "JSON").put("schema", "{\"type\":\"object\"}").toString());
        assertThat(json.errorCode()).isEqualTo(42201);
        assertThat(http.post("/subjects/" + enc(s) + "/versions", "{not json").status()).isEqualTo(400);
        assertThat(http.get("/subjects/" + enc(s) + "/versions").errorCode()).isEqualTo(40401);
    }

    @Test
    void unknownSubjectVersionAndIdGive40401_40402_40403() {
        String s = subject();
        Http.Response noSubject = http.get("/subjects/" + enc(s) + "/versions/latest");
        assertThat(noSubject.status()).isEqualTo(404);
        assertThat(noSubject.errorCode()).isEqualTo(40401);
        assertThat(http.get("/subjects/" + enc(s) + "/versions").errorCode()).isEqualTo(40401);
        register(http, s, V1);
        Http.Response noVersion = http.get("/subjects/" + enc(s) + "/versions/5");
        assertThat(noVersion.status()).isEqualTo(404);
        assertThat(noVersion.errorCode()).isEqualTo(40402);
        Http.Response noId = http.get("/schemas/ids/987654");
        assertThat(noId.status()).isEqualTo(404);
        assertThat(noId.errorCode()).isEqualTo(40403);
        assertThat(http.get("/subjects/" + enc(s) + "/versions/zero").errorCode()).isEqualTo(42202);
        assertThat(http.get("/no/such/route").status()).isEqualTo(404);
    }

    @Test
    void acceptsConfluentJsonAndOctetStreamBodiesAndAnswersInTheRegistryMediaType() {
        String s = subject();
        String path = "/subjects/" + enc(s) + "/versions";
        Http.Response v1 = http.send("POST", path, schemaBody(V1), Http.V1, null);
        assertThat(v1.status()).isEqualTo(200);
        assertThat(v1.contentType()).startsWith(Http.V1);
        assertThat(http.send("POST", path, schemaBody(V1), "application/json", "application/json").contentType())
                .startsWith("application/json");
        assertThat(http.send("POST", path, schemaBody(V1), "application/octet-stream", null).status()).isEqualTo(200);
        assertThat(http.send("POST", path, schemaBody(V1), "application/vnd.schemaregistry+json; charset=utf-8", null).status()).isEqualTo(200);
        Http.Response text = http.send("POST", path, schemaBody(V1), "text/plain", null);
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.errorCode()).isEqualTo(415);
    }

    @Test
    void deletingASubjectIsSoftAndKeepsItsIdsReadable() {
        String s = subject();
        int id = register(http, s, V1);
        register(http, s, V2_WITH_DEFAULT);

        assertThat(http.delete("/subjects/" + enc(s)).json()).extracting(JsonNode::asInt).containsExactly(1, 2);

        assertThat(http.get("/subjects/" + enc(s) + "/versions").errorCode()).isEqualTo(40401);
        assertThat(http.get("/subjects").json()).extracting(JsonNode::asText).doesNotContain(s);
        assertThat(http.get("/subjects?deleted=true").json()).extracting(JsonNode::asText).contains(s);
        assertThat(http.get("/schemas/ids/" + id).status()).isEqualTo(200);
        assertThat(http.delete("/subjects/" + enc(s)).errorCode()).isEqualTo(40404);
        assertThat(http.delete("/subjects/" + enc(s) + "?permanent=true").errorCode()).isEqualTo(42205);
        // Registering again continues the version numbers and keeps the schema's id.
        assertThat(register(http, s, V1)).isEqualTo(id);
        assertThat(http.get("/subjects/" + enc(s) + "/versions").json()).extracting(JsonNode::asInt).containsExactly(3);
        assertThat(http.delete("/subjects/" + enc(s) + "/versions/3").json().asInt()).isEqualTo(3);
        assertThat(http.delete("/subjects/" + enc(subject())).errorCode()).isEqualTo(40401);
    }

    @Test
    void compatibilityIsConfiguredGloballyAndPerSubject() {
        try (EmbeddedSchemaRegistry own = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), "schemas-" + UUID.randomUUID(), 0)) {
            Http h = new Http(own.url());
            assertThat(h.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            assertThat(h.put("/config", "{\"compatibility\":\"FULL_TRANSITIVE\"}").json().get("compatibility").asText())
                    .isEqualTo("FULL_TRANSITIVE");
            assertThat(h.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("FULL_TRANSITIVE");

            String s = subject();
            assertThat(h.get("/config/" + enc(s)).errorCode()).isEqualTo(40408);
            assertThat(h.get("/config/" + enc(s) + "?defaultToGlobal=true").json().get("compatibilityLevel").asText())
                    .isEqualTo("FULL_TRANSITIVE");
            Http.Response invalid = h.put("/config/" + enc(s), "{\"compatibility\":\"SOMETIMES\"}");
            assertThat(invalid.status()).isEqualTo(422);
            assertThat(invalid.errorCode()).isEqualTo(42203);

            register(h, s, V1);
            assertThat(h.post("/subjects/" + enc(s) + "/versions", schemaBody(V2_NO_DEFAULT)).status()).isEqualTo(409);
            assertThat(h.put("/config/" + enc(s), "{\"compatibility\":\"none\"}").json().get("compatibility").asText()).isEqualTo("NONE");
            assertThat(h.get("/config/" + enc(s)).json().get("compatibilityLevel").asText()).isEqualTo("NONE");
            register(h, s, V2_NO_DEFAULT);
            register(h, s, record("Thing", "{\"name\":\"c\",\"type\":\"boolean\"}"));
            assertThat(h.get("/subjects/" + enc(s) + "/versions").json()).hasSize(3);

            assertThat(h.delete("/config/" + enc(s)).json().get("compatibilityLevel").asText()).isEqualTo("NONE");
            assertThat(h.get("/config/" + enc(s)).errorCode()).isEqualTo(40408);
        }
    }

    @Test
    void transitiveLevelsCheckEveryEarlierVersion() {
        String s = subject();
        assertThat(http.put("/config/" + enc(s), "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}").status()).isEqualTo(200);
        register(http, s, V1);
        register(http, s, V2_WITH_DEFAULT);
        // Readable against v2 (which has b) but not against v1 (which does not): rejected only transitively.
        Http.Response r = http.post("/subjects/" + enc(s) + "/versions", schemaBody(V2_NO_DEFAULT));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("message").asText()).contains("version 1").doesNotContain("version 2 ");
        http.put("/config/" + enc(s), "{\"compatibility\":\"BACKWARD\"}");
        assertThat(http.post("/subjects/" + enc(s) + "/versions", schemaBody(V2_NO_DEFAULT)).status()).isEqualTo(200);
    }

    @Test
    void concurrentRegistrationsGetDistinctConsecutiveIdsAndIdenticalOnesShareOne() throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "");
        List<java.util.concurrent.Callable<Integer>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String schema = record("C" + run + i, "{\"name\":\"a\",\"type\":\"int\"}");
            calls.add(() -> register(http, subject(), schema));
            calls.add(() -> register(http, subject(), schema)); // same schema, other subject, at the same time
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<Integer> ids = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
            for (int i = 0; i < 32; i += 2) {
                assertThat(ids.get(i)).as("identical schemas share an id").isEqualTo(ids.get(i + 1));
            }
            List<Integer> distinct = ids.stream().distinct().sorted().toList();
            assertThat(distinct).hasSize(16);
            assertThat(distinct.get(15) - distinct.get(0)).as("no id skipped or handed out twice").isEqualTo(15);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idsAndConfigurationSurviveARestartOnTheSameTopic() throws Exception {
        String topic = "schemas-restart-" + UUID.randomUUID();
        String s = subject();
        int id1;
        int id2;
        int idOther;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), topic, 0)) {
            Http h = new Http(first.url());
            id1 = register(h, s, V1);
            id2 = register(h, s, V2_WITH_DEFAULT);
            idOther = register(h, subject(), record("Other", "{\"name\":\"z\",\"type\":\"long\"}"));
            h.put("/config/" + enc(s), "{\"compatibility\":\"FORWARD\"}");
            h.delete("/subjects/" + enc(s) + "/versions/1");
        }
        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), topic, 0)) {
            Http h = new Http(second.url());
            assertThat(Http.JSON.readTree(h.get("/schemas/ids/" + id1).json().get("schema").asText())).isEqualTo(Http.JSON.readTree(V1));
            assertThat(h.get("/subjects/" + enc(s) + "/versions/latest").json().get("id").asInt()).isEqualTo(id2);
            assertThat(h.get("/subjects/" + enc(s) + "/versions").json()).extracting(JsonNode::asInt).containsExactly(2);
            assertThat(h.get("/config/" + enc(s)).json().get("compatibilityLevel").asText()).isEqualTo("FORWARD");
            assertThat(register(h, s, V2_WITH_DEFAULT)).isEqualTo(id2);
            // A new schema continues after the highest id ever handed out.
            assertThat(register(h, subject(), record("New", "{\"name\":\"n\",\"type\":\"int\"}"))).isEqualTo(Math.max(id2, idOther) + 1);
        }
    }

    @Test
    void aSecondRegistryOnTheSameTopicFencesTheFirst() {
        String topic = "schemas-fence-" + UUID.randomUUID();
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), topic, 0)) {
            Http h1 = new Http(first.url());
            int id = register(h1, subject(), V1);
            try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), topic, 0)) {
                Http h2 = new Http(second.url());
                Http.Response fenced = h1.post("/subjects/" + enc(subject()) + "/versions", schemaBody(V2_WITH_DEFAULT));
                assertThat(fenced.status()).isEqualTo(500);
                assertThat(fenced.errorCode()).isEqualTo(50001);
                assertThat(fenced.json().get("message").asText()).contains("took over");
                assertThat(register(h2, subject(), V2_WITH_DEFAULT)).isEqualTo(id + 1);
            }
        }
    }

    @Test
    void theStorageTopicIsCreatedCompactedWithOnePartitionAndADeletePolicyTopicIsRefused() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            TopicDescription d = admin.describeTopics(List.of(registry.topic())).allTopicNames().get().get(registry.topic());
            assertThat(d.partitions()).hasSize(1);
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, registry.topic());
            assertThat(admin.describeConfigs(Set.of(r)).all().get().get(r).get("cleanup.policy").value()).isEqualTo("compact");

            String wrong = "schemas-wrong-" + UUID.randomUUID();
            admin.createTopics(List.of(new NewTopic(wrong, 1, (short) 1))).all().get();
            assertThatThrownBy(() -> EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), wrong, 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cleanup.policy");
        }
    }
}
