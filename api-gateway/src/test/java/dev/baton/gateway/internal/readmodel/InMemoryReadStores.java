package dev.baton.gateway.internal.readmodel;

import dev.baton.events.JobDefinition;
import dev.baton.gateway.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ReadStores} in memory, for handler tests: what the read model's stores would hold, put in directly. Orders and
 * cursors follow the real stores ({@link Keys}): runs newest first, materializations and checks newest first, log
 * lines in time order (or, filtered by step, in attempt and sequence order).
 */
public final class InMemoryReadStores implements ReadStores {
    private final LiveFeed feed = new LiveFeed();
    private final Map<String, TreeMap<Integer, JobDefinition>> jobs = new ConcurrentHashMap<>();
    private final Map<String, RunView> runs = new ConcurrentHashMap<>();
    private final Map<String, List<StepView>> steps = new ConcurrentHashMap<>();
    private final Map<String, List<byte[]>> events = new ConcurrentHashMap<>();
    private final Map<String, TreeMap<String, byte[]>> logLines = new ConcurrentHashMap<>();
    private final Map<String, AssetSummary> assets = new ConcurrentHashMap<>();
    private final Map<String, TreeMap<String, byte[]>> materializations = new ConcurrentHashMap<>();
    private final Map<String, TreeMap<String, byte[]>> checks = new ConcurrentHashMap<>();
    private final Map<String, List<byte[]>> checksOf = new ConcurrentHashMap<>();
    private final Map<String, byte[]> agents = new ConcurrentHashMap<>();

    // ---- filling ----

    public InMemoryReadStores job(JobDefinition d) {
        jobs.computeIfAbsent(d.getName(), k -> new TreeMap<>()).put(d.getVersion(), d);
        return this;
    }

    public InMemoryReadStores run(RunView v, StepView... runSteps) {
        runs.put(v.runId, v);
        List<StepView> list = new ArrayList<>(List.of(runSteps));
        list.sort(Comparator.comparingInt((StepView x) -> x.index < 0 ? Integer.MAX_VALUE : x.index).thenComparing(x -> x.key));
        steps.put(v.runId, list);
        return this;
    }

    /** An event of a run, as stored: its JSON with {@code sequence} and {@code type}. */
    public InMemoryReadStores event(String runId, Object json) {
        events.computeIfAbsent(runId, k -> new ArrayList<>()).add(Json.bytes(json));
        return this;
    }

    public InMemoryReadStores logLine(String runId, long time, String step, int attempt, long seq, Object json) {
        logLines.computeIfAbsent(runId, k -> new TreeMap<>()).put(Keys.logPosition(time, step, attempt, seq), Json.bytes(json));
        return this;
    }

    public InMemoryReadStores asset(AssetSummary a) {
        assets.put(a.assetKey, a);
        return this;
    }

    public InMemoryReadStores materialization(String key, long time, String eventId, Object json) {
        materializations.computeIfAbsent(key, k -> new TreeMap<>()).put(Keys.inverted(time) + Keys.SEP + eventId, Json.bytes(json));
        return this;
    }

    public InMemoryReadStores check(String key, long time, String eventId, String materializationId, Object json) {
        checks.computeIfAbsent(key, k -> new TreeMap<>()).put(Keys.inverted(time) + Keys.SEP + eventId, Json.bytes(json));
        checksOf.computeIfAbsent(key + Keys.SEP + materializationId, k -> new ArrayList<>()).add(Json.bytes(json));
        return this;
    }

    public InMemoryReadStores agent(String id, Object json) {
        agents.put(id, Json.bytes(json));
        return this;
    }

    /** Hands a run event to live subscribers, as the read model does once it stored it. */
    public InMemoryReadStores publish(LiveFeed.EventItem item) {
        feed.publish(item);
        return this;
    }

    // ---- ReadStores ----

    @Override
    public LiveFeed feed() {
        return feed;
    }

    @Override
    public JobDefinition job(String name) {
        TreeMap<Integer, JobDefinition> v = jobs.get(name);
        return v == null ? null : v.lastEntry().getValue();
    }

    @Override
    public JobDefinition jobVersion(String name, int version) {
        TreeMap<Integer, JobDefinition> v = jobs.get(name);
        return v == null ? null : v.get(version);
    }

    @Override
    public List<Integer> jobVersions(String name) {
        TreeMap<Integer, JobDefinition> v = jobs.get(name);
        return v == null ? List.of() : List.copyOf(v.keySet());
    }

    @Override
    public List<JobDefinition> jobs() {
        return jobs.values().stream().map(v -> v.lastEntry().getValue()).toList();
    }

    @Override
    public Optional<RunView> run(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public ReadModel.Page<RunView> runs(ReadModel.RunQuery q) {
        TreeMap<String, RunView> ordered = new TreeMap<>();
        runs.values().forEach(v -> ordered.put(Keys.runOrder(v.requestedAt, v.runId), v));
        List<String> statuses = q.statuses() == null ? List.of() : q.statuses();
        List<RunView> out = new ArrayList<>();
        int skipped = 0;
        String last = null;
        for (Map.Entry<String, RunView> e : (q.after() == null ? ordered : ordered.tailMap(q.after(), false)).entrySet()) {
            RunView v = e.getValue();
            if ((q.job() != null && !q.job().equals(v.job)) || (!statuses.isEmpty() && !statuses.contains(ApiStatus.run(v.status))) || !q.matches(v)) {
                continue;
            }
            if (skipped < q.offset()) {
                skipped++;
                continue;
            }
            if (out.size() == q.limit()) {
                return new ReadModel.Page<>(out, last);
            }
            out.add(v);
            last = e.getKey();
        }
        return new ReadModel.Page<>(out, null);
    }

    @Override
    public ReadModel.StepPage steps(RunView run, int from, int limit) {
        List<StepView> all = steps.getOrDefault(run.runId, List.of());
        int start = Math.min(from, all.size());
        int end = (int) Math.min((long) start + limit, all.size());
        return new ReadModel.StepPage(List.copyOf(all.subList(start, end)), all.size(), end < all.size() ? end : null);
    }

    @Override
    public List<byte[]> events(String runId, long afterSequence, int limit) {
        return events.getOrDefault(runId, List.of()).stream()
                .filter(b -> Json.tree(b).get("sequence").asLong() > afterSequence).limit(limit).toList();
    }

    private volatile Runnable beforeLogRead = () -> {};

    /** Runs {@code hook} at the start of every log read (on the gateway's worker): tests hold reads in flight with it. */
    public InMemoryReadStores beforeLogRead(Runnable hook) {
        this.beforeLogRead = hook;
        return this;
    }

    @Override
    public ReadModel.LogPage logs(ReadModel.LogQuery q) {
        beforeLogRead.run();
        List<ReadModel.LogEntry> all = new ArrayList<>();
        logLines.getOrDefault(q.runId(), new TreeMap<>()).forEach((position, json) -> {
            var m = Keys.LOG_POSITION.matcher(position);
            m.matches();
            if ((q.step() == null || q.step().equals(m.group(2)))
                    && (q.attempt() == null || q.attempt() == Integer.parseInt(m.group(3)))) {
                all.add(new ReadModel.LogEntry(q.runId() + Keys.SEP + position, Long.parseLong(m.group(1)), json));
            }
        });
        if (q.step() != null) { // the step index: attempt, then sequence
            all.sort(Comparator.comparing((ReadModel.LogEntry e) -> stepOrder(e.position())));
        }
        long total = all.size();
        List<ReadModel.LogEntry> rest = all;
        if (q.after() != null) {
            String after = q.step() == null ? q.after() : stepOrder(q.after());
            rest = all.stream().filter(e -> (q.step() == null ? e.position() : stepOrder(e.position())).compareTo(after) > 0).toList();
        }
        boolean more = rest.size() > q.limit();
        List<ReadModel.LogEntry> page = q.tail() ? rest.subList(Math.max(0, rest.size() - q.limit()), rest.size())
                : rest.subList(0, Math.min(q.limit(), rest.size()));
        return new ReadModel.LogPage(List.copyOf(page), total, more);
    }

    private static String stepOrder(String position) {
        var m = Keys.LOG_POSITION.matcher(position);
        m.matches();
        return m.group(2) + Keys.SEP + m.group(3) + Keys.SEP + m.group(4);
    }

    @Override
    public List<AssetSummary> assets() {
        return List.copyOf(assets.values());
    }

    @Override
    public AssetSummary asset(String key) {
        return assets.get(key);
    }

    @Override
    public ReadModel.Page<byte[]> materializations(String key, String after, int limit) {
        return newestFirst(materializations.get(key), after, limit);
    }

    @Override
    public ReadModel.Page<byte[]> checks(String key, String after, int limit) {
        return newestFirst(checks.get(key), after, limit);
    }

    private static ReadModel.Page<byte[]> newestFirst(TreeMap<String, byte[]> entries, String after, int limit) {
        if (entries == null) {
            return new ReadModel.Page<>(List.of(), null);
        }
        List<byte[]> out = new ArrayList<>();
        String last = null;
        for (Map.Entry<String, byte[]> e : (after == null ? entries : entries.tailMap(after, false)).entrySet()) {
            if (out.size() == limit) {
                return new ReadModel.Page<>(out, last);
            }
            out.add(e.getValue());
            last = e.getKey();
        }
        return new ReadModel.Page<>(out, null);
    }

    @Override
    public List<byte[]> checksOf(String key, String materializationId) {
        return checksOf.getOrDefault(key + Keys.SEP + materializationId, List.of());
    }

    @Override
    public List<byte[]> agents() {
        return new TreeMap<>(agents).values().stream().toList();
    }

    /** A JSON value as bytes, for tests that compare stored items. */
    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- backfills: the same fold as the read model's processor ----

    private final Map<String, dev.baton.gateway.internal.backfills.BackfillState> backfills = new ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentSkipListMap<String, String> backfillFailed = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Folds one backfill event, as the read model's processor does. */
    public synchronized InMemoryReadStores backfillEvent(dev.baton.events.BackfillEvent e) {
        var r = dev.baton.gateway.internal.backfills.BackfillFold.apply(backfills.get(e.getBackfillId()), e);
        if (r.state() != null) {
            backfills.put(e.getBackfillId(), r.state());
            String prefix = e.getBackfillId() + "|";
            switch (r.index()) {
                case dev.baton.gateway.internal.backfills.BackfillFold.IndexChange.Put p -> backfillFailed.put(prefix + p.partition(), p.runId());
                case dev.baton.gateway.internal.backfills.BackfillFold.IndexChange.Remove x -> backfillFailed.remove(prefix + x.partition());
                case dev.baton.gateway.internal.backfills.BackfillFold.IndexChange.None n -> { }
            }
        }
        return this;
    }

    @Override
    public dev.baton.gateway.internal.backfills.BackfillState backfill(String id) {
        return backfills.get(id);
    }

    @Override
    public List<dev.baton.gateway.internal.backfills.BackfillState> backfills() {
        return List.copyOf(backfills.values());
    }

    @Override
    public List<Map.Entry<String, String>> backfillFailed(String id, String after, int limit) {
        String prefix = id + "|";
        String from = after == null ? prefix : prefix + after + "\u0000";
        List<Map.Entry<String, String>> out = new java.util.ArrayList<>();
        for (var kv : backfillFailed.subMap(from, true, prefix + "\uffff", false).entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(Map.entry(kv.getKey().substring(prefix.length()), kv.getValue()));
        }
        return out;
    }

    // ---- partitions ----

    private final Map<String, PartitionIndex.PartitionRun> partitionRuns = new ConcurrentHashMap<>();
    private final Map<String, PartitionIndex.AssetPartition> assetPartitions = new ConcurrentHashMap<>();

    public InMemoryReadStores partitionRun(String job, String partition, PartitionIndex.PartitionRun run) {
        partitionRuns.put(PartitionIndex.key(job, partition), run);
        return this;
    }

    public InMemoryReadStores assetPartition(String assetKey, String partition, PartitionIndex.AssetPartition m) {
        assetPartitions.put(PartitionIndex.key(assetKey, partition), m);
        return this;
    }

    @Override
    public PartitionIndex.PartitionRun partitionRun(String job, String partition) {
        return partitionRuns.get(PartitionIndex.key(job, partition));
    }

    @Override
    public PartitionIndex.AssetPartition assetPartition(String assetKey, String partition) {
        return assetPartitions.get(PartitionIndex.key(assetKey, partition));
    }
}
