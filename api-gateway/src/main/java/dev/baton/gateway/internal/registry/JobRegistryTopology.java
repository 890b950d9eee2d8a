package dev.baton.gateway.internal.registry;

import dev.baton.events.DeadLetter;
import dev.baton.events.JobDefinition;
import dev.baton.events.JobRegistrationRequest;
import dev.baton.events.JobRegistrationResult;
import dev.baton.events.RegistrationOutcome;
import dev.baton.events.RegistrationProblem;
import dev.baton.events.RegistrationRejection;
import dev.baton.gateway.internal.assets.AssetRegistration;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.DecodeFailure;
import dev.baton.schemas.serde.EventDecodeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job registry's topology: one processor decides registration requests from the single-partition
 * {@code job-registrations} topic in order, against a store of the latest definition per job, and writes each
 * accepted definition to {@code jobs} and every answer to {@code job-registration-results} (exactly-once, so the
 * store, the new version and the answer commit together). A second source folds {@code jobs} itself into the
 * same store, so definitions written before the registry existed (or by another writer) count too.
 */
public final class JobRegistryTopology {
    private static final Logger log = LoggerFactory.getLogger(JobRegistryTopology.class);

    public static final String COMPONENT = "job-registry";
    public static final String SOURCE_REQUESTS = "job-registry-source-requests";
    public static final String SOURCE_JOBS = "job-registry-source-jobs";
    public static final String PROC_DECIDE = "job-registry-decide";
    public static final String PROC_ADOPT = "job-registry-adopt";
    public static final String SINK_JOBS = "job-registry-sink-jobs";
    public static final String SINK_RESULTS = "job-registry-sink-results";
    public static final String SINK_DLQ = "job-registry-sink-dlq";
    /** job name → latest JobDefinition (wire format, as written to the jobs topic). Changelogged. */
    public static final String STORE_DEFINITIONS = "job-registry-definitions";

    private JobRegistryTopology() {}

    /** The codecs the registry reads and writes with (Confluent wire format). */
    public record Codecs(AvroSerde<JobRegistrationRequest> requests, AvroSerde<JobRegistrationResult> results,
                         AvroSerde<JobDefinition> jobs, AvroSerde<DeadLetter> deadLetters) {
        public static Codecs create(Map<String, Object> registryConfig) {
            Map<String, Object> compacted = new LinkedHashMap<>(registryConfig);
            compacted.put("baton.avro.tombstones", true);
            return new Codecs(AvroSerde.forValues(JobRegistrationRequest.class, registryConfig),
                    AvroSerde.forValues(JobRegistrationResult.class, registryConfig),
                    AvroSerde.forValues(JobDefinition.class, compacted), AvroSerde.forValues(DeadLetter.class, registryConfig));
        }
    }

    public static Topology build(Topics topics, Codecs codecs) {
        Topology t = new Topology();
        var keys = Serdes.String();
        var bytes = Serdes.ByteArray();
        t.addSource(SOURCE_REQUESTS, keys.deserializer(), bytes.deserializer(), topics.jobRegistrations());
        t.addSource(SOURCE_JOBS, keys.deserializer(), bytes.deserializer(), topics.jobs());
        t.addProcessor(PROC_DECIDE, () -> new DecideProcessor(topics, codecs), SOURCE_REQUESTS);
        t.addProcessor(PROC_ADOPT, () -> new AdoptProcessor(topics, codecs), SOURCE_JOBS);
        t.addStateStore(definitions(), PROC_DECIDE, PROC_ADOPT);
        t.addSink(SINK_JOBS, topics.jobs(), keys.serializer(), bytes.serializer(), PROC_DECIDE);
        t.addSink(SINK_RESULTS, topics.jobRegistrationResults(), keys.serializer(), bytes.serializer(), PROC_DECIDE);
        t.addSink(SINK_DLQ, topics.deadLetters(), keys.serializer(), bytes.serializer(), PROC_DECIDE, PROC_ADOPT);
        return t;
    }

    private static StoreBuilder<KeyValueStore<String, byte[]>> definitions() {
        // Persistent and logged: the registry's state moves with its one task from gateway to gateway.
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE_DEFINITIONS), Serdes.String(), Serdes.ByteArray());
    }

    /** Shared by both processors: the store and the dead-letter path. */
    private abstract static class Base implements Processor<String, byte[], String, byte[]> {
        final Topics topics;
        final Codecs codecs;
        ProcessorContext<String, byte[]> context;
        KeyValueStore<String, byte[]> store;

        Base(Topics topics, Codecs codecs) {
            this.topics = topics;
            this.codecs = codecs;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE_DEFINITIONS);
        }

        JobDefinition stored(String name) {
            byte[] b = store.get(name);
            return b == null ? null : codecs.jobs().deserialize(topics.jobs(), b);
        }

        void deadLetter(Record<String, byte[]> record, String cause, String reason) {
            var meta = context.recordMetadata();
            String topic = meta.map(m -> m.topic()).orElse("?");
            int partition = meta.map(m -> m.partition()).orElse(-1);
            long offset = meta.map(m -> m.offset()).orElse(-1L);
            log.warn("Job registry sets aside record {}-{}@{}: {} {}", topic, partition, offset, cause, reason);
            DeadLetter d = DeadLetters.of(COMPONENT, cause, reason, topic, partition, offset,
                    record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(),
                    record.headers(), null, java.time.Instant.ofEpochMilli(Math.max(0, record.timestamp())));
            context.forward(new Record<>(topic, codecs.deadLetters().serialize(topics.deadLetters(), d), record.timestamp()), SINK_DLQ);
        }
    }

    /** Decides each registration request in topic order. */
    static final class DecideProcessor extends Base {
        DecideProcessor(Topics topics, Codecs codecs) {
            super(topics, codecs);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            JobRegistrationRequest request;
            try {
                request = codecs.requests().deserialize(topics.jobRegistrations(), record.value());
            } catch (EventDecodeException e) {
                if (e.failure() == DecodeFailure.REGISTRY_UNAVAILABLE) {
                    throw e; // not the record's fault: fail and retry rather than set it aside
                }
                deadLetter(record, e.failure().name(), e.getMessage());
                return;
            }
            if (request == null) {
                deadLetter(record, "INVALID_EVENT", "a registration request without a value");
                return;
            }
            JobRegistrationResult result;
            try {
                result = decide(request, record);
            } catch (EventDecodeException e) {
                throw e; // the store holds what this processor wrote: a decode failure is the registry's outage
            } catch (RuntimeException e) {
                // The caller must not wait for nothing: answer that it could not be decided, and keep the request.
                log.error("Job registry cannot decide request {} for job {}", request.getRequestId(), request.getDefinition().getName(), e);
                deadLetter(record, "PROCESSING_ERROR", String.valueOf(e));
                result = JobRegistrationResult.newBuilder().setRequestId(request.getRequestId())
                        .setJob(request.getDefinition().getName()).setTimestamp(request.getTimestamp())
                        .setOutcome(RegistrationOutcome.REJECTED).setVersion(0).setRejection(RegistrationRejection.INVALID)
                        .setProblems(List.of(RegistrationProblem.newBuilder().setPath("$")
                                .setMessage("the job registry could not decide this registration: " + e).build()))
                        .build();
            }
            context.forward(new Record<>(result.getRequestId(),
                    codecs.results().serialize(topics.jobRegistrationResults(), result), record.timestamp()), SINK_RESULTS);
            // A caller waits for this answer: commit now instead of at the next interval.
            context.commit();
        }

        private JobRegistrationResult decide(JobRegistrationRequest request, Record<String, byte[]> record) {
            JobDefinition candidate = request.getDefinition();
            String name = candidate.getName();
            List<JobDefinition> registered = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                it.forEachRemaining(kv -> registered.add(codecs.jobs().deserialize(topics.jobs(), kv.value)));
            }
            JobDefinition latest = stored(name);
            JobRegistrationResult.Builder result = JobRegistrationResult.newBuilder().setRequestId(request.getRequestId())
                    .setJob(name).setTimestamp(request.getTimestamp());
            return switch (RegistryDecider.decide(latest, registered, candidate)) {
                case RegistryDecider.Decision.Registered r -> {
                    byte[] bytes = codecs.jobs().serialize(topics.jobs(), r.definition());
                    store.put(name, bytes);
                    context.forward(new Record<>(name, bytes, record.timestamp()), SINK_JOBS);
                    yield result.setOutcome(RegistrationOutcome.REGISTERED).setVersion(r.definition().getVersion()).build();
                }
                case RegistryDecider.Decision.Unchanged u ->
                        result.setOutcome(RegistrationOutcome.UNCHANGED).setVersion(u.version()).build();
                case RegistryDecider.Decision.Rejected x -> result.setOutcome(RegistrationOutcome.REJECTED)
                        .setVersion(x.currentVersion()).setRejection(x.rejection())
                        .setProblems(x.problems().stream().map(JobRegistryTopology::problem).toList()).build();
            };
        }
    }

    static RegistrationProblem problem(AssetRegistration.Problem p) {
        return RegistrationProblem.newBuilder().setPath(p.path()).setMessage(p.message()).build();
    }

    /**
     * Folds the jobs topic into the store: a definition newer than the stored one (written before the registry
     * existed, or by another writer) is adopted; the registry's own writes come back with the stored version and
     * change nothing. Tombstones are ignored: versions never restart, and nothing removes jobs today.
     */
    static final class AdoptProcessor extends Base {
        AdoptProcessor(Topics topics, Codecs codecs) {
            super(topics, codecs);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.value() == null || record.key() == null) {
                return;
            }
            JobDefinition def;
            try {
                def = codecs.jobs().deserialize(topics.jobs(), record.value());
            } catch (EventDecodeException e) {
                if (e.failure() == DecodeFailure.REGISTRY_UNAVAILABLE) {
                    throw e;
                }
                deadLetter(record, e.failure().name(), e.getMessage());
                return;
            }
            if (def == null || !def.getName().equals(record.key())) {
                deadLetter(record, "INVALID_EVENT", "a job definition keyed '" + record.key() + "' names another job");
                return;
            }
            JobDefinition current = stored(def.getName());
            if (current == null || def.getVersion() > current.getVersion()) {
                store.put(def.getName(), record.value());
            }
        }
    }
}
