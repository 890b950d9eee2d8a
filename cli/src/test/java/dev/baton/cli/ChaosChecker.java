package dev.baton.cli;

import dev.baton.events.Origin;
import dev.baton.events.ReportRejected;
import dev.baton.events.RunCanceled;
import dev.baton.events.RunEvent;
import dev.baton.events.RunFailed;
import dev.baton.events.RunRequest;
import dev.baton.events.RunRequested;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepFailed;
import dev.baton.events.StepSucceeded;
import dev.baton.runmodel.events.RunEventMapper;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStateApplier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The chaos suite's checks over everything the cluster wrote to {@code baton.run-events} and
 * {@code baton.run-requests} (read from offset 0) and everything the load driver had accepted before a cut-off:
 * terminal runs, lost runs, duplicated accepted results per (run, step, attempt), one run per tick and per sensor
 * record, and the run states a replay of the log through the one fold gives.
 */
final class ChaosChecker {
    static final String TICK_KEY_PREFIX = "schedule:chaos_ticker/every_second@";

    /** What the log says about the runs. */
    record Log(Map<String, List<RunEvent>> eventsByRun, Map<String, String> runIdByKey, Map<String, Long> runsPerKey,
               Map<String, String> terminal, Map<String, Long> firstTerminalSeenAt) {

        static Log of(List<ChaosCluster.Seen<RunEvent>> seen) {
            Map<String, List<RunEvent>> byRun = new LinkedHashMap<>();
            Map<String, String> idByKey = new HashMap<>();
            Map<String, Long> perKey = new HashMap<>();
            Map<String, String> terminal = new HashMap<>();
            Map<String, Long> terminalAt = new HashMap<>();
            for (var s : seen) {
                RunEvent e = s.value();
                byRun.computeIfAbsent(e.getRunId(), k -> new ArrayList<>()).add(e);
                if (e.getPayload() instanceof RunRequested r && r.getRunKey() != null) {
                    idByKey.put(r.getRunKey(), e.getRunId());
                    perKey.merge(r.getRunKey(), 1L, Long::sum);
                }
                String end = ChaosChecker.terminal(e);
                if (end != null) {
                    terminal.putIfAbsent(e.getRunId(), end);
                    terminalAt.putIfAbsent(e.getRunId(), s.seenAtMs());
                }
            }
            return new Log(byRun, idByKey, perKey, terminal, terminalAt);
        }

        /** Runs that ended (first seen) between from (inclusive) and to (exclusive), per second. */
        double completionsPerSecond(long fromMs, long toMs) {
            long n = firstTerminalSeenAt.values().stream().filter(t -> t >= fromMs && t < toMs).count();
            return toMs <= fromMs ? 0 : n * 1000.0 / (toMs - fromMs);
        }
    }

    /** The run status an event ends its run with, or null. */
    static String terminal(RunEvent e) {
        return switch (e.getPayload()) {
            case RunSucceeded x -> "SUCCEEDED";
            case RunFailed x -> "FAILED";
            case RunCanceled x -> "CANCELED";
            default -> null;
        };
    }

    /** The run keys the cut-off expects a run for: accepted triggers, acknowledged sensor records, requested ticks. */
    record Expected(Set<String> keys, List<Instant> ticks) {}

    static Expected expected(LoadDriver driver, List<ChaosCluster.Seen<RunRequest>> requests, long cutoffMs) {
        Set<String> keys = new TreeSet<>();
        driver.accepted().stream().filter(a -> a.acceptedAtMs() < cutoffMs).forEach(a -> keys.add(a.runKey()));
        driver.produced().stream().filter(p -> p.producedAtMs() < cutoffMs).forEach(p -> keys.add(p.runKey()));
        List<Instant> ticks = new ArrayList<>();
        for (var s : requests) {
            RunRequest r = s.value();
            if (r.getOrigin() == Origin.SCHEDULE && r.getRunKey() != null && r.getRunKey().startsWith(TICK_KEY_PREFIX)
                    && s.seenAtMs() < cutoffMs) {
                keys.add(r.getRunKey());
                ticks.add(Instant.parse(r.getRunKey().substring(TICK_KEY_PREFIX.length())));
            }
        }
        return new Expected(keys, ticks);
    }

    /** Expected runs without an end in the log. */
    static List<String> unfinished(Expected expected, Log log) {
        return expected.keys().stream().filter(k -> {
            String runId = log.runIdByKey().get(k);
            return runId == null || !log.terminal().containsKey(runId);
        }).toList();
    }

    /** The ids of the expected runs that ended in the log: the runs the replay check compares with the read model. */
    static List<String> finishedRuns(Expected expected, Log log) {
        return expected.keys().stream().map(log.runIdByKey()::get)
                .filter(id -> id != null && log.terminal().containsKey(id)).distinct().toList();
    }

    /** The verdict on the runs expected at one cut-off. */
    record Verdict(int runs, int lost, int notSucceeded, long duplicated, long duplicatedRunsPerKey, long tickRequestsDuplicated,
                   long sensorRequestsDuplicated, int tickGaps, int replayChecked, int replayMismatches, List<String> examples) {}

    /**
     * @param readModel the status the gateway's read model shows for a run id
     */
    static Verdict verdict(Expected expected, Log log, List<ChaosCluster.Seen<RunRequest>> requests,
                           Function<String, String> readModel) {
        List<String> examples = new ArrayList<>();
        List<String> lostKeys = unfinished(expected, log);
        lostKeys.stream().limit(5).forEach(k -> examples.add("lost " + k + " " + story(log, log.runIdByKey().get(k))));
        List<String> runIds = expected.keys().stream().map(log.runIdByKey()::get).filter(id -> id != null).toList();
        List<String> notSucceeded = runIds.stream()
                .filter(id -> log.terminal().containsKey(id) && !"SUCCEEDED".equals(log.terminal().get(id))).toList();
        notSucceeded.stream().limit(5).forEach(id -> examples.add("ended " + log.terminal().get(id) + " " + id + " " + story(log, id)));

        // Accepted results per (run, step, attempt): a success or a failure accepted twice is a duplicate.
        Map<String, Long> results = new HashMap<>();
        for (String id : runIds) {
            for (RunEvent e : log.eventsByRun().getOrDefault(id, List.of())) {
                switch (e.getPayload()) {
                    case StepSucceeded s -> results.merge(id + "/" + e.getStepKey() + "#" + s.getAttempt(), 1L, Long::sum);
                    case StepFailed f -> results.merge(id + "/" + e.getStepKey() + "#" + f.getAttempt(), 1L, Long::sum);
                    default -> { }
                }
            }
        }
        long duplicated = results.values().stream().mapToLong(n -> n - 1).sum();
        results.entrySet().stream().filter(x -> x.getValue() > 1).limit(5).forEach(x -> examples.add("duplicated " + x.getKey()));
        long dupRuns = expected.keys().stream().mapToLong(k -> Math.max(0, log.runsPerKey().getOrDefault(k, 0L) - 1)).sum();

        // One request per tick and per sensor record (the scheduler commits them exactly once).
        Map<String, Long> requestsPerKey = requests.stream().map(ChaosCluster.Seen::value)
                .filter(r -> r.getRunKey() != null && (r.getOrigin() == Origin.SCHEDULE || r.getOrigin() == Origin.SENSOR))
                .collect(Collectors.groupingBy(RunRequest::getRunKey, Collectors.counting()));
        long tickDup = requestsPerKey.entrySet().stream().filter(x -> x.getKey().startsWith(TICK_KEY_PREFIX))
                .mapToLong(x -> x.getValue() - 1).sum();
        long sensorDup = requestsPerKey.entrySet().stream().filter(x -> x.getKey().startsWith(LoadDriver.SENSOR_KEY_PREFIX + ChaosCluster.SENSOR_TOPIC + "/"))
                .mapToLong(x -> x.getValue() - 1).sum();
        requestsPerKey.entrySet().stream().filter(x -> x.getValue() > 1).limit(5)
                .forEach(x -> examples.add(x.getValue() + " requests for " + x.getKey()));

        // Every second from the first tick to the last has its tick.
        TreeSet<Instant> ticks = new TreeSet<>(expected.ticks());
        int gaps = 0;
        if (!ticks.isEmpty()) {
            for (Instant t = ticks.first(); t.isBefore(ticks.last()); t = t.plusSeconds(1)) {
                if (!ticks.contains(t)) {
                    gaps++;
                    if (gaps <= 3) {
                        examples.add("no tick at " + t);
                    }
                }
            }
        }

        // A replay of each finished run's events through the one fold gives the state the read model shows.
        int checked = 0;
        int mismatches = 0;
        for (String id : runIds) {
            if (!log.terminal().containsKey(id)) {
                continue;
            }
            String replayed;
            try {
                RunState s = RunStateApplier.replay(log.eventsByRun().get(id).stream().map(RunEventMapper::fromAvro).toList());
                replayed = s == null ? "" : s.status().name();
            } catch (RuntimeException e) {
                replayed = "replay failed: " + e.getMessage();
            }
            String shown = readModel.apply(id);
            checked++;
            if (!replayed.equals(shown) || !replayed.equals(log.terminal().get(id))) {
                mismatches++;
                if (mismatches <= 5) {
                    examples.add("run " + id + ": replay " + replayed + ", read model " + shown + ", log " + log.terminal().get(id));
                }
            }
        }
        return new Verdict(expected.keys().size(), lostKeys.size(), notSucceeded.size(), duplicated, dupRuns, tickDup, sensorDup,
                gaps, checked, mismatches, examples);
    }

    /** A run's events in log order, by kind and step (for failure messages): what happened to a lost or failed run. */
    static String story(Log log, String runId) {
        if (runId == null) {
            return "(no RunRequested)";
        }
        return log.eventsByRun().getOrDefault(runId, List.of()).stream()
                .map(e -> e.getPayload().getClass().getSimpleName() + (e.getStepKey() == null ? "" : "(" + e.getStepKey() + ")")
                        + (e.getPayload() instanceof RunFailed f ? "[" + f + "]" : ""))
                .collect(Collectors.joining(" ", "[", "]"));
    }

    /** Report rejections (late or stale results) by agent, seen at or after {@code fromMs}. */
    static long rejections(List<ChaosCluster.Seen<RunEvent>> seen, String agentId, long fromMs) {
        return seen.stream().filter(s -> s.seenAtMs() >= fromMs)
                .filter(s -> s.value().getPayload() instanceof ReportRejected r && (agentId == null || agentId.equals(r.getAgentId())))
                .count();
    }
}
