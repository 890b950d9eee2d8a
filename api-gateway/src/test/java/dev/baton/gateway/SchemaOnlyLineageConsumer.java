package dev.baton.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer of the lineage stream as an outside team would write it: a plain Kafka consumer of bytes, the
 * Confluent framing parsed by hand, the writer schema fetched from the registry's REST API by id, and Avro's
 * generic reader. It deliberately imports nothing from {@code dev.baton} (docs/lineage.md shows the same code):
 * if it decodes the stream, the published schemas are enough.
 */
final class SchemaOnlyLineageConsumer implements AutoCloseable {
    /** One decoded record: the Kafka key (asset key) and the value as a generic record. */
    record Decoded(String key, int schemaId, GenericRecord value) {}

    private static final byte MAGIC = 0;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String registryUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

    SchemaOnlyLineageConsumer(String bootstrapServers, String registryUrl, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Baton writes lineage in transactions: read only committed records.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.registryUrl = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Whatever one poll returns, decoded. */
    List<Decoded> poll(Duration timeout) {
        List<Decoded> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (r.value() == null) {
                continue; // a tombstone (only on the compacted topic)
            }
            out.add(decode(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value()));
        }
        return out;
    }

    /** Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian int, then Avro binary. */
    Decoded decode(String key, byte[] value) {
        if (value.length < 5 || value[0] != MAGIC) {
            throw new IllegalArgumentException("not in the Confluent wire format");
        }
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        Schema writer = schemas.computeIfAbsent(id, this::fetchSchema);
        try {
            GenericRecord record = new GenericDatumReader<GenericRecord>(writer)
                    .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
            return new Decoded(key, id, record);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a record written with schema " + id, e);
        }
    }

    /** {@code GET /schemas/ids/{id}} answers {@code {"schema": "<the Avro schema as a JSON string>"}}. */
    private Schema fetchSchema(int id) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("registry answered " + r.statusCode() + " for schema " + id + ": " + r.body());
            }
            return new Schema.Parser().parse(json.readTree(r.body()).get("schema").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(1)));
    }
}
