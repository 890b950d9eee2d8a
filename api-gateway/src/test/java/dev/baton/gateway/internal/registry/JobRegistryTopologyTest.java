package dev.baton.gateway.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.JobRegistrationRequest;
import dev.baton.events.JobRegistrationResult;
import dev.baton.events.RegistrationOutcome;
import dev.baton.events.RegistrationRejection;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's topology: accept, unchanged, the cross-job asset rules, versions in request order, adoption. */
class JobRegistryTopologyTest {
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path stateDir;

    final Topics topics = new Topics("t.");
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> requests, jobsIn;
    TestOutputTopic<String, byte[]> results, jobs, dlq;
    JobRegistryTopology.Codecs codecs;
    AvroSerde<DeadLetter> dlqSerde;
    int n;

    @BeforeEach
    void start() {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://registry-ttd-" + UUID.randomUUID());
        codecs = JobRegistryTopology.Codecs.create(registry);
        dlqSerde = AvroSerde.forValues(DeadLetter.class, registry);
        driver = new TopologyTestDriver(JobRegistryTopology.build(topics, codecs), JobRegistry.streamsProperties(
                Map.of("bootstrap.servers", "ttd:9092"), topics, stateDir.toString(), 100, (short) 1), T0);
        requests = driver.createInputTopic(topics.jobRegistrations(), new StringSerializer(), new ByteArraySerializer());
        jobsIn = driver.createInputTopic(topics.jobs(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(topics.jobRegistrationResults(), new StringDeserializer(), new ByteArrayDeserializer());
        jobs = driver.createOutputTopic(topics.jobs(), new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    static JobDefinition job(String name, String step, String produces) {
        return JobParser.parse("""
                name: %s
                steps:
                  - { key: %s, noop: {}, produces: [%s] }
                """.formatted(name, step, produces), Format.YAML, T0);
    }

    /** Sends a registration and returns the registry's answer, which it must give to every request. */
    JobRegistrationResult register(JobDefinition def) {
        String id = "req-" + (++n);
        JobRegistrationRequest request = JobRegistrationRequest.newBuilder().setRequestId(id).setTimestamp(T0)
                .setRequestedBy("alice").setDefinition(def).build();
        requests.pipeInput(def.getName(), codecs.requests().serialize(topics.jobRegistrations(), request));
        List<TestRecord<String, byte[]>> out = results.readRecordsToList();
        assertThat(out).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo(id));
        JobRegistrationResult result = codecs.results().deserialize(topics.jobRegistrationResults(), out.get(0).value());
        assertThat(result.getRequestId()).isEqualTo(id);
        assertThat(result.getJob()).isEqualTo(def.getName());
        return result;
    }

    List<JobDefinition> written() {
        return jobs.readRecordsToList().stream().map(r -> {
            JobDefinition d = codecs.jobs().deserialize(topics.jobs(), r.value());
            assertThat(r.key()).isEqualTo(d.getName());
            return d;
        }).toList();
    }

    @Test
    void acceptsANewJobAsVersionOneAndWritesItToTheJobsTopic() {
        JobRegistrationResult r = register(job("orders", "load", "raw/orders"));

        assertThat(r.getOutcome()).isEqualTo(RegistrationOutcome.REGISTERED);
        assertThat(r.getVersion()).isEqualTo(1);
        assertThat(r.getTimestamp()).as("the request's time, not a clock").isEqualTo(T0);
        assertThat(written()).singleElement().satisfies(d -> {
            assertThat(d.getName()).isEqualTo("orders");
            assertThat(d.getVersion()).isEqualTo(1);
            assertThat(d.getSteps().get(0).getProduces().get(0).getKey()).isEqualTo("raw/orders");
        });
    }

    @Test
    void theSameDefinitionAgainIsUnchangedWithTheCurrentVersionAndWritesNothing() {
        register(job("orders", "load", "raw/orders"));
        written();
        JobDefinition same = JobDefinition.newBuilder(job("orders", "load", "raw/orders"))
                .setRegisteredAt(T0.plusSeconds(60)).build();

        JobRegistrationResult r = register(same);

        assertThat(r.getOutcome()).isEqualTo(RegistrationOutcome.UNCHANGED);
        assertThat(r.getVersion()).isEqualTo(1);
        assertThat(written()).isEmpty();
    }

    @Test
    void versionsIncreaseByOneInRequestOrderPerJob() {
        int[] expectedA = {1, 2, 3};
        for (int i = 0; i < 3; i++) {
            JobRegistrationResult a = register(job("a", "s" + i, "asset/a"));
            JobRegistrationResult b = register(job("b", "s" + i, "asset/b"));
            assertThat(a.getOutcome()).isEqualTo(RegistrationOutcome.REGISTERED);
            assertThat(a.getVersion()).isEqualTo(expectedA[i]);
            assertThat(b.getVersion()).isEqualTo(i + 1);
        }
        assertThat(written()).extracting(d -> d.getName() + "@" + d.getVersion())
                .containsExactly("a@1", "b@1", "a@2", "b@2", "a@3", "b@3");
    }

    @Test
    void aSecondProducerOfAnAssetIsRejectedNamingTheOwnerAndNothingIsWritten() {
        register(job("first", "load", "shared/x"));
        written();

        JobRegistrationResult r = register(job("second", "make", "shared/x"));

        assertThat(r.getOutcome()).isEqualTo(RegistrationOutcome.REJECTED);
        assertThat(r.getRejection()).isEqualTo(RegistrationRejection.ASSET_OWNED_BY_OTHER_JOB);
        assertThat(r.getVersion()).isZero();
        assertThat(r.getProblems()).singleElement().satisfies(p -> {
            assertThat(p.getPath()).isEqualTo("steps[0].produces[0]");
            assertThat(p.getMessage()).contains("already produced by job 'first'");
        });
        assertThat(written()).isEmpty();
        // the owner may still change its own job
        assertThat(register(job("first", "load2", "shared/x")).getVersion()).isEqualTo(2);
    }

    @Test
    void anAssetCycleAcrossJobsIsRejected() {
        register(JobParser.parse("""
                name: up
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - { key: c/x, deps: [c/y] }
                """, Format.YAML, T0));
        written();

        JobRegistrationResult r = register(JobParser.parse("""
                name: down
                steps:
                  - key: load
                    noop: {}
                    produces:
                      - { key: c/y, deps: [c/x] }
                """, Format.YAML, T0));

        assertThat(r.getOutcome()).isEqualTo(RegistrationOutcome.REJECTED);
        assertThat(r.getRejection()).isEqualTo(RegistrationRejection.ASSET_CYCLE);
        assertThat(r.getProblems()).singleElement().satisfies(p -> assertThat(p.getMessage()).contains("cycle"));
        assertThat(written()).isEmpty();
    }

    @Test
    void definitionsAlreadyOnTheJobsTopicCountForVersionsAndAssetRules() {
        JobDefinition legacy = JobDefinition.newBuilder(job("old", "load", "legacy/x")).setVersion(7).build();
        jobsIn.pipeInput("old", codecs.jobs().serialize(topics.jobs(), legacy));

        assertThat(register(job("old", "load2", "legacy/x")).getVersion()).isEqualTo(8);
        JobRegistrationResult thief = register(job("new", "load", "legacy/x"));
        assertThat(thief.getRejection()).isEqualTo(RegistrationRejection.ASSET_OWNED_BY_OTHER_JOB);
        // an older copy (or the registry's own echo) does not move the version back
        jobsIn.pipeInput("old", codecs.jobs().serialize(topics.jobs(), legacy));
        assertThat(register(job("old", "load3", "legacy/x")).getVersion()).isEqualTo(9);
    }

    @Test
    void anUndecodableRequestGoesToTheDeadLetterTopicWithoutAnAnswer() {
        requests.pipeInput("broken", new byte[] {'{', '}'});

        assertThat(results.isEmpty()).isTrue();
        assertThat(dlq.readRecordsToList()).singleElement().satisfies(r -> {
            DeadLetter d = dlqSerde.deserialize(topics.deadLetters(), r.value());
            assertThat(d.getComponent()).isEqualTo(JobRegistryTopology.COMPONENT);
            assertThat(d.getSourceTopic()).isEqualTo(topics.jobRegistrations());
            assertThat(d.getCause()).isEqualTo("NOT_WIRE_FORMAT");
        });
        // and the registry goes on
        assertThat(register(job("after", "load", "after/x")).getVersion()).isEqualTo(1);
    }
}
