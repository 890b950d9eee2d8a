package dev.baton.gateway.internal.readmodel;

import dev.baton.platform.streams.IdlePollClientSupplier;
import static dev.baton.gateway.internal.readmodel.ReadModelTopology.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.gateway.internal.json.Json;
import dev.baton.platform.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read model: a Kafka Streams application folding Baton's record topics into queryable stores, and the
 * queries over them (interactive queries; every method blocks on RocksDB and must run off the event loop).
 * Each gateway instance holds the complete model (its own application id), so every query is local.
 * Ordered lists merge the per-partition stores, whose keys are already in the wanted order.
 */
public final class ReadModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadModel.class);

    /** One page of an ordered list; {@code nextCursor} is null on the last page. */
    public record Page<T>(List<T> items, String nextCursor) {}

    /**
     * A run list query: {@code job}, {@code statuses} and {@code origins} may be null/empty; {@code after} is a cursor
     * order key; {@code since} (inclusive) and {@code until} (exclusive) bound the request time in epoch millis, null
     * for open.
     */
    public record RunQuery(String job, List<String> statuses, List<String> origins, Long since, Long until, String after,
                           int offset, int limit) {
        public RunQuery(String job, List<String> statuses, String after, int offset, int limit) {
            this(job, statuses, List.of(), null, null, after, offset, limit);
        }

        /** The same query from just after {@code order}, {@code limit} at a time, skipping nothing. */
        public RunQuery from(String order, int pageLimit) {
            return new RunQuery(job, statuses, origins, since, until, order, 0, pageLimit);
        }

        /** True when {@code v} passes the origin and time filters (job and status are the index's). */
        public boolean matches(RunView v) {
            return (origins == null || origins.isEmpty() || origins.contains(v.origin))
                    && (since == null || v.requestedAt >= since) && (until == null || v.requestedAt < until);
        }
    }

    private final KafkaStreams streams;
    private final IdlePollClientSupplier clients;
    private final LiveFeed feed;
    private final Map<String, Integer> partitions;

    private ReadModel(KafkaStreams streams, IdlePollClientSupplier clients, LiveFeed feed, Map<String, Integer> partitions) {
        this.streams = streams;
        this.clients = clients;
        this.feed = feed;
        this.partitions = partitions;
    }

    /**
     * Starts the read model.
     *
     * @param partitions partition count of each input topic (stores have one instance per partition)
     * @param idlePollMaxMs longest a poll waits while the thread has nothing due ({@link IdlePollClientSupplier}; 0: off)
     */
    public static ReadModel start(Topics topics, Properties streamsProps, ReadModelTopology.Codecs codecs,
                                  ReadModelTopology.Listener listener, Map<String, Integer> partitions, long idlePollMaxMs) {
        LiveFeed feed = new LiveFeed();
        IdlePollClientSupplier clients = new IdlePollClientSupplier(idlePollMaxMs);
        KafkaStreams streams = new KafkaStreams(ReadModelTopology.build(topics, codecs, feed, listener), streamsProps, clients);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Read model stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        Map<String, Integer> byStore = Map.ofEntries(
                Map.entry(STORE_RUNS, partitions.get(topics.runEvents())),
                Map.entry(STORE_RUNS_BY_TIME, partitions.get(topics.runEvents())),
                Map.entry(STORE_RUNS_BY_JOB, partitions.get(topics.runEvents())),
                Map.entry(STORE_RUNS_BY_STATUS, partitions.get(topics.runEvents())),
                Map.entry(STORE_RUN_EVENTS, partitions.get(topics.runEvents())),
                Map.entry(STORE_RUN_STEPS, partitions.get(topics.runEvents())),
                Map.entry(STORE_LOG_LINES, partitions.get(topics.logs())),
                Map.entry(STORE_LOG_INDEX, partitions.get(topics.logs())),
                Map.entry(STORE_LOG_COUNTS, partitions.get(topics.logs())),
                Map.entry(STORE_JOBS, partitions.get(topics.jobs())),
                Map.entry(STORE_JOB_VERSIONS, partitions.get(topics.jobs())),
                Map.entry(STORE_ASSETS, partitions.get(topics.lineage())),
                Map.entry(STORE_MATERIALIZATIONS, partitions.get(topics.lineage())),
                Map.entry(STORE_CHECKS, partitions.get(topics.lineage())),
                Map.entry(STORE_MATERIALIZATION_CHECKS, partitions.get(topics.lineage())),
                Map.entry(STORE_AGENTS, partitions.get(topics.agents())));
        streams.start();
        return new ReadModel(streams, clients, feed, byStore);
    }

    /** Streams settings of the read model; each non-default carries its reason. */
    public static Properties streamsProperties(Map<String, Object> kafkaClient, String applicationId, String stateDir,
                                               long commitIntervalMs, short replicationFactor) {
        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // The coordinator writes transactionally: aborted records must never show in the API.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), IsolationLevel.READ_COMMITTED.toString());
        // The broker answers a waiting fetch as soon as records become readable (a transaction marker included), so a
        // long wait costs no latency; a short one only makes an idle client ask ~100 times a second (idle CPU, docs/benchmarks.md).
        p.putAll(dev.baton.platform.config.BatonConfig.streamsFetchWaits(kafkaClient)); // the restore consumer's stays short
        // No record cache: queries and live streams see each record as soon as it is processed.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        // At-least-once views: the interval only bounds what is re-read (and skipped by sequence) after a crash.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        // A crashed gateway's member stays in the group until its session times out, and the restarted gateway cannot
        // get the tasks before: 10 s instead of the default 45 s (after a SIGKILL of `baton dev` this gated readiness).
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        return p;
    }

    public LiveFeed feed() {
        return feed;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Restored and processing: queries answer from complete stores. */
    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    // ---- runs ----

    public Optional<RunView> run(String runId) {
        byte[] b = store(STORE_RUNS).get(runId);
        return b == null ? Optional.empty() : Optional.of(Json.read(b, RunView.class));
    }

    public Page<RunView> runs(RunQuery q) {
        List<String> statuses = q.statuses() == null ? List.of() : q.statuses();
        String storeName;
        List<String> prefixes;
        BiPredicate<String, byte[]> filter = (order, value) -> true;
        if (q.job() != null) {
            storeName = STORE_RUNS_BY_JOB;
            prefixes = List.of(Keys.prefix(q.job()));
            if (!statuses.isEmpty()) {
                filter = (order, value) -> statuses.contains(new String(value, StandardCharsets.UTF_8));
            }
        } else if (!statuses.isEmpty()) {
            storeName = STORE_RUNS_BY_STATUS;
            prefixes = statuses.stream().map(Keys::prefix).toList();
        } else {
            storeName = STORE_RUNS_BY_TIME;
            prefixes = List.of("");
        }
        ReadOnlyKeyValueStore<String, byte[]> runs = store(STORE_RUNS);
        List<String> origins = q.origins() == null ? List.of() : q.origins();
        if (!origins.isEmpty()) { // not indexed: reads the run record of each candidate within the time range
            BiPredicate<String, byte[]> indexFilter = filter;
            filter = (order, value) -> {
                if (!indexFilter.test(order, value)) {
                    return false;
                }
                byte[] b = runs.get(Keys.runFromOrder(order));
                return b != null && origins.contains(Json.read(b, RunView.class).origin);
            };
        }
        // Orders start with the inverted request time: the time range is a key range of every run index.
        String low = q.until() == null ? null : Keys.inverted(q.until() - 1);
        String high = q.since() == null ? null : Keys.inverted(q.since()) + Keys.SEP + Keys.END;
        Page<String> orders = scan(storeName, prefixes, q.after(), low, high, filter, q.offset(), q.limit());
        List<RunView> views = new ArrayList<>();
        for (String order : orders.items()) {
            byte[] b = runs.get(Keys.runFromOrder(order));
            if (b != null) {
                views.add(Json.read(b, RunView.class));
            }
        }
        return new Page<>(views, orders.nextCursor());
    }

    /** The run's events with a sequence above {@code afterSequence}, oldest first, at most {@code limit}. */
    public List<byte[]> events(String runId, long afterSequence, int limit) {
        List<byte[]> out = new ArrayList<>();
        String from = Keys.event(runId, Math.max(0, afterSequence + 1));
        try (KeyValueIterator<String, byte[]> it = store(STORE_RUN_EVENTS).range(from, Keys.prefix(runId) + Keys.END)) {
            while (it.hasNext() && out.size() < limit) {
                out.add(it.next().value);
            }
        }
        return out;
    }

    /** A page of a run's steps in definition order; {@code total} steps in all. */
    public record StepPage(List<StepView> steps, int total, Integer nextIndex) {}

    /**
     * The steps of a run in definition order, from position {@code from}, at most {@code limit}. Reads the run's step
     * records (at most the registration limit of steps per job); a record of an older gateway embeds its steps.
     */
    public StepPage steps(RunView run, int from, int limit) {
        List<StepView> all = new ArrayList<>(run.steps.values());
        if (all.isEmpty()) {
            String p = Keys.prefix(run.runId);
            try (KeyValueIterator<String, byte[]> it = store(STORE_RUN_STEPS).range(p, p + Keys.END)) {
                it.forEachRemaining(kv -> all.add(Json.read(kv.value, StepView.class)));
            }
            all.sort(Comparator.comparingInt((StepView x) -> x.index < 0 ? Integer.MAX_VALUE : x.index).thenComparing(x -> x.key));
        }
        int start = Math.min(from, all.size());
        int end = (int) Math.min((long) start + limit, all.size());
        return new StepPage(List.copyOf(all.subList(start, end)), all.size(), end < all.size() ? end : null);
    }

    // ---- logs ----

    /** A stored log line: its key (unique within the run, in time order), time and JSON. */
    public record LogEntry(String key, long time, byte[] json) {
        /** The line's position ({@code time|step|attempt|seq}): the cursor that continues after it. */
        public String position() {
            return key.substring(key.indexOf(Keys.SEP) + 1);
        }
    }

    /**
     * A log read. {@code step}/{@code attempt} filter (attempt needs step); {@code after} is a position
     * ({@link Keys#LOG_POSITION}) to continue after; {@code tail} takes the last lines (after {@code after}) instead of
     * the first; at most {@code limit} lines and at most {@code maxBytes} bytes of line JSON either way (a page always
     * holds at least one line when one exists).
     */
    public record LogQuery(String runId, String step, Integer attempt, String after, boolean tail, int limit, long maxBytes) {
        public LogQuery(String runId, String step, Integer attempt, String after, boolean tail, int limit) {
            this(runId, step, attempt, after, tail, limit, Long.MAX_VALUE);
        }
    }

    /**
     * One page of log lines, oldest first; {@code more} when lines beyond the page exist now (a page that ends at
     * {@code maxBytes} before {@code limit} has {@code more}).
     */
    public record LogPage(List<LogEntry> items, long total, boolean more) {}

    private final java.util.concurrent.atomic.AtomicLong logLinesRead = new java.util.concurrent.atomic.AtomicLong();

    /** Log lines read from the store by all log queries since start (a query reads at most its page plus one). */
    public long logLinesRead() {
        return logLinesRead.get();
    }

    /**
     * A page of a run's log lines, by range scans over ordered keys: forward from the start or from {@code after},
     * or backwards from the end for a tail. Never reads more than {@code limit + 1} lines.
     */
    public LogPage logs(LogQuery q) {
        String runPrefix = Keys.prefix(q.runId());
        ReadOnlyKeyValueStore<String, byte[]> lines = store(STORE_LOG_LINES);
        List<LogEntry> out = new ArrayList<>();
        boolean more = false;
        KeyValueIterator<String, byte[]> it;
        boolean byStep = q.step() != null;
        String lower;
        String upper;
        if (!byStep) {
            lower = q.after() == null ? runPrefix : runPrefix + q.after();
            upper = runPrefix + Keys.END;
        } else {
            String p = runPrefix + Keys.prefix(q.step()) + (q.attempt() == null ? "" : Keys.prefix(Keys.attempt(q.attempt())));
            if (q.after() == null) {
                lower = p;
            } else {
                var m = Keys.LOG_POSITION.matcher(q.after());
                if (!m.matches()) {
                    throw new IllegalArgumentException("not a log position: " + q.after());
                }
                lower = Keys.logByStep(q.runId(), m.group(2), Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)));
                if (lower.compareTo(p) < 0) {
                    lower = p;
                }
            }
            upper = p + Keys.END;
        }
        ReadOnlyKeyValueStore<String, byte[]> source = byStep ? store(STORE_LOG_INDEX) : lines;
        it = q.tail() ? source.reverseRange(lower, upper) : source.range(lower, upper);
        String skip = q.after() == null ? null : lower;
        long bytes = 0;
        try (it) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(skip)) {
                    continue; // the cursor's own line
                }
                logLinesRead.incrementAndGet();
                if (out.size() == q.limit()) {
                    more = true;
                    break;
                }
                String lineKey = byStep ? new String(kv.value, StandardCharsets.UTF_8) : kv.key;
                byte[] json = byStep ? lines.get(lineKey) : kv.value;
                if (json != null) {
                    if (!out.isEmpty() && bytes + json.length > q.maxBytes()) {
                        more = true;
                        break;
                    }
                    bytes += json.length;
                    out.add(new LogEntry(lineKey, timeOf(lineKey), json));
                }
            }
        }
        if (q.tail()) {
            java.util.Collections.reverse(out);
        }
        String countKey = q.runId() + (q.step() == null ? "" : Keys.SEP + q.step()
                + (q.attempt() == null ? "" : Keys.SEP + Keys.attempt(q.attempt())));
        long total = ReadModelTopology.decodeCount(store(STORE_LOG_COUNTS).get(countKey));
        return new LogPage(out, total, more);
    }

    private static long timeOf(String lineKey) {
        int a = lineKey.indexOf(Keys.SEP) + 1;
        return Long.parseLong(lineKey.substring(a, a + 19));
    }

    // ---- jobs ----

    /** Latest definitions by name (wire-format bytes; decode with the jobs serde), in name order. */
    public Page<KeyValue<String, byte[]>> jobs(String after, int limit) {
        return scanValues(STORE_JOBS, after, limit);
    }

    public byte[] job(String name) {
        return store(STORE_JOBS).get(name);
    }

    public byte[] jobVersion(String name, int version) {
        return store(STORE_JOB_VERSIONS).get(Keys.jobVersion(name, version));
    }

    public List<Integer> jobVersions(String name) {
        List<Integer> out = new ArrayList<>();
        String p = Keys.prefix(name);
        try (KeyValueIterator<String, byte[]> it = store(STORE_JOB_VERSIONS).range(p, p + Keys.END)) {
            while (it.hasNext()) {
                out.add(Integer.parseInt(it.next().key.substring(p.length())));
            }
        }
        return out;
    }

    /** Every latest definition (for the asset catalog); job lists are small. */
    public List<byte[]> allJobs() {
        List<byte[]> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store(STORE_JOBS).all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    // ---- backfills ----

    /** The failed partitions of a backfill, by partition key, after {@code after}. */
    public List<Map.Entry<String, String>> backfillFailed(String id, String after, int limit) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        String from = after == null ? Keys.prefix(id) : Keys.prefix(id) + after + "\u0000";
        try (KeyValueIterator<String, byte[]> it = store(ReadModelTopology.STORE_BACKFILL_FAILED).range(from, Keys.prefix(id) + Keys.END)) {
            while (it.hasNext() && out.size() < limit) {
                var kv = it.next();
                out.add(Map.entry(kv.key.substring(Keys.prefix(id).length()), new String(kv.value, java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    /** A partition's record ({@link PartitionIndex}) from one of the partition stores, or null. */
    public byte[] partitionRecord(String storeName, String name, String partition) {
        return store(storeName).get(PartitionIndex.key(name, partition));
    }

    /** A backfill's state (the fold of its events, joined from the backfill stores, see {@link StoredBackfill}), or null. */
    public dev.baton.gateway.internal.backfills.BackfillState backfill(String id) {
        byte[] b = store(ReadModelTopology.STORE_BACKFILLS).get(id);
        return b == null ? null : join(id, b);
    }

    /** Every backfill's state, joined (backfills are few: one per request, not per partition). */
    public List<dev.baton.gateway.internal.backfills.BackfillState> backfills() {
        List<KeyValue<String, byte[]>> records = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store(ReadModelTopology.STORE_BACKFILLS).all()) {
            it.forEachRemaining(records::add);
        }
        List<dev.baton.gateway.internal.backfills.BackfillState> out = new ArrayList<>();
        records.forEach(kv -> out.add(join(kv.key, kv.value)));
        return out;
    }

    private dev.baton.gateway.internal.backfills.BackfillState join(String id, byte[] stored) {
        return StoredBackfill.join(id, stored, store(ReadModelTopology.STORE_BACKFILL_PARTITIONS),
                store(ReadModelTopology.STORE_BACKFILL_IN_FLIGHT));
    }

    // ---- assets ----

    public Page<KeyValue<String, byte[]>> assets(String after, int limit) {
        return scanValues(STORE_ASSETS, after, limit);
    }

    public byte[] asset(String key) {
        return store(STORE_ASSETS).get(key);
    }

    /** Materializations of one asset, newest first. */
    public Page<byte[]> materializations(String assetKey, String after, int limit) {
        return newestFirst(STORE_MATERIALIZATIONS, assetKey, after, limit);
    }

    /** Check evaluations of one asset, newest first. */
    public Page<byte[]> checks(String assetKey, String after, int limit) {
        return newestFirst(STORE_CHECKS, assetKey, after, limit);
    }

    /** The latest result of each check of one materialization, by check name. */
    public List<byte[]> checksOf(String assetKey, String materializationId) {
        String p = Keys.prefix(assetKey) + Keys.prefix(materializationId);
        List<byte[]> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store(STORE_MATERIALIZATION_CHECKS).range(p, p + Keys.END)) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    /** One asset's entries of a store keyed {@code asset|invertedTs|id}, from just after the order {@code after}. */
    private Page<byte[]> newestFirst(String storeName, String assetKey, String after, int limit) {
        String p = Keys.prefix(assetKey);
        List<byte[]> out = new ArrayList<>();
        String last = null;
        boolean more = false;
        String from = after == null ? p : p + after;
        try (KeyValueIterator<String, byte[]> it = store(storeName).range(from, p + Keys.END)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                String order = kv.key.substring(p.length());
                if (order.equals(after)) {
                    continue;
                }
                if (out.size() == limit) {
                    more = true;
                    break;
                }
                out.add(kv.value);
                last = order;
            }
        }
        return new Page<>(out, more ? last : null);
    }

    // ---- agents ----

    public List<byte[]> agents() {
        List<byte[]> out = new ArrayList<>();
        Page<KeyValue<String, byte[]>> page = scanValues(STORE_AGENTS, null, Integer.MAX_VALUE);
        page.items().forEach(kv -> out.add(kv.value));
        return out;
    }

    // ---- store access ----

    private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    private List<ReadOnlyKeyValueStore<String, byte[]>> partitionStores(String name) {
        int n = partitions.getOrDefault(name, 1);
        List<ReadOnlyKeyValueStore<String, byte[]>> out = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            out.add(streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, byte[]>keyValueStore())
                    .withPartition(p)));
        }
        return out;
    }

    private Page<KeyValue<String, byte[]>> scanValues(String storeName, String after, int limit) {
        List<KeyValue<String, byte[]>> out = new ArrayList<>();
        Page<String> keys = scan(storeName, List.of(""), after, (k, v) -> {
            out.add(KeyValue.pair(k, v));
            return true;
        }, 0, limit);
        return new Page<>(out.subList(0, Math.min(out.size(), keys.items().size())), keys.nextCursor());
    }

    /** A cursor over one store partition and one prefix, positioned on its next entry. */
    private static final class Head {
        final KeyValueIterator<String, byte[]> it;
        final int prefixLength;
        KeyValue<String, byte[]> next;

        Head(KeyValueIterator<String, byte[]> it, int prefixLength) {
            this.it = it;
            this.prefixLength = prefixLength;
        }

        boolean advance() {
            next = it.hasNext() ? it.next() : null;
            return next != null;
        }

        String order() {
            return next.key.substring(prefixLength);
        }
    }

    /**
     * Merges the ordered ranges {@code prefix + order} of every partition and prefix by {@code order},
     * from just after {@code after}; returns the orders of the entries that pass {@code filter}, after skipping
     * {@code skip} of them, at most {@code limit}.
     */
    private Page<String> scan(String storeName, List<String> prefixes, String after, BiPredicate<String, byte[]> filter,
                              int skip, int limit) {
        return scan(storeName, prefixes, after, null, null, filter, skip, limit);
    }

    /** {@link #scan} within the orders {@code low} (inclusive) to {@code high} (exclusive); null for open. */
    private Page<String> scan(String storeName, List<String> prefixes, String after, String low, String high,
                              BiPredicate<String, byte[]> filter, int skip, int limit) {
        PriorityQueue<Head> queue = new PriorityQueue<>(Comparator.comparing(Head::order));
        List<Head> opened = new ArrayList<>();
        try {
            for (ReadOnlyKeyValueStore<String, byte[]> s : partitionStores(storeName)) {
                for (String prefix : prefixes) {
                    String start = after == null ? low : low == null || after.compareTo(low) > 0 ? after : low;
                    String from = start == null ? prefix : prefix + start;
                    String to = prefix + (high == null ? Keys.END : high);
                    if (from.compareTo(to) >= 0) {
                        continue;
                    }
                    Head h = new Head(s.range(from, to), prefix.length());
                    opened.add(h);
                    if (h.advance()) {
                        queue.add(h);
                    }
                }
            }
            List<String> out = new ArrayList<>();
            int skipped = 0;
            boolean more = false;
            while (!queue.isEmpty()) {
                Head h = queue.poll();
                String order = h.order();
                byte[] value = h.next.value;
                if (h.advance()) {
                    queue.add(h);
                }
                if (order.equals(after) || !filter.test(order, value)) {
                    continue;
                }
                if (skipped < skip) {
                    skipped++;
                    continue;
                }
                if (out.size() == limit) {
                    more = true;
                    break;
                }
                out.add(order);
            }
            return new Page<>(out, more && !out.isEmpty() ? out.get(out.size() - 1) : null);
        } finally {
            opened.forEach(h -> h.it.close());
        }
    }

    /** Decodes a stored job definition. */
    public static JobDefinition decodeJob(ReadModelTopology.Codecs codecs, String topic, byte[] bytes) {
        return bytes == null ? null : codecs.jobs().deserialize(topic, bytes);
    }

    @Override
    public void close() {
        clients.closing(); // ends the long idle polls in progress, and no new one begins
        // Leave the group: a restarted gateway (same application id) then gets its tasks at once instead of
        // waiting out the session timeout of the member that left.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
