package dev.baton.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.fixtures.SampleEvents;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.AvroSerdeConfig;
import dev.baton.schemas.serde.DecodeFailure;
import dev.baton.schemas.serde.EventDecodeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every top-level event goes through {@link AvroSerde} to a real broker, is read back as plain bytes,
 * and is decoded twice: as a stock consumer would (schema fetched by id over HTTP, GenericDatumReader,
 * no Baton class involved) and with {@link AvroSerde}.
 */
class EventRoundTripTest {
    private static EmbeddedSchemaRegistry registry;
    private static String prefix;

    @BeforeAll
    static void start() {
        registry = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), "schemas-rt-" + UUID.randomUUID(), 0);
        prefix = "rt" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static void createTopics(List<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(List<String> topics, int expected) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "rt-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }

    @Test
    void everyTopLevelEventRoundTripsThroughTheBrokerAndDecodesWithAStockGenericReaderAndWithAvroSerde() throws Exception {
        Map<String, SpecificRecord> byTopic = new LinkedHashMap<>();
        SampleEvents.byTopic().forEach((t, e) -> byTopic.put(prefix + t, e));
        createTopics(List.copyOf(byTopic.keySet()));

        // One producer per event type, configured the way a Kafka client configures serdes: by class name.
        for (Map.Entry<String, SpecificRecord> e : byTopic.entrySet()) {
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerde.class.getName());
            p.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
            p.put(AvroSerdeConfig.VALUE_TYPE, e.getValue().getClass().getName());
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(p)) {
                producer.send(new ProducerRecord<>(e.getKey(), "key-1", e.getValue())).get();
            }
        }

        List<ConsumerRecord<String, byte[]>> records = readAll(List.copyOf(byTopic.keySet()), byTopic.size());
        assertThat(records).hasSize(13); // every top-level record of the contract, JobRegistrationRequest/Result included
        Http http = new Http(registry.url());
        for (ConsumerRecord<String, byte[]> r : records) {
            SpecificRecord original = byTopic.get(r.topic());
            byte[] bytes = r.value();
            assertThat(bytes[0]).as("magic byte").isEqualTo((byte) 0);
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();

            // The subject follows TopicNameStrategy and its latest version is the schema the id names.
            Http.Response latest = http.get("/subjects/" + Http.enc(r.topic() + "-value") + "/versions/latest");
            assertThat(latest.json().get("id").asInt()).as(r.topic()).isEqualTo(id);

            // Stock decoding: the writer schema comes from the registry by id, nothing from Baton's classes.
            String schemaText = http.get("/schemas/ids/" + id).json().get("schema").asText();
            Schema writer = new Schema.Parser().parse(schemaText);
            assertThat(writer.getFullName()).isEqualTo(original.getSchema().getFullName());
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
            GenericRecord generic = new GenericDatumReader<GenericRecord>(writer).read(null, decoder);
            assertThat(decoder.isEnd()).as("whole body consumed").isTrue();
            assertThat(generic.get(0).toString()).isEqualTo(original.get(0).toString()); // eventId / name
            // Re-encoding what the stock reader decoded gives the same event back: nothing was lost or misread
            // (not compared byte for byte: map entries may come out in another order).
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            again.write(bytes, 0, 5);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(again, null);
            new GenericDatumWriter<GenericRecord>(writer).write(generic, enc);
            enc.flush();

            try (AvroSerde<SpecificRecord> serde = serdeFor(original)) {
                assertThat(serde.deserialize(r.topic(), bytes)).as(r.topic()).isEqualTo(original);
                assertThat(serde.deserialize(r.topic(), again.toByteArray())).as(r.topic() + " via the generic record").isEqualTo(original);
            }
        }
        // Spot-check unions as a stock reader sees them: the branch is the named record.
        GenericRecord runEvent = decodeGeneric(http, records.stream().filter(r -> r.topic().endsWith("run-events")).findFirst().orElseThrow());
        assertThat(((GenericRecord) runEvent.get("payload")).getSchema().getFullName()).isEqualTo("dev.baton.events.StepFailed");
        assertThat(runEvent.get("timestamp")).isEqualTo(SampleEvents.T.toEpochMilli());
    }

    @Test
    void garbageAndUnknownSchemaIdsFromTheBrokerDecodeToPreciseFailures() throws Exception {
        String topic = prefix + "garbage";
        String logs = prefix + "logs-for-garbage";
        createTopics(List.of(topic, logs));
        byte[] logBytes;
        try (AvroSerde<SpecificRecord> logSerde = serdeFor(SampleEvents.logBatch())) {
            logBytes = logSerde.serialize(logs, SampleEvents.logBatch());
        }
        int logId = ByteBuffer.wrap(logBytes, 1, 4).getInt();
        List<byte[]> values = List.of(
                "{\"eventId\":\"x\"}".getBytes(),                                   // JSON, not the wire format
                new byte[0],                                                          // empty
                ByteBuffer.allocate(6).put((byte) 0).putInt(987_654).put((byte) 2).array(), // unknown id
                logBytes,                                                             // a LogBatch on a RunEvent topic
                ByteBuffer.allocate(8).put((byte) 0).putInt(logId).put(new byte[] {(byte) 0xff, (byte) 0xff, 0x0f}).array());
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, "k", v)).get();
            }
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(List.of(topic), values.size());

        Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
        List<DecodeFailure> failures = new ArrayList<>();
        try (AvroSerde<dev.baton.events.RunEvent> runEvents = AvroSerde.forValues(dev.baton.events.RunEvent.class, config);
             AvroSerde<dev.baton.events.LogBatch> logBatches = AvroSerde.forValues(dev.baton.events.LogBatch.class, config)) {
            for (int i = 0; i < records.size(); i++) {
                AvroSerde<?> serde = i == 4 ? logBatches : runEvents;
                byte[] value = records.get(i).value();
                try {
                    serde.deserialize(topic, value);
                    failures.add(null);
                } catch (EventDecodeException e) {
                    failures.add(e.failure());
                    if (e.failure() == DecodeFailure.UNKNOWN_SCHEMA_ID) {
                        assertThat(e.schemaId()).hasValue(987_654);
                    }
                }
            }
        }
        assertThat(failures).containsExactly(DecodeFailure.NOT_WIRE_FORMAT, DecodeFailure.NULL_OR_EMPTY,
                DecodeFailure.UNKNOWN_SCHEMA_ID, DecodeFailure.INCOMPATIBLE_SCHEMA, DecodeFailure.CORRUPT_PAYLOAD);

        // With no registry answering, a new id cannot be resolved: transient, not the record's fault.
        String url;
        try (EmbeddedSchemaRegistry gone = EmbeddedSchemaRegistry.start(SharedBroker.bootstrapServers(), "schemas-gone-" + UUID.randomUUID(), 0)) {
            url = gone.url();
        }
        try (AvroSerde<dev.baton.events.LogBatch> noRegistry = AvroSerde.forValues(dev.baton.events.LogBatch.class,
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url))) {
            EventDecodeException e = org.assertj.core.api.Assertions.catchThrowableOfType(EventDecodeException.class,
                    () -> noRegistry.deserialize(logs, logBytes));
            assertThat(e.failure()).isEqualTo(DecodeFailure.REGISTRY_UNAVAILABLE);
            assertThat(e.schemaId()).hasValue(logId);
        }
    }

    @SuppressWarnings("unchecked")
    private static AvroSerde<SpecificRecord> serdeFor(SpecificRecord example) {
        return AvroSerde.forValues((Class<SpecificRecord>) example.getClass(), Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()));
    }

    private static GenericRecord decodeGeneric(Http http, ConsumerRecord<String, byte[]> r) throws Exception {
        byte[] bytes = r.value();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer = new Schema.Parser().parse(http.get("/schemas/ids/" + id).json().get("schema").asText());
        return new GenericDatumReader<GenericRecord>(writer).read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
    }
}
