package dev.baton.scheduler.internal.sensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.CheckOutcome;
import dev.baton.events.CheckSeverity;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.LineageEvent;
import dev.baton.events.Origin;
import dev.baton.events.ParamSpec;
import dev.baton.events.RunRequest;
import dev.baton.events.ValueFormat;
import dev.baton.platform.RunIds;
import dev.baton.scheduler.TestJobs;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class TriggerHandlersTest {
    private static final String SCOPE = "trigger-handlers-test";
    private static final Map<String, Object> REGISTRY = Map.of("schema.registry.url", "mock://" + SCOPE);
    private static final SchemaRegistryClient CLIENT = SchemaRegistryClient.create(REGISTRY);
    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    private final JobDefinition job = TestJobs.job("orders").setParams(TestJobs.params("order_id", "customer")).build();

    @AfterAll
    static void dropRegistry() {
        CLIENT.close();
        SchemaRegistryClient.dropMockScope(SCOPE);
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("shop.orders", 2, 41L, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, h, Optional.empty());
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Outcome handle(KafkaTrigger trigger, ConsumerRecord<byte[], byte[]> rec) {
        return new KafkaTriggerHandler(trigger, CLIENT).handle(rec, job, NOW);
    }

    @Test
    void aMatchingJsonRecordRequestsARunWithTemplatedParamsAndTheDefaultRunKey() {
        KafkaTrigger t = TestJobs.kafka("paid", "shop.orders").setFilter("value.status == 'PAID' && value.amount > 10")
                .setParams(Map.of("order_id", "${{ trigger.value.order_id }}", "customer", "${{ trigger.key }}")).build();
        Outcome o = handle(t, record("c-7", json("{\"status\":\"PAID\",\"amount\":12.5,\"order_id\":\"o-1\"}")));
        assertThat(o).isInstanceOfSatisfying(Outcome.Request.class, r -> {
            RunRequest req = r.request();
            assertThat(req.getRunKey()).isEqualTo("sensor:shop.orders/2/41");
            assertThat(req.getRunId()).isEqualTo(RunIds.forRunKey("orders", "sensor:shop.orders/2/41"));
            assertThat(req.getParams()).containsEntry("order_id", "o-1").containsEntry("customer", "c-7");
            assertThat(req.getOrigin()).isEqualTo(Origin.SENSOR);
            assertThat(req.getDefinition()).isEqualTo(job);
            assertThat(req.getTags()).containsEntry("baton.source", "shop.orders/2/41");
        });
    }

    @Test
    void aRecordTheFilterRejectsIsFiltered() {
        KafkaTrigger t = TestJobs.kafka("paid", "shop.orders").setFilter("value.status == 'PAID'").build();
        assertThat(handle(t, record("k", json("{\"status\":\"OPEN\"}")))).isInstanceOf(Outcome.Filtered.class);
    }

    @Test
    void theFilterReadsKeyHeadersAndPosition() {
        KafkaTrigger t = TestJobs.kafka("t", "shop.orders")
                .setFilter("key =^ 'eu-' && headers['source'] == 'web' && partition == 2 && offset > 40 && timestamp > 0").build();
        assertThat(handle(t, record("eu-1", json("{}"), "source", "web"))).isInstanceOf(Outcome.Request.class);
        assertThat(handle(t, record("us-1", json("{}"), "source", "web"))).isInstanceOf(Outcome.Filtered.class);
    }

    @Test
    void aTemplatedRunKeyDecidesTheRunId() {
        KafkaTrigger t = TestJobs.kafka("t", "shop.orders").setRunKey("order:${{ trigger.value.id }}").build();
        Outcome a = handle(t, record("k", json("{\"id\":7}")));
        assertThat(((Outcome.Request) a).request().getRunId()).isEqualTo(RunIds.forRunKey("orders", "order:7"));
    }

    @Test
    void undecodableJsonIsADeadLetter() {
        KafkaTrigger t = TestJobs.kafka("t", "shop.orders").build();
        assertThat(handle(t, record("k", json("{not json")))).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.cause()).isEqualTo("NOT_JSON"));
    }

    @Test
    void aFailingFilterIsADeadLetterAndNullCoalescingAvoidsIt() {
        KafkaTrigger strict = TestJobs.kafka("t", "shop.orders").setFilter("value.amount > 10").build();
        assertThat(handle(strict, record("k", json("{}")))).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.cause()).isEqualTo("FILTER_ERROR"));
        KafkaTrigger lenient = TestJobs.kafka("t", "shop.orders").setFilter("(value.amount ?? 0) > 10").build();
        assertThat(handle(lenient, record("k", json("{}")))).isInstanceOf(Outcome.Filtered.class);
        KafkaTrigger notBoolean = TestJobs.kafka("t", "shop.orders").setFilter("value.amount").build();
        assertThat(handle(notBoolean, record("k", json("{\"amount\":3}")))).isInstanceOf(Outcome.DeadLetter.class);
    }

    @Test
    void aParamThatCannotBeTemplatedIsADeadLetter() {
        KafkaTrigger t = TestJobs.kafka("t", "shop.orders").setParams(Map.of("order_id", "${{ trigger.value.missing }}")).build();
        assertThat(handle(t, record("k", json("{\"id\":1}")))).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.cause()).isEqualTo("TEMPLATE_ERROR"));
    }

    @Test
    void aRecordWhoseMappedParamsFailTheirDeclarationsIsADeadLetterNamingTheParam() {
        JobDefinition typed = TestJobs.job("orders").setParams(Map.of(
                "order_id", ParamSpec.newBuilder().setPattern("[a-z0-9-]+").setMaxLength(64).build())).build();
        KafkaTrigger t = TestJobs.kafka("paid", "shop.orders").setParams(Map.of("order_id", "${{ trigger.value.id }}")).build();
        Outcome bad = new KafkaTriggerHandler(t, CLIENT).handle(
                record("k", json("{\"id\":\"x\\\"; touch /tmp/pwned; echo \\\"\"}")), typed, NOW);
        assertThat(bad).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.cause()).isEqualTo("INVALID_PARAMS");
            assertThat(d.reason()).contains("trigger 'paid'").contains("params.order_id").contains("does not match the pattern");
        });
        assertThat(new KafkaTriggerHandler(t, CLIENT).handle(record("k", json("{\"id\":\"o-1\"}")), typed, NOW))
                .isInstanceOf(Outcome.Request.class);
    }

    @Test
    void stringValuesAreText() {
        KafkaTrigger t = TestJobs.kafka("t", "shop.orders").setFormat(ValueFormat.STRING).setFilter("value =~ ['go', 'run']")
                .setParams(Map.of("order_id", "${{ trigger.value }}")).build();
        Outcome o = handle(t, record("k", json("go")));
        assertThat(((Outcome.Request) o).request().getParams()).containsEntry("order_id", "go");
    }

    @Test
    void avroValuesAreDecodedWithTheWriterSchemaFromTheRegistry() throws Exception {
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"Order","namespace":"shop","fields":[
                  {"name":"id","type":"string"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["OPEN","PAID"]}},
                  {"name":"amount","type":"double"},{"name":"lines","type":{"type":"array","items":"string"}}]}""");
        int id = CLIENT.register("shop.orders-value", schema);
        GenericRecord order = new GenericData.Record(schema);
        order.put("id", "o-9");
        order.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), "PAID"));
        order.put("amount", 99.0);
        order.put("lines", java.util.List.of("a", "b"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(order, enc);
        enc.flush();
        KafkaTrigger t = TestJobs.kafka("t", "shop.orders").setFormat(ValueFormat.AVRO)
                .setFilter("value.status == 'PAID' && value.amount >= 99 && size(value.lines) == 2")
                .setParams(Map.of("order_id", "${{ trigger.value.id }}", "customer", "${{ trigger.value.lines.1 }}")).build();
        Outcome o = handle(t, record("k", out.toByteArray()));
        assertThat(o).isInstanceOfSatisfying(Outcome.Request.class, r -> assertThat(r.request().getParams())
                .containsEntry("order_id", "o-9").containsEntry("customer", "b"));
        assertThat(handle(t, record("k", json("{\"id\":1}")))).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.cause()).isEqualTo("NOT_WIRE_FORMAT"));
        byte[] unknownId = out.toByteArray().clone();
        unknownId[1] = 0x7f;
        assertThat(handle(t, record("k", unknownId))).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.cause()).isEqualTo("UNKNOWN_SCHEMA_ID"));
    }

    @Test
    void assetTriggersRequestOneRunPerMaterializationOfAListedAsset() {
        AvroSerde<LineageEvent> serde = AvroSerde.forValues(LineageEvent.class, REGISTRY);
        AssetTriggerHandler h = new AssetTriggerHandler(TestJobs.assets("up", "raw_orders"), serde, null);
        LineageEvent mat = LineageEvent.newBuilder().setEventId("m-1").setRunId("r-0").setTimestamp(NOW).setTraceId("tr")
                .setAssetKey("raw_orders").setPayload(AssetMaterialization.newBuilder().setJob("ingest").setStepKey("load")
                        .setAttempt(1).setAttemptId("a").setDataVersion("v1").build()).build();
        Outcome o = h.handle(record("raw_orders", serde.serialize("lineage", mat)), job, NOW);
        assertThat(o).isInstanceOfSatisfying(Outcome.Request.class, r -> {
            assertThat(r.request().getRunKey()).isEqualTo("asset:raw_orders@m-1");
            assertThat(r.request().getOrigin()).isEqualTo(Origin.ASSET);
            assertThat(r.request().getTags()).containsEntry("baton.upstream.run", "r-0");
        });
        LineageEvent other = LineageEvent.newBuilder(mat).setAssetKey("clean_orders").build();
        assertThat(h.handle(record("clean_orders", serde.serialize("lineage", other)), job, NOW)).isInstanceOf(Outcome.Filtered.class);
        LineageEvent check = LineageEvent.newBuilder(mat).setPayload(AssetCheckEvaluated.newBuilder().setCheckName("c")
                .setSeverity(CheckSeverity.ERROR).setOutcome(CheckOutcome.PASSED).setMaterializationId("m-1").build()).build();
        assertThat(h.handle(record("raw_orders", serde.serialize("lineage", check)), job, NOW)).isInstanceOf(Outcome.Filtered.class);
        assertThat(h.handle(record("raw_orders", json("garbage")), job, NOW)).isInstanceOf(Outcome.DeadLetter.class);
    }

    @Test
    void anAssetTriggerRunsTheDownstreamPartitionOfTheMaterializedUpstreamPartition() {
        AvroSerde<LineageEvent> serde = AvroSerde.forValues(LineageEvent.class, REGISTRY);
        JobDefinition daily = dev.baton.jobs.JobParser.parse("""
                name: daily_report
                partitions:
                  daily: { start: "2026-01-01", timezone: Europe/Berlin }
                triggers:
                  - { assets: [raw_sales], name: up }
                steps:
                  - { key: report, noop: {} }
                """, dev.baton.jobs.Format.YAML, NOW);
        AssetTriggerHandler h = new AssetTriggerHandler(TestJobs.assets("up", "raw_sales"), serde, null);
        LineageEvent mat = LineageEvent.newBuilder().setEventId("m-7").setRunId("r-7").setTimestamp(NOW).setTraceId("tr")
                .setAssetKey("raw_sales").setPartition("2026-03-29").setPayload(AssetMaterialization.newBuilder().setJob("ingest")
                        .setStepKey("load").setAttempt(1).setAttemptId("a").setDataVersion("v1").build()).build();
        Outcome o = h.handle(record("raw_sales", serde.serialize("lineage", mat)), daily, NOW);
        assertThat(o).isInstanceOfSatisfying(Outcome.Request.class, r -> {
            assertThat(r.request().getPartition()).isEqualTo("2026-03-29");
            assertThat(r.request().getRunKey()).isEqualTo("asset:raw_sales@m-7");
            assertThat(r.request().getTags()).containsEntry("baton.upstream.partition", "2026-03-29");
        });
        // Not a partition of the job (before its start), or no partition at all: nothing to run.
        LineageEvent early = LineageEvent.newBuilder(mat).setEventId("m-8").setPartition("2025-12-31").build();
        assertThat(h.handle(record("raw_sales", serde.serialize("lineage", early)), daily, NOW)).isInstanceOf(Outcome.Filtered.class);
        LineageEvent unpartitioned = LineageEvent.newBuilder(mat).setEventId("m-9").setPartition(null).build();
        assertThat(h.handle(record("raw_sales", serde.serialize("lineage", unpartitioned)), daily, NOW))
                .isInstanceOf(Outcome.Filtered.class);
        // An unpartitioned job is triggered as before, without a partition.
        Outcome plain = h.handle(record("raw_sales", serde.serialize("lineage", mat)), job, NOW);
        assertThat(plain).isInstanceOfSatisfying(Outcome.Request.class, r -> assertThat(r.request().getPartition()).isNull());
    }

    /** In-memory keys of dynamic partition sets, as a sensor sees them at a batch. */
    private static final class Keys implements dev.baton.jobs.PartitionSet.DynamicKeys {
        final java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        final java.util.List<Long> asked = new java.util.ArrayList<>();

        @Override
        public boolean contains(String set, String key) {
            return keys.contains(set + "/" + key);
        }

        @Override
        public java.util.Iterator<String> keys(String set) {
            return keys.stream().filter(k -> k.startsWith(set + "/")).map(k -> k.substring(set.length() + 1)).iterator();
        }
    }

    /** Issue 15: a dynamic key must be in the job's set now; one that is not is dead-lettered with the reason. */
    @Test
    void anAssetTriggerOfADynamicallyPartitionedJobRunsOnlyKeysThatAreInTheSet() {
        AvroSerde<LineageEvent> serde = AvroSerde.forValues(LineageEvent.class, REGISTRY);
        JobDefinition exports = dev.baton.jobs.JobParser.parse("""
                name: exports
                partitions:
                  dynamic: { name: customers }
                triggers:
                  - { assets: [raw_customers], name: up }
                steps:
                  - { key: export, noop: {} }
                """, dev.baton.jobs.Format.YAML, NOW);
        JobDefinition daily = dev.baton.jobs.JobParser.parse("""
                name: daily_exports
                partitions:
                  dimensions:
                    date: { daily: { start: "2026-01-01" } }
                    customer: { dynamic: { name: customers } }
                triggers:
                  - { assets: [raw_customers], name: up }
                steps:
                  - { key: export, noop: {} }
                """, dev.baton.jobs.Format.YAML, NOW);
        Keys keys = new Keys();
        keys.keys.add("customers/acme");
        AssetTriggerHandler h = new AssetTriggerHandler(TestJobs.assets("up", "raw_customers"), serde, t -> {
            keys.asked.add(t);
            return keys;
        });
        LineageEvent mat = LineageEvent.newBuilder().setEventId("m-1").setRunId("r-1").setTimestamp(NOW).setTraceId("tr")
                .setAssetKey("raw_customers").setPartition("acme").setPayload(AssetMaterialization.newBuilder().setJob("ingest")
                        .setStepKey("load").setAttempt(1).setAttemptId("a").setDataVersion("v1").build()).build();
        h.beginBatch();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", mat)), exports, NOW))
                .isInstanceOfSatisfying(Outcome.Request.class, r -> assertThat(r.request().getPartition()).isEqualTo("acme"));

        LineageEvent initech = LineageEvent.newBuilder(mat).setEventId("m-2").setPartition("initech").build();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", initech)), exports, NOW))
                .isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
                    assertThat(d.cause()).isEqualTo(AssetTriggerHandler.PARTITION_NOT_IN_SET);
                    assertThat(d.reason()).contains("trigger 'up' of job 'exports'", "m-2",
                            "'initech' is not a current key of dynamic partition set 'customers'", "no run requested");
                });
        // Not of the form of a dynamic key: not a partition of the job at all, filtered as before.
        LineageEvent malformed = LineageEvent.newBuilder(mat).setEventId("m-3").setPartition(" padded").build();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", malformed)), exports, NOW))
                .isInstanceOf(Outcome.Filtered.class);

        // Two dimensions: the dynamic one is checked, the date one as before.
        LineageEvent both = LineageEvent.newBuilder(mat).setEventId("m-4").setPartition("2026-03-29|acme").build();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", both)), daily, NOW))
                .isInstanceOfSatisfying(Outcome.Request.class, r -> assertThat(r.request().getPartition()).isEqualTo("2026-03-29|acme"));
        LineageEvent notInSet = LineageEvent.newBuilder(mat).setEventId("m-5").setPartition("2026-03-29|initech").build();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", notInSet)), daily, NOW))
                .isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> assertThat(d.reason())
                        .contains("dimension customer", "'initech' is not a current key of dynamic partition set 'customers'"));

        // A key added later is run by a later batch, which asks for the keys as of its own start.
        keys.keys.add("customers/initech");
        h.beginBatch();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", initech)), exports, NOW))
                .isInstanceOfSatisfying(Outcome.Request.class, r -> assertThat(r.request().getPartition()).isEqualTo("initech"));

        // A time-partitioned job never asks for dynamic keys.
        int asked = keys.asked.size();
        JobDefinition timeOnly = dev.baton.jobs.JobParser.parse("""
                name: daily_report
                partitions:
                  daily: { start: "2026-01-01" }
                steps:
                  - { key: report, noop: {} }
                """, dev.baton.jobs.Format.YAML, NOW);
        LineageEvent day = LineageEvent.newBuilder(mat).setEventId("m-6").setPartition("2026-03-29").build();
        assertThat(h.handle(record("raw_customers", serde.serialize("lineage", day)), timeOnly, NOW))
                .isInstanceOf(Outcome.Request.class);
        assertThat(keys.asked).hasSize(asked);
    }
}
