package dev.baton.coordinator.internal;

import dev.baton.coordinator.internal.admission.AdmissionMessage;
import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.processing.DecisionContext;
import dev.baton.coordinator.internal.processing.RunDecider;
import dev.baton.coordinator.internal.serde.Codecs;
import dev.baton.coordinator.internal.serde.EventMapper;
import dev.baton.coordinator.internal.serde.StateCodec;
import dev.baton.coordinator.internal.timers.ReportWatermark;
import dev.baton.coordinator.internal.timers.TimerBook;
import dev.baton.coordinator.internal.timers.TimerKeys;
import dev.baton.events.JobDefinition;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.platform.streams.IdlePunctuation;
import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.events.RunEventMapper;
import dev.baton.runmodel.state.RunState;
import dev.baton.schemas.serde.EventDecodeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
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
    /** Due timers looked at per punctuation, fired or deferred (see {@link ReportWatermark}). */
    private static final int MAX_TIMERS_SCANNED = 4 * MAX_TIMERS_PER_PUNCTUATION;
    /**
     * Longest sleep of an idle punctuation (nothing due): a safety net only, since every timer is armed by this
     * processor, which wakes the scan when it arms one due before the scan's next run.
     */
    private static final Duration IDLE_TIMER_SLEEP = Duration.ofSeconds(60);
    /**
     * How long after a task's start, and after each sweep, the next sweep of unreferenced definitions may begin (it runs
     * in the timer punctuation, only while a definition may have lost its last run: see {@link RunStore}).
     */
    static final Duration DEFINITION_SWEEP_INTERVAL = Duration.ofMinutes(10);
    /** Headers a sweep step reads per punctuation, so a large store is swept over several punctuations. */
    private static final int MAX_HEADERS_SWEPT = 5_000;
    /** Reasons in events and dead letters stay short whatever the exception says. */
    private static final int MAX_REASON_CHARS = 2_000;
    /** How much of an input too big to handle a dead letter keeps. */
    private static final int DEAD_LETTER_PAYLOAD_BYTES = 16 * 1024;

    private final RunDecider decider;
    private final Codecs codecs;
    private final Topics topics;
    private final CoordinatorMetrics metrics;
    private final Duration punctuateInterval;
    private final long coalesceMs;
    private final long maxDelayNanos;
    /** While the thread sees several runs between commits, answers wait until this long after its last commit. */
    private final long lingerNanos;
    private final Effects effects;
    private final RunTrace trace = new RunTrace(dev.baton.platform.tracing.Tracing.get());
    private final int maxRecordBytes;
    /** The consumed record being handled, for its dead letter (null while timers fire). */
    private Record<String, byte[]> currentRecord;
    /**
     * What this stream thread did just before the current input (all of its tasks' run processors share it): an input
     * that finds the thread idle is no backlog, however old its timestamp (transit, a loaded machine, clock skew).
     */
    private static final ThreadLocal<ThreadActivity> THREAD_ACTIVITY = ThreadLocal.withInitial(ThreadActivity::new);
    /**
     * A gap this long between two inputs of one thread, with no commit asked in between, means the thread waited in
     * poll() for the second: records taken from the consumer's buffer follow each other within microseconds.
     */
    static final long IDLE_GAP_NANOS = 1_000_000L;
    /** Whether the input being processed found its thread idle (see {@link ThreadActivity}). */
    private boolean arrivedIdle;
    /** Wall time the thread took the consumed input being processed, or -1 (timers: judged when answered). */
    private long takenAtMs = -1;
    /** Whether answers wait for a commit, since when, and when the last input was handled (System.nanoTime). */
    private boolean commitOwed;
    private long owedSinceNanos;
    private long lastInputNanos;
    /** Whether the last input handled meant the thread had caught up (see {@link #caughtUp}). */
    private boolean lastCaughtUp;
    private ProcessorContext<String, byte[]> context;
    private RunStore store;
    private KeyValueStore<Bytes, byte[]> timers;
    /** The timer scan's punctuation, and the owed commit's (null when commits are not coalesced). */
    private IdlePunctuation timerPunctuation;
    private IdlePunctuation owedCommitPunctuation;
    private TimerBook timerBook;
    /** Wall-clock time (epoch ms) from which the next sweep of unreferenced definitions may begin. */
    private long nextDefinitionSweepMs;
    private TimestampedKeyValueStore<String, byte[]> jobs;
    private TimestampedKeyValueStore<String, byte[]> assets;
    /** How far this task has read its agent reports: see {@link ReportWatermark}. */
    private ReportWatermark reportsRead;
    /**
     * Decoded states of recently active runs, written through to the store. A new processor instance (task
     * assignment, revival after an abort) starts empty, so it never holds state the store does not. A run leaves it
     * when it finishes: a finished run rarely gets another input (a late or duplicate report, its expiry), which then
     * loads it from the store, while keeping it held up to 10,000 finished runs per task, each with its own decoded
     * definition, in the old generation under load (see docs/benchmarks.md, "a finished run leaves the fold's decoded-state
     * cache").
     */
    private final java.util.LinkedHashMap<String, RunState> cache = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, RunState> eldest) {
            return size() > 10_000;
        }
    };

    public RunProcessor(RunDecider decider, Codecs codecs, Topics topics, CoordinatorMetrics metrics, Duration punctuateInterval,
                        Duration commitCoalesce, Duration commitMaxDelay, Duration commitLinger, int maxRecordBytes) {
        this.decider = decider;
        this.lingerNanos = commitLinger.toNanos();
        this.maxRecordBytes = maxRecordBytes;
        this.coalesceMs = commitCoalesce.toMillis();
        this.maxDelayNanos = commitMaxDelay.toNanos();
        this.codecs = codecs;
        this.topics = topics;
        this.metrics = metrics;
        this.punctuateInterval = punctuateInterval;
        this.effects = new Effects(decider, codecs, topics, metrics, trace);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = new RunStore(context.getStateStore(Names.RUN_STORE), context.getStateStore(Names.RUN_STEP_STORE),
                context.getStateStore(Names.DEFINITION_STORE), context.getStateStore(Names.INSTANCE_OUTPUT_STORE));
        this.timers = context.getStateStore(Names.TIMER_STORE);
        // The timer index is rebuilt from the timer store on every init (restart, migration, revival after an abort).
        this.timerBook = new TimerBook(timers);
        this.nextDefinitionSweepMs = context.currentSystemTimeMs() + DEFINITION_SWEEP_INTERVAL.toMillis();
        this.jobs = context.getStateStore(Names.JOBS_STORE);
        this.assets = context.getStateStore(Names.ASSETS_STORE);
        // Until its first report is read, a newly assigned task assumes it is one heartbeat interval behind, so
        // deadlines that passed while the task moved here wait for the reports of that time instead of firing at once.
        long initialLag = Math.min(decider.settings().heartbeatInterval().toMillis(), decider.settings().heartbeatTimeout().toMillis());
        this.reportsRead = new ReportWatermark(context.currentSystemTimeMs(), initialLag);
        // Every punctuation that runs makes Streams commit the task (an exactly-once transaction once it has consumed
        // anything): the timer scan runs every punctuateInterval only while a timer is due soon, else it sleeps until
        // the earliest one (arming an earlier one wakes it; waking it on every input cost a second, offsets-only
        // transaction after each dispatch commit, docs/benchmarks.md).
        timerPunctuation = IdlePunctuation.schedule(context, punctuateInterval, IDLE_TIMER_SLEEP, this::fireTimers);
        if (coalesceMs > 0) {
            // Every coalescing window, not every millisecond: each punctuation that runs also halves how many records
            // Streams processes per round, so a fine-grained one would cost batching under load. Only while a commit
            // is owed (answered() wakes it).
            owedCommitPunctuation = IdlePunctuation.schedule(context, Duration.ofMillis(coalesceMs), IDLE_TIMER_SLEEP,
                    this::payOwedCommit);
        }
        cache.clear();
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        ThreadActivity activity = THREAD_ACTIVITY.get();
        long startNanos = System.nanoTime();
        arrivedIdle = activity.idleBefore(startNanos, rec.timestamp());
        activity.input(rec.key());
        takenAtMs = System.currentTimeMillis();
        try {
            processRecord(rec);
        } finally {
            arrivedIdle = false;
            takenAtMs = -1;
            activity.handled(System.nanoTime());
        }
    }

    private void processRecord(Record<String, byte[]> rec) {
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
        Instant now = Instant.ofEpochMilli(rec.timestamp());
        if (meta.topic().equals(topics.agentReports())) {
            reportsRead.read(rec.timestamp(), context.currentSystemTimeMs());
        }
        currentRecord = rec;
        try {
            handle(input, now);
        } catch (RuntimeException e) {
            cache.remove(input.runId()); // the store holds the last good state
            // A bug must not become a crash loop nor a hung run: set the input aside with the reason, fail its run
            // explicitly, and go on with the others.
            log.error("Processing {} for run {} failed; sent to the dead-letter topic", input.getClass().getSimpleName(), input.runId(), e);
            String reason = "processing " + input.getClass().getSimpleName() + " failed: " + e;
            deadLetterInput(input, "PROCESSING_ERROR", reason);
            abort(input, now, "coordinator error: " + reason);
        } finally {
            currentRecord = null;
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
        RunStore.Loaded before = load(input.runId());
        if (input instanceof Input.RequestRun r && r.definition() == null && before.state() == null) {
            input = withDefinition(r, latestDefinition(r.job()));
        }
        String job = input instanceof Input.RequestRun r ? r.job() : null;
        DecisionContext ctx = new DecisionContext(before.state(), input, now, job, this::latestMaterialization,
                store::instanceOutputs);
        decider.handle(input, ctx);
        Outcome outcome = outcome(ctx, before, input);
        Oversize big = outcome.oversize(maxRecordBytes);
        if (big != null) {
            String reason = big.reason(maxRecordBytes, this::target);
            log.error("Run {}: {}; failing the run", input.runId(), reason);
            deadLetterInput(input, "RECORD_TOO_LARGE", reason);
            abort(input, now, reason);
            return;
        }
        write(outcome, now);
    }

    /** Loads a run's state: the decoded-state cache, else the store. */
    private RunStore.Loaded load(String runId) {
        RunState cached = cache.get(runId);
        return cached != null ? new RunStore.Loaded(cached, false) : store.load(runId);
    }

    /** Everything one decision writes, computed before any of it is written. */
    private record Outcome(String runId, RunState after, List<RunStore.Put> state, List<Effects.Out> out,
                           List<Input.Timer> rearmed, boolean runEnded, List<Runnable> spans) {
        Oversize oversize(int max) {
            for (RunStore.Put p : state) {
                if (p.size() > max) {
                    return new Oversize("state store " + p.storeName(), p.size());
                }
            }
            for (Effects.Out o : out) {
                if (o.isRecord() && o.size() > max) {
                    return new Oversize(o.sink() + (o.pool() != null ? ":" + o.pool() : ""), o.size());
                }
            }
            return null;
        }
    }

    /** The topic (or store) an oversize record was meant for, for the reason users read. */
    private String target(String sinkOrStore) {
        String[] p = sinkOrStore.split(":", 2);
        return switch (p[0]) {
            case Names.SINK_RUN_EVENTS -> topics.runEvents();
            case Names.SINK_COMMANDS -> topics.commands(p.length > 1 ? p[1] : "default");
            case Names.SINK_AGENT_CONTROL -> topics.agentControl();
            case Names.SINK_REQUESTS -> topics.runRequests();
            case Names.SINK_LINEAGE -> topics.lineage();
            case Names.SINK_ASSETS_LATEST -> topics.assetsLatest();
            case Names.SINK_ADMISSION -> topics.admission();
            case Names.SINK_CONTROL -> topics.runControl();
            case Names.SINK_STEP_CACHE -> topics.stepCache();
            case Names.SINK_STEP_CACHE_LOOKUPS -> topics.stepCacheLookups();
            default -> sinkOrStore;
        };
    }

    /** A record that would exceed the size limit: where it would go and its size. */
    private record Oversize(String target, int bytes) {
        String reason(int max, java.util.function.UnaryOperator<String> describe) {
            return "a record for " + describe.apply(target) + " would be " + bytes + " bytes, over the " + max + "-byte limit ("
                    + dev.baton.coordinator.CoordinatorConfig.MAX_RECORD_BYTES + ")";
        }
    }

    private Outcome outcome(DecisionContext ctx, RunStore.Loaded before, Input input) {
        RunState after = ctx.state();
        List<RunStore.Put> state = List.of();
        RunState cached = null;
        if (!ctx.events().isEmpty() && after != null) {
            boolean expired = ctx.events().getLast().event() instanceof Event.RunExpired;
            state = new ArrayList<>(store.writes(before, expired ? null : after));
            state.addAll(store.instanceOutputWrites(ctx.events()));
            cached = expired ? null : after;
        }
        List<Effects.Out> out = new ArrayList<>();
        List<Runnable> spans = new ArrayList<>();
        for (Envelope e : ctx.events()) {
            out.add(Effects.Out.event(e.runId(), codecs.runEvents().serialize(topics.runEvents(),
                            trace.stamp(RunEventMapper.toAvro(e), e, after)), e.event().intent().code()));
            effects.of(e, ctx, after, input, out);
            trace.ended(e, after, spans);
        }
        boolean runEnded = ctx.events().stream().anyMatch(e -> e.event() instanceof Event.RunLevel rl && isRunEnd(rl));
        return new Outcome(input.runId(), cached, state, out, ctx.rearmed(), runEnded, spans);
    }

    /** Stores the state, arms and disarms timers and forwards the records of a decision (sizes already checked). */
    private void write(Outcome o, Instant now) {
        store.apply(o.state());
        if (!o.state().isEmpty()) {
            if (o.after() != null && !o.after().status().isFinished()) {
                cache.put(o.runId(), o.after());
            } else {
                cache.remove(o.runId());
            }
        }
        for (Input.Timer t : o.rearmed()) {
            arm(t);
        }
        boolean urgent = false;
        for (Effects.Out out : o.out()) {
            if (out.timer() != null) {
                arm(out.timer());
                continue;
            }
            if (out.disarm() != null) {
                timerBook.disarm(out.disarm());
                continue;
            }
            RecordHeaders headers = new RecordHeaders();
            if (out.pool() != null) {
                headers.add(Names.POOL_HEADER, out.pool().getBytes(StandardCharsets.UTF_8));
                urgent = true;
                metrics.dispatched(System.currentTimeMillis() - now.toEpochMilli());
            }
            if (out.intent() != null) {
                headers.add(Names.INTENT_HEADER, Integer.toString(out.intent()).getBytes(StandardCharsets.UTF_8));
            }
            context.forward(new Record<>(out.key(), out.value(), now.toEpochMilli(), headers), out.sink());
        }
        // Spans are side effects of the decision just written (rebuilt with ids derived from the run: see RunTrace).
        for (Runnable span : o.spans()) {
            span.run();
        }
        if (!urgent && o.runEnded()) {
            // Dispatches and run ends are what users wait for: commit now instead of at the next interval
            // (or, while the thread works through a backlog, together with the answers behind it).
            urgent = true;
        }
        answered(now.toEpochMilli(), urgent);
    }

    /**
     * Fails the run of {@code input} after its decision could not be written or its handling threw: the run's last
     * stored state, {@link RunDecider#abort}, written with the same size guard. If even that fails, the dead letter
     * already sent is all that is left (logged); the thread goes on with the other runs either way.
     */
    private void abort(Input input, Instant now, String reason) {
        cache.remove(input.runId());
        try {
            RunStore.Loaded before = store.load(input.runId());
            DecisionContext ctx = new DecisionContext(before.state(), input, now,
                    input instanceof Input.RequestRun r ? r.job() : null, this::latestMaterialization);
            decider.abort(ctx, truncate(reason, MAX_REASON_CHARS));
            if (ctx.events().isEmpty()) {
                return;
            }
            Outcome outcome = outcome(ctx, before, input);
            Oversize big = outcome.oversize(maxRecordBytes);
            if (big != null) {
                log.error("Run {} cannot be failed either ({}); it stays dead-lettered", input.runId(), big.reason(maxRecordBytes, this::target));
                return;
            }
            write(outcome, now);
            metrics.runAborted();
        } catch (RuntimeException e) {
            cache.remove(input.runId());
            log.error("Run {} could not be failed after an error; it stays dead-lettered", input.runId(), e);
        }
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
        boolean caughtUp = caughtUp(arrivedIdle, takenAtMs >= 0 ? takenAtMs : System.currentTimeMillis(), inputTimestampMs, coalesceMs);
        lastCaughtUp = caughtUp;
        boolean owedNow = urgent && !commitOwed;
        if (owedNow) {
            commitOwed = true;
            owedSinceNanos = lastInputNanos;
        }
        if (commitOwed && (caughtUp || coalesceMs <= 0) && !lingering(lastInputNanos)) {
            if (owedNow) {
                metrics.urgentCommit(false);
            } else {
                metrics.commitDeferral(lastInputNanos - owedSinceNanos);
            }
            commitNow();
        } else if (owedNow) {
            metrics.urgentCommit(true);
            owedCommitPunctuation.wake();
        }
    }

    /**
     * Whether an input means its thread has caught up: it found the thread idle, or it was appended at most
     * {@code coalesceMs} before the thread took it ({@code takenAtMs}). Its age is judged when it was taken, not when its
     * decision was written: the time spent deciding it is not time it waited behind others (a chain's reports are
     * otherwise held back as a backlog whenever fetching and deciding together pass the threshold).
     */
    static boolean caughtUp(boolean arrivedIdle, long takenAtMs, long inputTimestampMs, long coalesceMs) {
        return arrivedIdle || takenAtMs - inputTimestampMs <= coalesceMs;
    }

    /**
     * Punctuation: pays an owed commit once the thread is idle (or its last input was fresh) and no longer lingering, or
     * once the maximum delay is reached.
     */
    private long payOwedCommit(long wallClockMs) {
        long now = System.nanoTime();
        boolean caughtUp = lastCaughtUp || now - lastInputNanos >= coalesceMs * 1_000_000L;
        if (commitOwed && ((caughtUp && !lingering(now)) || now - owedSinceNanos >= maxDelayNanos)) {
            metrics.commitDeferral(now - owedSinceNanos);
            commitNow();
        }
        return commitOwed ? wallClockMs : IdlePunctuation.NONE;
    }

    /**
     * Whether an answer owed now should wait for the thread's linger: the thread handled inputs of more than one run
     * since its previous commit or in the window before it (so others are in flight and will share the commit), and that
     * commit was asked less than {@code coordinator.commit.linger.ms} ago. One run at a time (a chain, a sensor's run)
     * never lingers.
     */
    private boolean lingering(long nowNanos) {
        return lingerNanos > 0 && coalesceMs > 0 && THREAD_ACTIVITY.get().lingers(nowNanos, lingerNanos);
    }

    /** The calling stream thread's commit completed just now: called by {@link CommitTimedProducer}. */
    static void commitCompleted() {
        THREAD_ACTIVITY.get().commitDone(System.nanoTime(), System.currentTimeMillis());
    }

    private void commitNow() {
        context.commit();
        commitOwed = false;
        THREAD_ACTIVITY.get().commitAsked(System.nanoTime());
    }

    /**
     * When a stream thread last finished an input, whether it asked for a commit since and when its last commit
     * completed. The commit runs after the processing round, so the gap before the next input is first the commit's
     * time, not idleness: inputs that waited for it are a backlog and share the next commit. A gap after the commit
     * completed is idleness again: the thread waited in poll() for the input (a run's first dispatch right after the
     * previous run's end commit, a request that a transactional producer made readable only after its append).
     */
    static final class ThreadActivity {
        private long lastHandledNanos;
        private boolean commitAsked;
        private boolean seen;
        /** When the thread's last commit (exactly-once transaction) completed, and whether one did since the ask. */
        private long commitDoneNanos;
        private long commitDoneMs;
        private boolean commitDoneSinceAsked;
        /** The run of the previous input since the last commit asked (null right after one). */
        private String lastRun;
        /** Whether the inputs since the last commit asked, and those of the window before, were of several runs. */
        private boolean severalRuns;
        private boolean severalRunsBefore;
        private long lastCommitNanos;
        private boolean committed;

        /**
         * Whether the input the thread takes at {@code startNanos}, appended at {@code inputTimestampMs} (broker time),
         * found the thread idle: none handled within {@link #IDLE_GAP_NANOS} before it and, after a commit asked, the
         * commit completed that long before it and the input was appended after the commit completed (an input appended
         * earlier was readable, or about to be, while the commit ran: under load the thread is then slow to poll again,
         * which is no idleness).
         */
        boolean idleBefore(long startNanos, long inputTimestampMs) {
            boolean idle;
            if (!seen) {
                idle = true;
            } else if (!commitAsked) {
                idle = startNanos - lastHandledNanos >= IDLE_GAP_NANOS;
            } else {
                // A commit asked and not seen to complete: the gap may all be the commit's.
                idle = commitDoneSinceAsked && inputTimestampMs >= commitDoneMs
                        && startNanos - Math.max(lastHandledNanos, commitDoneNanos) >= IDLE_GAP_NANOS;
            }
            commitAsked = false;
            commitDoneSinceAsked = false;
            return idle;
        }

        /** A commit of this thread completed at {@code nanos}, wall time {@code ms} (see {@link CommitTimedProducer}). */
        void commitDone(long nanos, long ms) {
            commitDoneNanos = nanos;
            commitDoneMs = ms;
            commitDoneSinceAsked = true;
        }

        void handled(long nanos) {
            lastHandledNanos = nanos;
            seen = true;
        }

        /** An input of run {@code runId} is being handled. */
        void input(String runId) {
            if (lastRun != null && runId != null && !runId.equals(lastRun)) {
                severalRuns = true;
            }
            lastRun = runId;
        }

        /** Whether an answer owed at {@code nowNanos} waits for the linger (see {@link RunProcessor#lingering}). */
        boolean lingers(long nowNanos, long lingerNanos) {
            return committed && (severalRuns || severalRunsBefore) && nowNanos - lastCommitNanos < lingerNanos;
        }

        void commitAsked(long nowNanos) {
            commitAsked = true;
            commitDoneSinceAsked = false;
            severalRunsBefore = severalRuns;
            severalRuns = false;
            lastRun = null;
            lastCommitNanos = nowNanos;
            committed = true;
        }
    }

    private static boolean isRunEnd(Event e) {
        return e instanceof Event.RunSucceeded || e instanceof Event.RunFailed || e instanceof Event.RunCanceled;
    }

    private static Input.RequestRun withDefinition(Input.RequestRun r, JobDefinition def) {
        return r.withDefinition(def);
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

    /** Arms a timer, and wakes the timer scan if it sleeps past the timer's due time. */
    private void arm(Input.Timer t) {
        timerBook.arm(t);
        timerPunctuation.wakeBy(t.dueAt().toEpochMilli());
    }

    /** Punctuation: fires the due timers; returns when the next one is due (now while due ones are left). */
    private long fireTimers(long wallClock) {
        Instant now = Instant.ofEpochMilli(wallClock);
        long reportsReadThrough = reportsRead.readThrough(wallClock);
        List<KeyValue<Bytes, Input.Timer>> due = new ArrayList<>();
        int scanned = 0;
        boolean dueLeft = false;
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(TimerKeys.lowest(), TimerKeys.upTo(now))) {
            while (it.hasNext()) {
                if (due.size() >= MAX_TIMERS_PER_PUNCTUATION || scanned++ >= MAX_TIMERS_SCANNED) {
                    dueLeft = true; // the next pass goes on
                    break;
                }
                KeyValue<Bytes, byte[]> kv = it.next();
                Input.Timer t;
                try {
                    t = TimerKeys.parse(kv.value);
                } catch (RuntimeException e) {
                    timers.delete(kv.key);
                    timerDeadLetter(null, "INVALID_EVENT", "unreadable timer: " + e, kv.value, now);
                    continue;
                }
                if (ReportWatermark.waitsForReports(t.kind()) && t.dueAt().toEpochMilli() > reportsReadThrough) {
                    metrics.timerDeferred();
                    dueLeft = true;
                    continue; // a report of before its due time may still be unread: it stays armed for a later pass
                }
                due.add(KeyValue.pair(kv.key, t));
            }
        }
        for (KeyValue<Bytes, Input.Timer> kv : due) {
            Input.Timer t = kv.value;
            timerBook.fired(kv.key, t);
            metrics.punctuationLag(wallClock - t.dueAt().toEpochMilli());
            String id = DecisionContext.uuid(t.runId() + "/timer/" + t.kind() + "/" + t.stepKey() + "/" + t.attempt() + "/" + t.dueAt());
            Input.TimerFired input = new Input.TimerFired(id, t.runId(), now, id, t);
            try {
                handle(input, now);
            } catch (RuntimeException e) {
                cache.remove(t.runId());
                // Never drop a timer silently: the run would hang forever. Dead-letter it and fail the run.
                log.error("Timer {} for run {} failed; sent to the dead-letter topic and failing the run", t.kind(), t.runId(), e);
                String reason = "timer " + t.kind() + (t.stepKey() == null ? "" : " of step " + t.stepKey()) + " failed: " + e;
                deadLetterInput(input, "PROCESSING_ERROR", reason);
                abort(input, now, "coordinator error: " + reason);
            }
        }
        long sweepNext = sweepDefinitions(wallClock);
        if (dueLeft) {
            return wallClock;
        }
        // The earliest timer still armed (those just fired may have armed new ones): keys start with the due time.
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(TimerKeys.upTo(now), null)) {
            return Math.min(sweepNext, it.hasNext() ? java.nio.ByteBuffer.wrap(it.next().key.get()).getLong() : IdlePunctuation.NONE);
        }
    }

    /**
     * A step of the sweep of definitions no run refers to any more, when one is due (in the task's transaction, like
     * the timers fired with it); returns when the next step is due.
     */
    private long sweepDefinitions(long wallClock) {
        if (!store.sweepPending()) {
            return IdlePunctuation.NONE;
        }
        if (!store.sweeping() && wallClock < nextDefinitionSweepMs) {
            return nextDefinitionSweepMs;
        }
        int deleted = store.sweepDefinitions(MAX_HEADERS_SWEPT);
        if (deleted < 0) {
            return wallClock; // more headers to read: at the next interval
        }
        if (deleted > 0) {
            log.debug("Task {}: deleted {} job definitions no run refers to any more", context.taskId(), deleted);
        }
        nextDefinitionSweepMs = wallClock + DEFINITION_SWEEP_INTERVAL.toMillis();
        return store.sweepPending() ? nextDefinitionSweepMs : IdlePunctuation.NONE;
    }

    /** Dead-letters the input being handled: the consumed record, or the fired timer. */
    private void deadLetterInput(Input input, String cause, String reason) {
        if (input instanceof Input.TimerFired tf) {
            timerDeadLetter(tf.timer().runId(), cause, reason, TimerKeys.value(tf.timer()), tf.timestamp());
        } else {
            Record<String, byte[]> rec = currentRecord;
            RecordMetadata meta = context.recordMetadata().orElseThrow();
            deadLetter(meta, rec, cause, reason, input.runId());
        }
    }

    private void deadLetter(RecordMetadata meta, Record<String, byte[]> rec, String cause, String reason, String runId) {
        metrics.deadLetter();
        byte[] key = rec.key() == null ? null : rec.key().getBytes(StandardCharsets.UTF_8);
        var dl = DeadLetters.of("coordinator", cause, truncate(reason, MAX_REASON_CHARS), meta.topic(), meta.partition(),
                meta.offset(), key, bounded(rec.value()), rec.headers(), runId, Instant.ofEpochMilli(rec.timestamp()));
        context.forward(new Record<>(meta.topic(), codecs.deadLetters().serialize(topics.deadLetters(), dl), rec.timestamp()),
                Names.SINK_DLQ);
    }

    /** A timer has no source record: the dead letter names the timer store and carries the timer's identity. */
    private void timerDeadLetter(String runId, String cause, String reason, byte[] timer, Instant now) {
        metrics.deadLetter();
        int partition = context.taskId().partition();
        var dl = dev.baton.events.DeadLetter.newBuilder(DeadLetters.of("coordinator", cause, truncate(reason, MAX_REASON_CHARS),
                        Names.TIMER_STORE, partition, -1L, runId == null ? null : runId.getBytes(StandardCharsets.UTF_8), timer,
                        null, runId, now))
                .setEventId(DecisionContext.uuid("timer/" + new String(timer, StandardCharsets.UTF_8) + "/" + cause)).build();
        context.forward(new Record<>(Names.TIMER_STORE, codecs.deadLetters().serialize(topics.deadLetters(), dl), now.toEpochMilli()),
                Names.SINK_DLQ);
    }

    /** The payload kept in a dead letter: the input unless it is too big to travel again, then its first bytes. */
    private byte[] bounded(byte[] value) {
        if (value == null || value.length <= maxRecordBytes / 2) {
            return value;
        }
        return java.util.Arrays.copyOf(value, DEAD_LETTER_PAYLOAD_BYTES);
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "... (truncated)";
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
