package dev.baton.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.AssetMaterialization;
import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.LineageEvent;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.platform.RunIds;
import dev.baton.platform.Topics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Kafka sensors and asset triggers against the real broker. */
@WithKafka
@SuppressWarnings("try") // services started in try-with-resources and only closed there
class SensorsKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, Object> SENSORS_ONLY = Map.of(SchedulerConfig.SCHEDULES_ENABLED, false);

    private static String topic(TestCluster cluster, Topics topics, String name, int partitions) {
        String t = topics.prefix() + "src." + name;
        try {
            cluster.admin().createTopics(List.of(new NewTopic(t, partitions, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    private static KafkaProducer<String, byte[]> rawProducer(TestCluster cluster) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RecordMetadata send(KafkaProducer<String, byte[]> p, String topic, String key, byte[] value) {
        try {
            return p.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitCount(SimpleMeterRegistry meters, String name, String job, String trigger, double n) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> Support.counter(meters, name, "job", job, "trigger", trigger) >= n);
    }

    @Test
    void aThousandMatchingRecordsRequestAThousandRunsAndFilteredRecordsNone(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("thousand"));
        String source = topic(cluster, topics, "orders", 3);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JobDefinition job = TestJobs.withTriggers("orders", Instant.now().minusSeconds(5),
                TestJobs.kafka("paid", source).setFilter("value.status == 'PAID'")
                        .setParams(Map.of("order_id", "${{ trigger.value.id }}")).build());
        job = JobDefinition.newBuilder(job).setParams(TestJobs.params("order_id")).build();
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters, java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            producer.send(topics.jobs(), "orders", job);
            List<Future<RecordMetadata>> matching = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                boolean paid = i % 3 != 2; // 1,000 paid, 500 open
                Future<RecordMetadata> f = raw.send(new ProducerRecord<>(source, "c" + (i % 17),
                        json("{\"id\":\"o-" + i + "\",\"status\":\"" + (paid ? "PAID" : "OPEN") + "\"}")));
                if (paid) {
                    matching.add(f);
                }
            }
            raw.flush();
            Set<String> expected = new HashSet<>();
            for (Future<RecordMetadata> f : matching) {
                RecordMetadata m = f.get();
                expected.add(RunIds.forRunKey("orders", RunIds.sensorKey(source, m.partition(), m.offset())));
            }
            awaitCount(meters, "baton.sensor.filtered", "orders", "paid", 500);
            awaitCount(meters, "baton.sensor.requests", "orders", "paid", 1000);
            await().atMost(WAIT).until(() -> requests.records().size() >= 1000);
            List<RunRequest> all = requests.values();
            assertThat(all).hasSize(1000);
            assertThat(all.stream().map(RunRequest::getRunId)).doesNotHaveDuplicates();
            assertThat(all.stream().map(RunRequest::getRunId).toList()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(all).allSatisfy(r -> {
                assertThat(r.getOrigin()).isEqualTo(Origin.SENSOR);
                assertThat(r.getParams().get("order_id")).startsWith("o-");
            });
            assertThat(meters.find("baton.sensor.request.latency").tags("job", "orders").timer().count()).isEqualTo(1000);
            await().atMost(WAIT).until(() -> meters.find("baton.sensor.consumer.lag").tags("job", "orders").gauge().value() == 0);
        }
    }

    @Test
    void aSensorWhoseTopicDoesNotExistYetWaitsForItAndThenRequestsRuns(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("later"));
        String source = topics.prefix() + "src.created-later";
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JobDefinition job = TestJobs.withTriggers("later", Instant.now().minusSeconds(5), TestJobs.kafka("onit", source).build());
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters, java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            producer.send(topics.jobs(), "later", job);
            await().atMost(WAIT).until(() -> scheduler.sensorManager().waitingForTopic("later/onit"));
            assertThat(meters.find("baton.sensor.waiting.for.topic").tags("job", "later").gauge().value()).isEqualTo(1.0);
            assertThat(scheduler.sensorManager().assigned("later/onit")).isFalse();

            topic(cluster, topics, "created-later", 1);
            await().atMost(WAIT).until(() -> scheduler.sensorManager().assigned("later/onit"));
            assertThat(scheduler.sensorManager().waitingForTopic("later/onit")).isFalse();
            assertThat(meters.find("baton.sensor.waiting.for.topic").tags("job", "later").gauge().value()).isEqualTo(0.0);
            send(raw, source, "k", json("{\"id\":\"x\"}"));
            await().atMost(WAIT).until(() -> requests.records().size() >= 1);
            assertThat(requests.values()).singleElement().satisfies(r -> assertThat(r.getJob()).isEqualTo("later"));
        }
    }

    @Test
    void aSensorCrashingBetweenReadingAndCommittingRequestsEachRunOnce(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("crash"));
        String source = topic(cluster, topics, "events", 2);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger crashes = new AtomicInteger();
        Faults crashTwice = new Faults() {
            @Override
            public void beforeSensorCommit(String sensorId, int records) {
                if (crashes.getAndIncrement() < 2) {
                    throw new IllegalStateException("injected crash before committing " + records + " records");
                }
            }
        };
        JobDefinition job = TestJobs.withTriggers("events", Instant.now().minusSeconds(5), TestJobs.kafka("all", source).build());
        try (TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            for (int i = 0; i < 20; i++) {
                send(raw, source, "k" + i, json("{\"n\":" + i + "}"));
            }
            producer.send(topics.jobs(), "events", job);
            try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters,
                    java.time.InstantSource.system(), crashTwice)) {
                awaitCount(meters, "baton.sensor.requests", "events", "all", 20);
                assertThat(crashes.get()).isGreaterThanOrEqualTo(3);
                await().atMost(WAIT).until(() -> requests.records().size() >= 20);
                send(raw, source, "last", json("{\"n\":20}"));
                awaitCount(meters, "baton.sensor.requests", "events", "all", 21);
                await().atMost(WAIT).until(() -> requests.records().size() >= 21);
            }
            List<RunRequest> all = requests.values();
            assertThat(all).hasSize(21);
            assertThat(all.stream().map(RunRequest::getRunId)).doesNotHaveDuplicates();
        }
    }

    /** The group's committed offset of partition 0 of {@code topic}, -1 when none. */
    private static long committed(TestCluster cluster, String group, String topic) throws Exception {
        var offsets = cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        var o = offsets.get(new org.apache.kafka.common.TopicPartition(topic, 0));
        return o == null ? -1 : o.offset();
    }

    @Test
    void filteredRecordsOpenNoTransactionTheirOffsetsRideOnTheNextRequestAndACrashFiltersThemAgain(TestCluster cluster)
            throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("rare"));
        String source = topic(cluster, topics, "busy", 1);
        String group = topics.applicationId("sensor.rare.big");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger crashes = new AtomicInteger();
        Faults crashOnFirstRequest = new Faults() {
            @Override
            public void beforeSensorCommit(String sensorId, int records) {
                if (records > 0 && crashes.getAndIncrement() == 0) {
                    throw new IllegalStateException("injected crash before committing " + records + " records");
                }
            }
        };
        JobDefinition job = TestJobs.withTriggers("rare", Instant.now().minusSeconds(5),
                TestJobs.kafka("big", source).setFilter("value.n > 0").build());
        try (TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            // Filtered offsets wait for a request (no interval commit within the test).
            try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, Map.of(SchedulerConfig.SCHEDULES_ENABLED, false,
                    SchedulerConfig.SENSOR_FILTERED_COMMIT_MS, 600_000L)), meters, java.time.InstantSource.system(), crashOnFirstRequest)) {
                producer.send(topics.jobs(), "rare", job);
                await().atMost(WAIT).until(() -> scheduler.sensorManager().assigned("rare/big"));
                await().atMost(WAIT).until(() -> committed(cluster, group, source) == 0); // the pinned start
                for (int i = 0; i < 30; i++) {
                    send(raw, source, "f" + i, json("{\"n\":0}")); // one at a time: many polls
                }
                awaitCount(meters, "baton.sensor.filtered", "rare", "big", 30);
                assertThat(committed(cluster, group, source)).as("no transaction for filtered records").isZero();
                assertThat(Support.counter(meters, "baton.sensor.transactions", "job", "rare", "trigger", "big")).isZero();
                assertThat(Support.counter(meters, "baton.sensor.batches", "job", "rare", "trigger", "big")).isPositive();

                // The matching record's first transaction crashes: the sensor reads all 31 again, filters 30 again,
                // and requests the run once, with the offsets of all of them.
                RecordMetadata match = send(raw, source, "m", json("{\"n\":1}"));
                requests.await(r -> r.getRunKey().equals(RunIds.sensorKey(source, 0, match.offset())), WAIT);
                await().atMost(WAIT).until(() -> committed(cluster, group, source) == 31);
                assertThat(crashes.get()).isGreaterThanOrEqualTo(2);
                assertThat(Support.counter(meters, "baton.sensor.filtered", "job", "rare", "trigger", "big")).isEqualTo(60);
                assertThat(Support.counter(meters, "baton.sensor.transactions", "job", "rare", "trigger", "big")).isEqualTo(1);

                // A clean stop commits the offsets still waiting.
                for (int i = 0; i < 5; i++) {
                    send(raw, source, "g" + i, json("{\"n\":0}"));
                }
                awaitCount(meters, "baton.sensor.filtered", "rare", "big", 65);
                assertThat(committed(cluster, group, source)).isEqualTo(31);
            }
            assertThat(committed(cluster, group, source)).isEqualTo(36);
            assertThat(requests.values()).singleElement()
                    .satisfies(r -> assertThat(r.getRunKey()).isEqualTo(RunIds.sensorKey(source, 0, 30)));
        }
    }

    @Test
    void filteredRecordsOffsetsAreCommittedAloneAfterTheInterval(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("interval"));
        String source = topic(cluster, topics, "busy", 1);
        String group = topics.applicationId("sensor.never.none");
        JobDefinition job = TestJobs.withTriggers("never", Instant.now().minusSeconds(5),
                TestJobs.kafka("none", source).setFilter("value.n > 0").build());
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, Map.of(SchedulerConfig.SCHEDULES_ENABLED, false,
                SchedulerConfig.SENSOR_FILTERED_COMMIT_MS, 100L)), new SimpleMeterRegistry(), java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster)) {
            producer.send(topics.jobs(), "never", job);
            await().atMost(WAIT).until(() -> scheduler.sensorManager().assigned("never/none"));
            for (int i = 0; i < 10; i++) {
                send(raw, source, "f" + i, json("{\"n\":0}"));
            }
            await().atMost(WAIT).until(() -> committed(cluster, group, source) == 10);
            assertThat(scheduler.sensorManager().assigned("never/none")).isTrue();
        }
    }

    @Test
    void anUndecodableRecordGoesToTheDeadLetterTopicAndTheSensorContinues(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("dlq"));
        String source = topic(cluster, topics, "events", 1);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JobDefinition job = TestJobs.withTriggers("events", Instant.now().minusSeconds(5), TestJobs.kafka("json", source).build());
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters, java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
             TopicProbe<DeadLetter> dlq = TopicProbe.avro(cluster, topics.deadLetters(), DeadLetter.class)) {
            producer.send(topics.jobs(), "events", job);
            RecordMetadata before = send(raw, source, "a", json("{\"ok\":1}"));
            RecordMetadata garbage = send(raw, source, "b", new byte[] {(byte) 0xff, 0x00, 0x13, 0x37});
            RecordMetadata after = send(raw, source, "c", json("{\"ok\":2}"));
            DeadLetter letter = dlq.await(d -> true, WAIT);
            assertThat(letter.getSourceTopic()).isEqualTo(source);
            assertThat(letter.getPartition()).isEqualTo(garbage.partition());
            assertThat(letter.getOffset()).isEqualTo(garbage.offset());
            assertThat(letter.getCause()).isEqualTo("NOT_JSON");
            assertThat(letter.getValue().array()).containsExactly((byte) 0xff, 0x00, 0x13, 0x37);
            assertThat(new String(letter.getKey().array(), StandardCharsets.UTF_8)).isEqualTo("b");
            requests.await(r -> r.getRunKey().equals(RunIds.sensorKey(source, after.partition(), after.offset())), WAIT);
            assertThat(requests.values()).extracting(RunRequest::getRunKey).containsExactlyInAnyOrder(
                    RunIds.sensorKey(source, before.partition(), before.offset()),
                    RunIds.sensorKey(source, after.partition(), after.offset()));
            assertThat(Support.counter(meters, "baton.sensor.dead.letters", "job", "events", "cause", "NOT_JSON")).isEqualTo(1);
        }
    }

    @Test
    void sensorsStartChangeAndStopWithTheJobDefinitionsWithoutARestart(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("runtime"));
        String x = topic(cluster, topics, "x", 1);
        String y = topic(cluster, topics, "y", 1);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters, java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            await().atMost(WAIT).until(scheduler::ready);
            assertThat(scheduler.sensors()).isEmpty();

            // A job registered while the scheduler runs gets its sensor.
            producer.send(topics.jobs(), "a", TestJobs.withTriggers("a", Instant.now(), TestJobs.kafka("onx", x).build()));
            await().atMost(WAIT).until(() -> scheduler.sensors().contains("a/onx"));
            send(raw, x, "1", json("{\"n\":1}"));
            requests.await(r -> r.getJob().equals("a"), WAIT);

            // A changed trigger restarts the sensor in the same group: old records are not requested again.
            producer.send(topics.jobs(), "a", TestJobs.withTriggers("a", Instant.now(),
                    TestJobs.kafka("onx", x).setFilter("value.n > 1").build()));
            await().atMost(WAIT).until(() -> scheduler.sensorManager().trigger("a/onx") instanceof KafkaTrigger k
                    && k.getFilter() != null);
            send(raw, x, "0", json("{\"n\":0}"));
            send(raw, x, "2", json("{\"n\":2}"));
            requests.await(r -> r.getRunKey().equals(RunIds.sensorKey(x, 0, 2)), WAIT);
            assertThat(requests.values()).extracting(RunRequest::getRunKey)
                    .containsExactlyInAnyOrder(RunIds.sensorKey(x, 0, 0), RunIds.sensorKey(x, 0, 2));

            // Another job, another sensor.
            producer.send(topics.jobs(), "b", TestJobs.withTriggers("b", Instant.now(), TestJobs.kafka("ony", y).build()));
            send(raw, y, "1", json("{}"));
            requests.await(r -> r.getJob().equals("b"), WAIT);

            // A trigger removed from its job stops its sensor.
            producer.send(topics.jobs(), "a", TestJobs.job("a").setRegisteredAt(Instant.now()).build());
            await().atMost(WAIT).until(() -> !scheduler.sensors().contains("a/onx"));
            assertThat(scheduler.sensors()).containsExactly("b/ony");
        }
    }

    @Test
    void anAssetMaterializationRequestsExactlyOneRunOfTheDownstreamJob(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("assets"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JobDefinition downstream = TestJobs.withTriggers("clean", Instant.now().minusSeconds(5), TestJobs.assets("upstream", "raw_orders"));
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters, java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            producer.send(topics.jobs(), "clean", downstream);
            LineageEvent materialized = LineageEvent.newBuilder().setEventId("mat-1").setRunId("run-up").setTimestamp(Instant.now())
                    .setTraceId("tr").setAssetKey("raw_orders").setPayload(AssetMaterialization.newBuilder().setJob("ingest")
                            .setStepKey("load").setAttempt(1).setAttemptId("att").setDataVersion("v1").build()).build();
            producer.send(topics.lineage(), "raw_orders", materialized);
            producer.send(topics.lineage(), "other", LineageEvent.newBuilder(materialized).setEventId("mat-2").setAssetKey("other").build());
            RunRequest r = requests.await(x -> true, WAIT);
            assertThat(r.getJob()).isEqualTo("clean");
            assertThat(r.getOrigin()).isEqualTo(Origin.ASSET);
            assertThat(r.getRunKey()).isEqualTo("asset:raw_orders@mat-1");
            assertThat(r.getRunId()).isEqualTo(RunIds.forRunKey("clean", "asset:raw_orders@mat-1"));
            awaitCount(meters, "baton.sensor.filtered", "clean", "upstream", 1); // past the other asset's event
            assertThat(requests.values()).hasSize(1);
        }
    }

    /**
     * Issue 15: an asset trigger of a job partitioned by a dynamic set runs the upstream partition only while its key is
     * in the set (as written to {@code baton.partition-keys} by the gateway); a key that is not is dead-lettered with
     * the reason, and a key added later is run by the next materialization.
     */
    @Test
    void anAssetTriggerRunsADynamicPartitionOnlyWhenItsKeyIsInTheSet(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("dynkeys"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JobDefinition downstream = JobDefinition.newBuilder(TestJobs.withTriggers("exports", Instant.now().minusSeconds(5),
                        TestJobs.assets("upstream", "raw_customers")))
                .setPartitions(new dev.baton.events.PartitionsSpec(List.of(new dev.baton.events.PartitionDimension("customer",
                        new dev.baton.events.DynamicPartitions("customers"))))).build();
        try (Scheduler scheduler = Scheduler.start(Support.config(cluster, topics, SENSORS_ONLY), meters, java.time.InstantSource.system());
             TestProducer producer = new TestProducer(cluster);
             KafkaProducer<String, byte[]> raw = rawProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
             TopicProbe<DeadLetter> dlq = TopicProbe.avro(cluster, topics.deadLetters(), DeadLetter.class)) {
            send(raw, topics.partitionKeys(), "customers/acme", json("customers/acme"));
            producer.send(topics.jobs(), "exports", downstream);
            LineageEvent acme = LineageEvent.newBuilder().setEventId("mat-acme").setRunId("run-up").setTimestamp(Instant.now())
                    .setTraceId("tr").setAssetKey("raw_customers").setPartition("acme").setPayload(AssetMaterialization.newBuilder()
                            .setJob("ingest").setStepKey("load").setAttempt(1).setAttemptId("att").setDataVersion("v1").build()).build();
            producer.send(topics.lineage(), "raw_customers", acme);
            producer.send(topics.lineage(), "raw_customers", LineageEvent.newBuilder(acme).setEventId("mat-initech").setPartition("initech").build());

            RunRequest r = requests.await(x -> true, WAIT);
            assertThat(r.getPartition()).isEqualTo("acme");
            DeadLetter letter = dlq.await(d -> true, WAIT);
            assertThat(letter.getCause()).isEqualTo("PARTITION_NOT_IN_SET");
            assertThat(letter.getReason()).contains("mat-initech", "'initech' is not a current key of dynamic partition set 'customers'");
            assertThat(letter.getSourceTopic()).isEqualTo(topics.lineage());
            assertThat(Support.counter(meters, "baton.sensor.dead.letters", "job", "exports", "cause", "PARTITION_NOT_IN_SET")).isEqualTo(1);

            // The key is added, then upstream materializes it again: now it runs. Removing acme stops acme's runs.
            send(raw, topics.partitionKeys(), "customers/initech", json("customers/initech"));
            send(raw, topics.partitionKeys(), "customers/acme", null);
            producer.send(topics.lineage(), "raw_customers", LineageEvent.newBuilder(acme).setEventId("mat-initech-2").setPartition("initech").build());
            producer.send(topics.lineage(), "raw_customers", LineageEvent.newBuilder(acme).setEventId("mat-acme-2").build());
            requests.await(x -> "initech".equals(x.getPartition()), WAIT);
            DeadLetter removed = dlq.await(d -> d.getReason().contains("mat-acme-2"), WAIT);
            assertThat(removed.getReason()).contains("'acme' is not a current key of dynamic partition set 'customers'");
            assertThat(requests.values()).extracting(RunRequest::getRunKey)
                    .containsExactlyInAnyOrder("asset:raw_customers@mat-acme", "asset:raw_customers@mat-initech-2");
        }
    }
}
