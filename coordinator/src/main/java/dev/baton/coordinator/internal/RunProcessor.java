package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.admission.AdmissionMessage;
import dev.baton.coordinator.internal.events.Envelope;
import dev.baton.coordinator.internal.events.Event;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.coordinator.internal.serde.EventMapper;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.coordinator.internal.state.RunState;
import dev.baton.coordinator.internal.timers.TimerKeys;
import dev.baton.events.JobDefinition;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.EventDecodeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fold: decodes an input, lets the decider decide against the run's state, stores the new state,
 * appends the accepted events to the canonical log and then performs the side effects those events
 * call for (step commands, cancels, timers, lineage, child runs, admission). Everything it writes is
 * part of one Kafka transaction with the consumed offsets (exactly-once v2).
 */
public final class RunProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(RunProcessor.class);
    private static final int MAX_TIMERS_PER_PUNCTUATION = 10_000;

    private final RunDecider decider;
    private final Codecs codecs;
    private final Topics topics;
    private final CoordinatorMetrics metrics;
    private final Duration punctuateInterval;
    private final long coalesceMs;
    private final long maxDelayNanos;
    private final Effects effects;
    /** Whether answers wait for a commit, since when, and when the last input was handled (System.nanoTime). */
    private boolean commitOwed;
    private long owedSinceNanos;
    private long lastInputNanos;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> runs;
    private KeyValueStore<Bytes, byte[]> timers;
    private TimestampedKeyValueStore<String, byte[]> jobs;
    private TimestampedKeyValueStore<String, byte[]> assets;
    /**
     * Decoded states of recently active runs, written through to the store. A new processor instance (task
     * assignment, revival after an abort) starts empty, so it never holds state the store does not.
     */
    private final java.util.LinkedHashMap<String, RunState> cache = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, RunState> eldest) {
            return size() > 10_000;
        }
    };

    public RunProcessor(RunDecider decider, Codecs codecs, Topics topics, CoordinatorMetrics metrics, Duration punctuateInterval,
                        Duration commitCoalesce, Duration commitMaxDelay) {
        this.decider = decider;
        this.coalesceMs = commitCoalesce.toMillis();
        this.maxDelayNanos = commitMaxDelay.toNanos();
        this.codecs = codecs;
        this.topics = topics;
        this.metrics = metrics;
        this.punctuateInterval = punctuateInterval;
        this.effects = new Effects(decider, codecs, topics, metrics);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.runs = context.getStateStore(Names.RUN_STORE);
        this.timers = context.getStateStore(Names.TIMER_STORE);
        this.jobs = context.getStateStore(Names.JOBS_STORE);
        this.assets = context.getStateStore(Names.ASSETS_STORE);
        context.schedule(punctuateInterval, PunctuationType.WALL_CLOCK_TIME, this::fireTimers);
        if (coalesceMs > 0) {
            // Every coalescing window, not every millisecond: each punctuation that runs also halves how many records
            // Streams processes per round, so a fine-grained one would cost batching under load.
            context.schedule(Duration.ofMillis(coalesceMs), PunctuationType.WALL_CLOCK_TIME, this::payOwedCommit);
        }
        cache.clear();
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        Input input;
        try {
            input = decode(meta.topic(), rec.value());
        } catch (EventDecodeException e) {
            deadLetter(meta, rec, e.failure().name(), e.getMessage(), null);
            return;
        } catch (RuntimeException e) {
            deadLetter(meta, rec, "INVALID_EVENT", "cannot read " + meta.topic() + " record: " + e, null);
            return;
        }
        if (input.runId() == null || input.runId().isBlank() || !input.runId().equals(rec.key())) {
            deadLetter(meta, rec, "INVALID_EVENT", "record key '" + rec.key() + "' does not match run id '" + input.runId() + "'",
                    input.runId());
            return;
        }
        try {
            handle(input, Instant.ofEpochMilli(rec.timestamp()));
        } catch (RuntimeException e) {
            cache.remove(input.runId()); // the store holds the last good state
            // A bug must not become a crash loop: set the input aside with the reason and go on.
            log.error("Processing {} for run {} failed; sent to the dead-letter topic", input.getClass().getSimpleName(), input.runId(), e);
            deadLetter(meta, rec, "PROCESSING_ERROR", e.toString(), input.runId());
        }
    }

    private Input decode(String topic, byte[] value) {
        if (topic.equals(topics.runRequests())) {
            return EventMapper.input(codecs.requests().deserialize(topic, value));
        } else if (topic.equals(topics.runControl())) {
            return EventMapper.input(codecs.control().deserialize(topic, value));
        } else if (topic.equals(topics.agentReports())) {
            return EventMapper.input(codecs.reports().deserialize(topic, value));
        }
        throw new IllegalArgumentException("unexpected topic " + topic);
    }

    /** Decides one input at decision time {@code now} and performs the consequences. */
    void handle(Input input, Instant now) {
        RunState state = cache.get(input.runId());
        if (state == null) {
            byte[] stored = runs.get(input.runId());
            state = stored == null ? null : StateCodec.decode(stored);
        }
        String job = null;
        if (input instanceof Input.RequestRun r) {
            job = r.job();
            if (r.definition() == null && state == null) {
                input = withDefinition(r, latestDefinition(r.job()));
            }
        }
        DecisionContext ctx = new DecisionContext(state, input, now, job, this::latestMaterialization);
        decider.handle(input, ctx);
        RunState after = ctx.state();
        if (!ctx.events().isEmpty() && after != null) {
            boolean expired = ctx.events().getLast().event() instanceof Event.RunExpired;
            if (expired) {
                runs.delete(input.runId());
                cache.remove(input.runId());
            } else {
                runs.put(input.runId(), StateCodec.encode(after));
                cache.put(input.runId(), after);
            }
        }
        List<Effects.Out> out = new ArrayList<>();
        for (Envelope e : ctx.events()) {
            out.add(Effects.Out.of(Names.SINK_RUN_EVENTS, e.runId(),
                    codecs.runEvents().serialize(topics.runEvents(), EventMapper.toAvro(e)), null));
            effects.of(e, ctx, after, input, out);
        }
        for (Input.Timer t : ctx.rearmed()) {
            timers.put(TimerKeys.key(t), TimerKeys.value(t));
        }
        boolean urgent = false;
        for (Effects.Out o : out) {
            if (o.timer() != null) {
                if (o.disarm()) {
                    timers.delete(TimerKeys.key(o.timer()));
                } else {
                    timers.put(TimerKeys.key(o.timer()), TimerKeys.value(o.timer()));
                }
                continue;
            }
            RecordHeaders headers = new RecordHeaders();
            if (o.pool() != null) {
                headers.add(Names.POOL_HEADER, o.pool().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                urgent = true;
                metrics.dispatched(System.currentTimeMillis() - now.toEpochMilli());
            }
            context.forward(new Record<>(o.key(), o.value(), now.toEpochMilli(), headers), o.sink());
        }
        if (!urgent && ctx.events().stream().anyMatch(e -> e.event() instanceof Event.RunLevel rl && isRunEnd(rl))) {
            // Dispatches and run ends are what users wait for: commit now instead of at the next interval
            // (or, while the thread works through a backlog, together with the answers behind it).
            urgent = true;
        }
        answered(now.toEpochMilli(), urgent);
    }

    /**
     * Commits the answers (dispatches, run ends) of inputs that arrived moments ago at once. Inputs that
     * waited in the thread's backlog (older than the coalescing threshold, e.g. while the previous commit ran)
     * mean more are queued behind them: their answers share one commit, made as soon as the thread has
     * caught up (an input is fresh again, or none came for the threshold) and at the latest after the
     * maximum delay. Each exactly-once commit is several broker round trips that block the stream thread,
     * so committing per dispatch under load would make the backlog, and the latency, grow.
     */
    private void answered(long inputTimestampMs, boolean urgent) {
        lastInputNanos = System.nanoTime();
        boolean caughtUp = System.currentTimeMillis() - inputTimestampMs <= coalesceMs;
        if (urgent && !commitOwed) {
            commitOwed = true;
            owedSinceNanos = lastInputNanos;
        }
        if (commitOwed && (caughtUp || coalesceMs <= 0)) {
            commitNow();
        }
    }

    /** Punctuation: pays an owed commit once the thread is idle or the maximum delay is reached. */
    private void payOwedCommit(long wallClockMs) {
        long now = System.nanoTime();
        if (commitOwed && (now - lastInputNanos >= coalesceMs * 1_000_000L || now - owedSinceNanos >= maxDelayNanos)) {
            commitNow();
        }
    }

    private void commitNow() {
        context.commit();
        commitOwed = false;
    }

    private static boolean isRunEnd(Event e) {
        return e instanceof Event.RunSucceeded || e instanceof Event.RunFailed || e instanceof Event.RunCanceled;
    }

    private static Input.RequestRun withDefinition(Input.RequestRun r, JobDefinition def) {
        return new Input.RequestRun(r.eventId(), r.runId(), r.timestamp(), r.traceId(), r.job(), r.runKey(), r.params(),
                r.tags(), r.origin(), r.parentRunId(), r.requestedBy(), r.priority(), def, r.reuse());
    }

    private JobDefinition latestDefinition(String job) {
        ValueAndTimestamp<byte[]> v = jobs.get(job);
        if (v == null || v.value() == null) {
            return null;
        }
        try {
            return codecs.jobs().deserialize(topics.jobs(), v.value());
        } catch (RuntimeException e) {
            log.warn("Registered definition of job {} cannot be read: {}", job, e.toString());
            return null;
        }
    }

    private java.util.Optional<Event.Materialized> latestMaterialization(String assetKey) {
        ValueAndTimestamp<byte[]> v = assets.get(assetKey);
        if (v == null || v.value() == null) {
            return java.util.Optional.empty();
        }
        try {
            var ev = codecs.lineage().deserialize(topics.assetsLatest(), v.value());
            if (ev.getPayload() instanceof dev.baton.events.AssetMaterialization m) {
                return java.util.Optional.of(new Event.Materialized(ev.getAssetKey(), ev.getPartition(), ev.getEventId(), m.getDataVersion()));
            }
        } catch (RuntimeException e) {
            log.warn("Latest materialization of {} cannot be read: {}", assetKey, e.toString());
        }
        return java.util.Optional.empty();
    }

    private void fireTimers(long wallClock) {
        Instant now = Instant.ofEpochMilli(wallClock);
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(TimerKeys.lowest(), TimerKeys.upTo(now))) {
            while (it.hasNext() && due.size() < MAX_TIMERS_PER_PUNCTUATION) {
                due.add(it.next());
            }
        }
        for (KeyValue<Bytes, byte[]> kv : due) {
            timers.delete(kv.key);
            Input.Timer t = TimerKeys.parse(kv.value);
            metrics.punctuationLag(wallClock - t.dueAt().toEpochMilli());
            String id = DecisionContext.uuid(t.runId() + "/timer/" + t.kind() + "/" + t.stepKey() + "/" + t.attempt() + "/" + t.dueAt());
            try {
                handle(new Input.TimerFired(id, t.runId(), now, id, t), now);
            } catch (RuntimeException e) {
                log.error("Timer {} for run {} failed and was dropped", t.kind(), t.runId(), e);
            }
        }
    }

    private void deadLetter(RecordMetadata meta, Record<String, byte[]> rec, String cause, String reason, String runId) {
        metrics.deadLetter();
        byte[] key = rec.key() == null ? null : rec.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var dl = DeadLetters.of("coordinator", cause, reason, meta.topic(), meta.partition(), meta.offset(), key,
                rec.value(), rec.headers(), runId, Instant.ofEpochMilli(rec.timestamp()));
        context.forward(new Record<>(meta.topic(), codecs.deadLetters().serialize(topics.deadLetters(), dl), rec.timestamp()),
                Names.SINK_DLQ);
    }

    /** Admission messages are internal JSON. */
    static byte[] admission(AdmissionMessage m) {
        try {
            return StateCodec.json().writeValueAsBytes(m);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
