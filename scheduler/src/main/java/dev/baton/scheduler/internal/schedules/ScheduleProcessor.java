package dev.baton.scheduler.internal.schedules;

import dev.baton.events.CancelRun;
import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.events.ScheduleSpec;
import dev.baton.platform.Topics;
import dev.baton.scheduler.api.ScheduleTimes;
import dev.baton.scheduler.api.SchedulerControl;
import dev.baton.scheduler.api.SchedulerTopics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.Json;
import dev.baton.scheduler.internal.Names;
import dev.baton.platform.streams.IdlePunctuation;
import dev.baton.platform.streams.Routed;
import dev.baton.scheduler.internal.SchedulerMetrics;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.CancelRequested;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.PauseChanged;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.RunEnded;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickFailed;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickQueued;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickRequested;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TickSkipped;
import dev.baton.scheduler.internal.schedules.ScheduleEvent.TicksMissed;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.DecodeFailure;
import dev.baton.schemas.serde.EventDecodeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule engine's single task. A wall-clock punctuation walks the registered jobs (global store), lets the
 * {@link TickDecider} decide each schedule, applies the events to the schedule state store and forwards what they
 * stand for: run requests, cancel commands and the schedule's published status. Kafka Streams commits all of it in
 * one exactly-once transaction, so a tick's run request exists if and only if its state says it was requested.
 * Records from the control topic (pause/resume) and run ends (for the overlap policies) are folded in between.
 */
public final class ScheduleProcessor implements Processor<String, byte[], String, Routed> {
    private static final Logger log = LoggerFactory.getLogger(ScheduleProcessor.class);
    /** Deleted jobs' schedule states are swept this often (in punctuations). */
    private static final int SWEEP_EVERY = 50;
    private static final int NEXT_TICKS_SHOWN = 5;
    /**
     * The default of {@code scheduler.tick.max.sleep.ms}: while no tick is due, the registered jobs are still looked at
     * this often, a safety net. A new or changed schedule is a global store update, which the {@link JobsChangedNudge}
     * announces on the control topic (a {@link SchedulerTopics#JOBS_CHANGED_KEY} record wakes the look); this catches a
     * nudge lost to a crash or a failed send. Between two looks the punctuation sleeps (every punctuation makes Streams commit the task, an exactly-once
     * transaction once the task has read a run end: five a second at rest with a 200 ms look, one a second with 1 s).
     */
    public static final Duration IDLE_LOOK_EVERY = Duration.ofSeconds(30);

    private final Topics topics;
    private final String controlTopic;
    private final TickDecider decider;
    private final ScheduleStateApplier applier;
    private final AvroSerde<JobDefinition> jobSerde;
    private final AvroSerde<RunRequest> requestSerde;
    private final AvroSerde<ControlCommand> controlSerde;
    private final InstantSource clock;
    private final Duration interval;
    private final Duration maxSleep;
    private final SchedulerMetrics metrics;
    private final Faults faults;

    private final Map<String, CachedJob> jobCache = new HashMap<>();
    private final Map<String, CachedTimes> timesCache = new HashMap<>();
    private ProcessorContext<String, Routed> context;
    private IdlePunctuation punctuation;
    private KeyValueStore<String, byte[]> states;
    private ReadOnlyKeyValueStore<String, byte[]> jobs;
    private long rounds;
    /** A jobs-changed nudge came since the last look: the next look also sweeps removed schedules' states. */
    private boolean jobsChanged;

    public ScheduleProcessor(Topics topics, String controlTopic, TickDecider decider, ScheduleStateApplier applier,
                             AvroSerde<JobDefinition> jobSerde, AvroSerde<RunRequest> requestSerde,
                             AvroSerde<ControlCommand> controlSerde, InstantSource clock, Duration interval,
                             Duration maxSleep, SchedulerMetrics metrics, Faults faults) {
        this.topics = topics;
        this.controlTopic = controlTopic;
        this.decider = decider;
        this.applier = applier;
        this.jobSerde = jobSerde;
        this.requestSerde = requestSerde;
        this.controlSerde = controlSerde;
        this.clock = clock;
        this.interval = interval;
        this.maxSleep = maxSleep;
        this.metrics = metrics;
        this.faults = faults;
    }

    private record CachedJob(byte[] bytes, JobDefinition definition) {}

    private record CachedTimes(String timing, ScheduleTimes times) {}

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.states = context.getStateStore(Names.SCHEDULE_STORE);
        this.jobs = context.getStateStore(Names.JOBS_STORE);
        punctuation = IdlePunctuation.schedule(context, interval, maxSleep, // never sleeps below interval
                ts -> {
                    long wait = punctuate(); // in the scheduler's clock, which tests set apart from Streams' wall clock
                    return wait == IdlePunctuation.NONE ? wait : ts + wait;
                });
    }

    // ------------------------------------------------------------------ inputs

    @Override
    public void process(Record<String, byte[]> rec) {
        if (rec.key() == null) {
            return;
        }
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        if (topic.equals(controlTopic) && rec.key().equals(SchedulerTopics.JOBS_CHANGED_KEY)) {
            jobsChanged = true;
            punctuation.wake(); // a new or changed schedule may be due at once (or sooner than the sleep's end)
        } else if (topic.equals(controlTopic)) {
            control(rec);
        } else if (rec.value() != null) {
            runEnded(rec.key(), new String(rec.value(), StandardCharsets.UTF_8));
        }
    }

    private void control(Record<String, byte[]> rec) {
        int slash = rec.key().indexOf('/');
        if (slash <= 0 || slash == rec.key().length() - 1) {
            log.warn("Ignoring control record with key '{}': expected job/schedule", rec.key());
            return;
        }
        PauseChanged change;
        if (rec.value() == null) {
            change = new PauseChanged(null, null, null, rec.timestamp());
        } else {
            SchedulerControl.Command c;
            try {
                c = Json.read(rec.value(), SchedulerControl.Command.class);
            } catch (RuntimeException e) {
                metrics.undecodable(controlTopic);
                log.warn("Ignoring unreadable control record for {}: {}", rec.key(), e.getMessage());
                return;
            }
            change = new PauseChanged(c.paused(), c.actor(), c.reason(), rec.timestamp());
        }
        ScheduleState state = load(rec.key());
        if (state == null) {
            state = ScheduleState.empty(rec.key().substring(0, slash), rec.key().substring(slash + 1));
        }
        if (save(state, applier.apply(state, change), clock.millis())) {
            punctuation.wake(); // a resume, or a queued tick freed by the change, may be due at once
        }
    }

    private void runEnded(String job, String value) {
        int tab = value.indexOf('\t');
        if (tab <= 0) {
            return;
        }
        RunEnded ended = new RunEnded(value.substring(0, tab), value.substring(tab + 1));
        try (KeyValueIterator<String, byte[]> it = states.prefixScan(ScheduleIds.prefix(job), new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                ScheduleState s = Json.read(kv.value, ScheduleState.class);
                boolean mine = s.active().stream().anyMatch(a -> a.runId().equals(ended.runId()))
                        || s.history().stream().anyMatch(h -> ended.runId().equals(h.runId()));
                if (mine && save(s, applier.apply(s, ended), clock.millis())) {
                    // A run end frees its schedule's slot: a queued or skipped-for-overlap tick may be due at once.
                    // Other inputs leave the look asleep (each look is a punctuation, so a commit).
                    punctuation.wake();
                }
            }
        }
    }

    // ------------------------------------------------------------------ ticks

    /** One look at every schedule; returns how long until the next tick is due (ms), {@link IdlePunctuation#NONE} if none. */
    long punctuate() {
        long now = clock.millis();
        long nextDue = IdlePunctuation.NONE;
        boolean emitted = false;
        Set<String> seen = new HashSet<>();
        Set<String> unreadable = new HashSet<>();
        try (KeyValueIterator<String, byte[]> it = jobs.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                JobDefinition def = definition(kv.key, kv.value);
                if (def == null) {
                    unreadable.add(kv.key); // keep its schedules' state until it can be read again
                    continue;
                }
                for (ScheduleSpec spec : def.getSchedules()) {
                    String id = ScheduleIds.of(def.getName(), spec.getName());
                    seen.add(id);
                    ScheduleTimes times = times(id, spec);
                    if (times != null) {
                        Tick t = tick(def, spec, times, id, now);
                        emitted |= t.emitted();
                        nextDue = Math.min(nextDue, t.nextDue());
                    }
                }
            }
        }
        if (++rounds % SWEEP_EVERY == 0 || jobsChanged) {
            sweep(seen, unreadable, now);
        }
        jobsChanged = false;
        if (emitted) {
            context.commit(); // a tick's request should not wait for the commit interval
        }
        return nextDue == IdlePunctuation.NONE ? nextDue : Math.max(0, nextDue - now);
    }

    /**
     * What one look at a schedule did: whether it forwarded a request or a cancel, and when the schedule next has work
     * (epoch ms; now while it changed, as it may go on; {@link IdlePunctuation#NONE} if never).
     */
    private record Tick(boolean emitted, long nextDue) {}

    /** Decides one schedule. */
    private Tick tick(JobDefinition def, ScheduleSpec spec, ScheduleTimes times, String id, long now) {
        ScheduleState state = load(id);
        if (state == null) {
            state = ScheduleState.empty(def.getName(), spec.getName());
        }
        List<ScheduleEvent> events = decider.decide(def, spec, times, state, now);
        if (events.isEmpty()) {
            // Nothing happens to it before its next tick (paused too: the decider then records the passed tick).
            return new Tick(false,
                    times.next(Instant.ofEpochMilli(state.cursorMs())).map(Instant::toEpochMilli).orElse(IdlePunctuation.NONE));
        }
        ScheduleState next = applier.applyAll(state, events);
        boolean emitted = false;
        for (ScheduleEvent e : events) {
            switch (e) {
                case TickRequested r -> {
                    forwardRequest(def, spec, times, r, now);
                    metrics.tick(def.getName(), spec.getName(), "REQUESTED");
                    if (!r.fromQueue()) {
                        metrics.tickLag(def.getName(), spec.getName(), now - r.tickMs());
                    }
                    emitted = true;
                    faults.afterTickForwarded(id, Instant.ofEpochMilli(r.tickMs()));
                }
                case CancelRequested c -> {
                    forwardCancel(c, now);
                    emitted = true;
                }
                case TickSkipped x -> metrics.tick(def.getName(), spec.getName(), "SKIPPED");
                case TickQueued x -> metrics.tick(def.getName(), spec.getName(), "QUEUED");
                case TickFailed x -> {
                    metrics.tick(def.getName(), spec.getName(), "FAILED");
                    log.warn("Schedule {}: tick {} failed: {}", id, Instant.ofEpochMilli(x.tickMs()), x.reason());
                }
                case TicksMissed x -> metrics.tick(def.getName(), spec.getName(), "MISSED");
                default -> { }
            }
        }
        save(state, next, now, def, spec, times);
        return new Tick(emitted, now);
    }

    private void forwardRequest(JobDefinition def, ScheduleSpec spec, ScheduleTimes times, TickRequested r, long now) {
        Instant tick = Instant.ofEpochMilli(r.tickMs());
        String eventId = UUID.nameUUIDFromBytes(("schedule-request\u0000" + r.runId()).getBytes(StandardCharsets.UTF_8)).toString();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("baton.schedule", spec.getName());
        tags.put("baton.tick", tick.toString());
        // A partitioned job's tick runs the latest window that has ended by the tick (at 02:00, yesterday in the
        // partitions' zone). Without one (a static or two-dimensional set, or no window over yet) the request has no
        // partition and the coordinator rejects it, saying so.
        String partition = def.getPartitions() == null ? null
                : dev.baton.jobs.PartitionSet.of(def.getPartitions()).lastComplete(tick).map(dev.baton.jobs.Partition::key)
                        .orElse(null);
        var trace = dev.baton.scheduler.internal.TriggerSpans.tick(r.runId(), def.getName(), spec.getName(), tick,
                Instant.ofEpochMilli(now));
        RunRequest request = RunRequest.newBuilder()
                .setEventId(eventId)
                .setRunId(r.runId())
                .setTimestamp(Instant.ofEpochMilli(now))
                .setTraceId(eventId)
                .setJob(def.getName())
                .setRunKey(ScheduleIds.runKey(def.getName(), spec.getName(), tick))
                .setParams(new LinkedHashMap<>(r.params()))
                .setTags(tags)
                .setOrigin(Origin.SCHEDULE)
                .setRequestedBy("scheduler")
                .setDefinition(def)
                .setPartition(partition)
                .setTraceparent(trace == null ? null : trace.traceparent())
                .build();
        String topic = topics.runRequests();
        context.forward(new Record<>(r.runId(), new Routed(topic, requestSerde.serialize(topic, request)), now));
    }

    private void forwardCancel(CancelRequested c, long now) {
        String eventId = UUID.nameUUIDFromBytes(("schedule-cancel\u0000" + c.runId()).getBytes(StandardCharsets.UTF_8)).toString();
        ControlCommand command = ControlCommand.newBuilder()
                .setEventId(eventId)
                .setRunId(c.runId())
                .setTimestamp(Instant.ofEpochMilli(now))
                .setTraceId(eventId)
                .setActor("scheduler")
                .setCommand(CancelRun.newBuilder().setReason(c.reason()).build())
                .build();
        String topic = topics.runControl();
        context.forward(new Record<>(c.runId(), new Routed(topic, controlSerde.serialize(topic, command)), now));
    }

    /**
     * Removes the states (and statuses) of schedules whose job or schedule was removed. States that only hold a pause
     * (the job is not registered yet) and states of jobs whose definition cannot be read right now are kept.
     */
    private void sweep(Set<String> seen, Set<String> unreadable, long now) {
        List<String> gone = new java.util.ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = states.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                ScheduleState s = Json.read(kv.value, ScheduleState.class);
                if (!seen.contains(kv.key) && !unreadable.contains(s.job()) && s.started()) {
                    gone.add(kv.key);
                }
            }
        }
        for (String id : gone) {
            log.info("Schedule {} is no longer registered; dropping its state", id);
            states.delete(id);
            context.forward(new Record<>(id, new Routed(topics.schedulerState(), null), now));
        }
    }

    // ------------------------------------------------------------------ state and status

    private ScheduleState load(String id) {
        byte[] bytes = states.get(id);
        return bytes == null ? null : Json.read(bytes, ScheduleState.class);
    }

    /** Stores and publishes the state when it changed; returns whether it did. */
    private boolean save(ScheduleState before, ScheduleState after, long now) {
        JobDefinition def = definition(after.job(), jobs.get(after.job()));
        ScheduleSpec spec = def == null ? null
                : def.getSchedules().stream().filter(s -> s.getName().equals(after.schedule())).findFirst().orElse(null);
        return save(before, after, now, def, spec, spec == null ? null : times(after.id(), spec));
    }

    private boolean save(ScheduleState before, ScheduleState after, long now, JobDefinition def, ScheduleSpec spec,
                         ScheduleTimes times) {
        if (after.equals(before)) {
            return false;
        }
        states.put(after.id(), Json.write(after));
        context.forward(new Record<>(after.id(), new Routed(topics.schedulerState(),
                Json.write(ScheduleStatuses.of(after, spec, times, now, NEXT_TICKS_SHOWN))), now));
        return true;
    }

    private JobDefinition definition(String name, byte[] bytes) {
        if (bytes == null) {
            jobCache.remove(name);
            return null;
        }
        CachedJob cached = jobCache.get(name);
        if (cached != null && Arrays.equals(cached.bytes(), bytes)) {
            return cached.definition();
        }
        JobDefinition def;
        try {
            def = jobSerde.deserialize(topics.jobs(), bytes);
        } catch (RuntimeException e) {
            boolean transientFailure = e instanceof EventDecodeException d && d.failure() == DecodeFailure.REGISTRY_UNAVAILABLE;
            if (cached == null || !Arrays.equals(cached.bytes(), bytes) || transientFailure) {
                metrics.undecodable(topics.jobs());
                log.warn("Cannot read the registered definition of job {}; its schedules do not tick: {}", name, e.getMessage());
            }
            if (transientFailure) {
                return null; // not cached: read again at the next punctuation
            }
            def = null;
        }
        jobCache.put(name, new CachedJob(bytes, def));
        return def;
    }

    private ScheduleTimes times(String id, ScheduleSpec spec) {
        String timing = TickDecider.timing(spec) + "|" + spec.getEndAt();
        CachedTimes cached = timesCache.get(id);
        if (cached != null && cached.timing().equals(timing)) {
            return cached.times();
        }
        ScheduleTimes times;
        try {
            times = ScheduleTimes.of(spec);
        } catch (IllegalArgumentException e) {
            log.warn("Schedule {} cannot tick: {}", id, e.getMessage());
            times = null;
        }
        timesCache.put(id, new CachedTimes(timing, times));
        return times;
    }
}
