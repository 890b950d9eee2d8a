package dev.baton.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.events.ControlCommand;
import dev.baton.events.LogBatch;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.schemas.fixtures.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.awaitility.Awaitility;

class AvroSerdeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StubRegistry stub;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        stub = new StubRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        stub.close();
    }

    private Map<String, Object> config(Object... extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stub.url());
        for (int i = 0; i < extra.length; i += 2) {
            config.put((String) extra[i], extra[i + 1]);
        }
        return config;
    }

    private <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type, Object... extra) {
        AvroSerde<T> serde = AvroSerde.forValues(type, config(extra));
        closeables.add(serde);
        return serde;
    }

    private static byte[] avroBody(SpecificRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static byte[] wire(int id, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    }

    @Test
    void writesMagicByteBigEndianSchemaIdAndPlainAvroBinary() throws Exception {
        RunRequest request = SampleEvents.runRequest();
        AvroSerde<RunRequest> serde = serde(RunRequest.class);
        // Occupy a few ids first so the id has more than one significant byte pattern to check.
        serde.registry().register("other-value", Schema.create(Schema.Type.STRING));
        serde.registry().register("other2-value", Schema.create(Schema.Type.LONG));

        byte[] bytes = serde.serialize("baton.run-requests", request);

        int id = serde.registry().lookup("baton.run-requests-value", RunRequest.getClassSchema()).id();
        assertThat(id).isEqualTo(3);
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(java.util.Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBody(request));
        assertThat(serde.deserialize("baton.run-requests", bytes)).isEqualTo(request);
    }

    @Test
    void roundTripsEveryTopLevelEventThroughAnInMemoryRegistry() {
        String scope = "roundtrip-" + UUID.randomUUID();
        try {
            for (Map.Entry<String, SpecificRecord> e : SampleEvents.byTopic().entrySet()) {
                @SuppressWarnings("unchecked")
                Class<SpecificRecord> type = (Class<SpecificRecord>) e.getValue().getClass();
                try (AvroSerde<SpecificRecord> writer = AvroSerde.forValues(type, Map.of("schema.registry.url", "mock://" + scope));
                     AvroSerde<SpecificRecord> reader = AvroSerde.forValues(type, Map.of("schema.registry.url", "mock://" + scope))) {
                    byte[] bytes = writer.serialize("baton." + e.getKey(), e.getValue());
                    assertThat(reader.deserialize("baton." + e.getKey(), bytes)).as(type.getSimpleName()).isEqualTo(e.getValue());
                }
            }
        } finally {
            SchemaRegistryClient.dropMockScope(scope);
        }
    }

    @Test
    void subjectsFollowTopicNameStrategyForValuesAndKeysAndTheConfiguredStrategy() {
        serde(RunRequest.class).serialize("t1", SampleEvents.runRequest());
        AvroSerde<RunRequest> keys = AvroSerde.forKeys(RunRequest.class, config());
        closeables.add(keys);
        keys.serialize("t1", SampleEvents.runRequest());
        serde(RunRequest.class, AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "io.confluent.kafka.serializers.subject.RecordNameStrategy")
                .serialize("t2", SampleEvents.runRequest());
        serde(RunRequest.class, AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "TopicRecordNameStrategy")
                .serialize("t3", SampleEvents.runRequest());

        assertThat(stub.requests).extracting(StubRegistry.Request::line).containsExactly(
                "POST /subjects/t1-value/versions",
                "POST /subjects/t1-key/versions",
                "POST /subjects/dev.baton.events.RunRequest/versions",
                "POST /subjects/t3-dev.baton.events.RunRequest/versions");
    }

    @Test
    void registersOncePerTopicAndFetchesEachWriterSchemaOnce() {
        AvroSerde<RunEvent> writer = serde(RunEvent.class);
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            written.add(writer.serialize("baton.run-events", SampleEvents.runEvent()));
        }
        assertThat(stub.count("POST /subjects/baton.run-events-value/versions")).isEqualTo(1);

        AvroSerde<RunEvent> reader = serde(RunEvent.class);
        for (byte[] bytes : written) {
            assertThat(reader.deserialize("baton.run-events", bytes)).isEqualTo(SampleEvents.runEvent());
        }
        int id = ByteBuffer.wrap(written.get(0), 1, 4).getInt();
        assertThat(stub.count("GET /schemas/ids/" + id)).isEqualTo(1);
        assertThat(stub.count()).isEqualTo(2);
    }

    @Test
    void concurrentFirstReadsOfOneSchemaIdShareOneRequest() throws Exception {
        byte[] bytes = serde(RunEvent.class).serialize("baton.run-events", SampleEvents.runEvent());
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        CountDownLatch release = new CountDownLatch(1);
        stub.override(r -> {
            if (r.path().startsWith("/schemas/ids/")) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        });
        AvroSerde<RunEvent> reader = serde(RunEvent.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Future<RunEvent>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    threads.add(Thread.currentThread());
                    return reader.deserialize("baton.run-events", bytes);
                }));
            }
            // Every reader is parked: one in the HTTP call, the others on the shared request.
            Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> threads.size() == 8
                    && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING));
            release.countDown();
            for (Future<RunEvent> f : results) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(SampleEvents.runEvent());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(stub.count("GET /schemas/ids/" + id)).isEqualTo(1);
    }

    @Test
    void readsAnOlderWriterSchemaThroughAvroSchemaResolution() throws Exception {
        // An older ControlCommand without the optional actor field and with fewer command branches.
        ObjectNode old = (ObjectNode) JSON.readTree(ControlCommand.getClassSchema().toString());
        ArrayNode fields = (ArrayNode) old.get("fields");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals("actor")) {
                fields.remove(i);
                break;
            }
        }
        Schema oldSchema = new Schema.Parser().parse(old.toString());
        SchemaRegistryClient client = SchemaRegistryClient.create(config());
        closeables.add(client);
        int id = client.register("baton.run-control-value", oldSchema);

        GenericRecord cancel = new GenericData.Record(oldSchema.getField("command").schema().getTypes().get(0));
        cancel.put("reason", "old writer");
        cancel.put("graceMs", 5L);
        GenericRecord record = new GenericData.Record(oldSchema);
        record.put("eventId", "e");
        record.put("runId", "r");
        record.put("timestamp", SampleEvents.T.toEpochMilli());
        record.put("traceId", "t");
        record.put("command", cancel);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(oldSchema).write(record, enc);
        enc.flush();

        ControlCommand decoded = serde(ControlCommand.class).deserialize("baton.run-control", wire(id, out.toByteArray()));

        assertThat(decoded.getActor()).isNull();
        assertThat(decoded.getTimestamp()).isEqualTo(SampleEvents.T);
        assertThat(decoded.getCommand()).isInstanceOf(dev.baton.events.CancelRun.class);
        assertThat(((dev.baton.events.CancelRun) decoded.getCommand()).getReason()).isEqualTo("old writer");
    }

    @Test
    void nullAndEmptyValuesFailWithNullOrEmptyUnlessTombstonesAreAccepted() {
        AvroSerde<RunEvent> serde = serde(RunEvent.class);
        assertFailure(() -> serde.deserialize("t", null), DecodeFailure.NULL_OR_EMPTY);
        assertFailure(() -> serde.deserialize("t", new byte[0]), DecodeFailure.NULL_OR_EMPTY);
        AvroSerde<RunEvent> compacted = serde(RunEvent.class, AvroSerdeConfig.TOMBSTONES, "true");
        assertThat(compacted.deserialize("t", null)).isNull();
        assertFailure(() -> compacted.deserialize("t", new byte[0]), DecodeFailure.NULL_OR_EMPTY);
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(stub.count()).isZero();
    }

    @Test
    void bytesWithoutTheMagicByteOrTooShortAreNotWireFormat() {
        AvroSerde<RunEvent> serde = serde(RunEvent.class);
        EventDecodeException json = assertFailure(() -> serde.deserialize("t", "{\"a\":1}".getBytes()), DecodeFailure.NOT_WIRE_FORMAT);
        assertThat(json.getMessage()).contains("0x7b");
        assertThat(json.schemaId()).isEmpty();
        assertFailure(() -> serde.deserialize("t", new byte[] {0, 0, 0, 1}), DecodeFailure.NOT_WIRE_FORMAT);
        assertFailure(() -> serde.deserialize("t", new byte[] {1, 0, 0, 0, 1, 2}), DecodeFailure.NOT_WIRE_FORMAT);
        assertThat(stub.count()).isZero();
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsUnknownSchemaIdAndIsAskedAgainLater() {
        AvroSerde<RunEvent> serde = serde(RunEvent.class);
        EventDecodeException e = assertFailure(() -> serde.deserialize("t", wire(4242, new byte[] {2})), DecodeFailure.UNKNOWN_SCHEMA_ID);
        assertThat(e.schemaId()).hasValue(4242);
        assertThat(e.getMessage()).contains("4242").contains("40403");
        assertFailure(() -> serde.deserialize("t", wire(4242, new byte[] {2})), DecodeFailure.UNKNOWN_SCHEMA_ID);
        assertThat(stub.count("GET /schemas/ids/4242")).isEqualTo(2);
    }

    @Test
    void aRegistryThatCannotAnswerIsRegistryUnavailable() throws Exception {
        byte[] bytes = serde(RunEvent.class).serialize("t", SampleEvents.runEvent());
        // A bare 404 (no Confluent error code) means a wrong URL, not an unknown id.
        stub.override(r -> new StubRegistry.Response(404, "text/html", "<html>not here</html>"));
        assertFailure(() -> serde(RunEvent.class).deserialize("t", bytes), DecodeFailure.REGISTRY_UNAVAILABLE);
        stub.override(r -> new StubRegistry.Response(500, "application/json", "{\"error_code\":50001,\"message\":\"store down\"}"));
        EventDecodeException e = assertFailure(() -> serde(RunEvent.class).deserialize("t", bytes), DecodeFailure.REGISTRY_UNAVAILABLE);
        assertThat(e.getMessage()).contains("50001").contains("store down");

        String deadUrl = stub.url();
        stub.close();
        AvroSerde<RunEvent> noRegistry = AvroSerde.forValues(RunEvent.class, Map.of("schema.registry.url", deadUrl));
        closeables.add(noRegistry);
        assertFailure(() -> noRegistry.deserialize("t", bytes), DecodeFailure.REGISTRY_UNAVAILABLE);
        stub = new StubRegistry();
    }

    @Test
    void aWriterSchemaOfAnotherRecordIsIncompatibleSchema() {
        byte[] logBytes = serde(LogBatch.class).serialize("baton.logs", SampleEvents.logBatch());
        AvroSerde<RunEvent> serde = serde(RunEvent.class);
        EventDecodeException e = assertFailure(() -> serde.deserialize("baton.logs", logBytes), DecodeFailure.INCOMPATIBLE_SCHEMA);
        assertThat(e.getMessage()).contains("dev.baton.events.LogBatch").contains("dev.baton.events.RunEvent");
        assertThat(e.schemaId()).hasValue(ByteBuffer.wrap(logBytes, 1, 4).getInt());
        assertFailure(() -> serde.deserialize("baton.logs", logBytes), DecodeFailure.INCOMPATIBLE_SCHEMA);
        // The incompatibility is cached: the second failure asked the registry nothing.
        assertThat(stub.count("GET /schemas/ids/" + e.schemaId().getAsInt())).isEqualTo(1);
    }

    @Test
    void aNewFieldWithoutDefaultInTheWriterIsFineButAMissingOneIsIncompatible() throws Exception {
        // Writer lacks a field the reader requires without default: not readable.
        ObjectNode json = (ObjectNode) JSON.readTree(RunEvent.getClassSchema().toString());
        ArrayNode fields = (ArrayNode) json.get("fields");
        fields.remove(0); // eventId: required, no default
        Schema writer = new Schema.Parser().parse(json.toString());
        SchemaRegistryClient client = SchemaRegistryClient.create(config());
        closeables.add(client);
        int id = client.register("x-value", writer);
        EventDecodeException e = assertFailure(() -> serde(RunEvent.class).deserialize("x", wire(id, new byte[] {0})),
                DecodeFailure.INCOMPATIBLE_SCHEMA);
        assertThat(e.getMessage()).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("eventId");
    }

    @Test
    void bodiesThatDoNotDecodeAreCorruptPayload() throws Exception {
        AvroSerde<RunEvent> serde = serde(RunEvent.class);
        byte[] good = serde.serialize("t", SampleEvents.runEvent());
        int id = ByteBuffer.wrap(good, 1, 4).getInt();

        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        EventDecodeException e = assertFailure(() -> serde.deserialize("t", truncated), DecodeFailure.CORRUPT_PAYLOAD);
        assertThat(e.schemaId()).hasValue(id);
        assertThat(e.getMessage()).contains("schema id " + id);

        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 2);
        assertFailure(() -> serde.deserialize("t", trailing), DecodeFailure.CORRUPT_PAYLOAD);

        byte[] badUnion = wire(id, new byte[] {2, 'e', 2, 'r', 0, 2, 't', 2, 'j', 2, 0, (byte) 0x7f});
        assertFailure(() -> serde.deserialize("t", badUnion), DecodeFailure.CORRUPT_PAYLOAD);

        // A string length of about 1 GiB in a 10-byte body must fail fast, not allocate.
        byte[] hugeLength = wire(id, new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'x'});
        assertFailure(() -> serde.deserialize("t", hugeLength), DecodeFailure.CORRUPT_PAYLOAD);

        byte[] negativeLength = wire(id, new byte[] {3, 'x'});
        assertFailure(() -> serde.deserialize("t", negativeLength), DecodeFailure.CORRUPT_PAYLOAD);
    }

    @Test
    void withoutAutoRegisterTheSchemaIsLookedUpAndMustExist() {
        AvroSerde<RunEvent> lookupOnly = serde(RunEvent.class, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
        assertThatThrownBy(() -> lookupOnly.serialize("baton.run-events", SampleEvents.runEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("baton.run-events-value")
                .hasMessageContaining("40401");
        int id = serde(RunEvent.class).registry().register("baton.run-events-value", RunEvent.getClassSchema());
        byte[] bytes = lookupOnly.serialize("baton.run-events", SampleEvents.runEvent());
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(stub.count("POST /subjects/baton.run-events-value")).isEqualTo(2);
        assertThat(stub.count("POST /subjects/baton.run-events-value/versions")).isEqualTo(1);
    }

    @Test
    void useLatestVersionWritesWithTheLatestRegisteredSchema() throws Exception {
        // The latest version has one more optional field than the compiled class.
        ObjectNode json = (ObjectNode) JSON.readTree(LogBatch.getClassSchema().toString());
        ((ArrayNode) json.get("fields")).addObject().put("name", "host").put("type", "string").put("default", "unknown-host");
        Schema latest = new Schema.Parser().parse(json.toString());
        SchemaRegistryClient client = SchemaRegistryClient.create(config());
        closeables.add(client);
        client.register("baton.logs-value", LogBatch.getClassSchema());
        int latestId = client.register("baton.logs-value", latest);

        byte[] bytes = serde(LogBatch.class, AvroSerdeConfig.USE_LATEST_VERSION, "true").serialize("baton.logs", SampleEvents.logBatch());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
        GenericRecord generic = new GenericDatumReader<GenericRecord>(latest)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertThat(generic.get("host").toString()).isEqualTo("unknown-host");
        assertThat(serde(LogBatch.class).deserialize("baton.logs", bytes)).isEqualTo(SampleEvents.logBatch());
    }

    @Test
    void kafkaCanBuildTheSerdeFromItsClassNameAndTheValueTypeKey() {
        AvroSerde<RunRequest> byKafka = new AvroSerde<>();
        closeables.add(byKafka);
        byKafka.configure(config(AvroSerdeConfig.VALUE_TYPE, RunRequest.class.getName(), "bootstrap.servers", "ignored:9092"), false);
        byte[] bytes = byKafka.serialize("baton.run-requests", SampleEvents.runRequest());
        assertThat(byKafka.deserialize("baton.run-requests", bytes)).isEqualTo(SampleEvents.runRequest());

        assertThatThrownBy(() -> new AvroSerde<>().configure(config(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.VALUE_TYPE);
        assertThatThrownBy(() -> new AvroSerde<>().configure(config(AvroSerdeConfig.VALUE_TYPE, "java.lang.String"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SpecificRecord");
        assertThatThrownBy(() -> AvroSerde.forValues(RunRequest.class, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        assertThatThrownBy(() -> AvroSerde.forValues(RunRequest.class, config(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "Nope")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY);
    }

    @Test
    void aClosedSerdeStillWorksAndKeepsItsCaches() {
        AvroSerde<RunEvent> serde = serde(RunEvent.class);
        byte[] bytes = serde.serialize("t", SampleEvents.runEvent());
        serde.close();
        assertThat(serde.deserialize("t", serde.serialize("t", SampleEvents.runEvent()))).isEqualTo(SampleEvents.runEvent());
        assertThat(bytes).isNotEmpty();
        assertThat(stub.count()).isEqualTo(1);
    }

    static EventDecodeException assertFailure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, DecodeFailure expected) {
        EventDecodeException e = catchThrowableOfType(EventDecodeException.class, call);
        assertThat(e).as("expected EventDecodeException " + expected).isNotNull();
        assertThat(e.failure()).as(e.getMessage()).isEqualTo(expected);
        assertThat(e).isInstanceOf(SerializationException.class);
        return e;
    }
}
