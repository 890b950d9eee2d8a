package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.RunEvent;
import dev.baton.events.StepLost;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.events.StepFailed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos suite ({@code ./mvnw verify -Pchaos}, docs/reliability.md): a steady mixed load against a 3-broker cluster
 * with two of every component as separate JVMs ({@link ChaosCluster}, {@link LoadDriver}), one fault per scenario and
 * then several at once. Each scenario measures the completed runs per second before and after the fault, waits until
 * every run asked for before its cut-off has ended, checks ({@link ChaosChecker}) 0 lost runs, every run SUCCEEDED
 * (every step of the load succeeds, at the latest on a retry), 0 duplicated accepted results per (run, step,
 * attempt), one run and one request per tick and per sensor record, no missing tick, and that a replay of
 * {@code baton.run-events} from offset 0 through the fold gives the read model's final state of every run; and prints
 * one JSON line starting with {@code {"scenario":}.
 *
 * <p>{@code -Dtest='ChaosSuiteTest#sigkillCoordinator+sigstopAgentPastItsHeartbeatTimeout'} runs only those scenarios (the cluster still
 * starts once); Surefire selects them, so no scenario is ever skipped at run time.
 */
@Tag("chaos")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosSuiteTest {
    /** Runs asked for through the driver in each steady-state window (before and after the fault): ~27 s at the default rate. */
    static final int WINDOW_RUNS = 20;
    static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);
    static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(4);
    /** The coordinator's and scheduler's Kafka session timeout (docs/operations.md). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    Path dir;
    /**
     * Runs an earlier scenario already waited for in vain and counted lost: still counted lost by every later check
     * (the checks cover the whole history), but not waited for again (4 minutes per scenario).
     */
    final Set<String> judgedLost = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ChaosCluster cluster;
    LoadDriver load;

    @BeforeAll
    void startClusterAndLoad() throws Exception {
        dir = Files.createTempDirectory("baton-chaos");
        long startedAt = System.currentTimeMillis();
        cluster = ChaosCluster.start(dir);
        System.out.println("chaos: cluster started in " + (System.currentTimeMillis() - startedAt) + " ms, load "
                + ChaosCluster.loadAverage());
        for (var job : LoadDriver.JOBS.entrySet()) {
            cluster.register(job.getValue(), job.getKey());
        }
        load = new LoadDriver(cluster);
        load.start();
        // Warm: the first runs of every kind have succeeded before any fault.
        try {
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    ChaosChecker.Log.of(cluster.runEvents()).terminal().values().stream().filter("SUCCEEDED"::equals).count() >= 20);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no 20 runs succeeded within 5 minutes of load: " + progress(), e);
        }
        System.out.println("chaos: warm " + (System.currentTimeMillis() - startedAt) + " ms after the start began, " + progress());
    }

    /** What the load asked for and what the log shows, for failure messages. */
    private String progress() {
        var seen = cluster.runEvents();
        var log = ChaosChecker.Log.of(seen);
        Map<String, Long> ends = log.terminal().values().stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        Map<String, Long> kinds = seen.stream().collect(Collectors.groupingBy(
                x -> x.value().getPayload().getClass().getSimpleName(), java.util.TreeMap::new, Collectors.counting()));
        return "accepted " + load.accepted().size() + ", refused " + load.refused().size() + ", sensor records "
                + load.produced().size() + ", requests seen " + cluster.runRequests().size() + ", run events seen " + seen.size()
                + ", runs " + log.eventsByRun().size() + ", ended " + ends + ", events " + kinds + ", trigger errors "
                + load.lastError();
    }

    @AfterAll
    void stop() throws Exception {
        if (load != null) {
            load.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One fault (or several): injects it, returns what it wants reported; {@link #restore} is called afterwards. */
    interface Fault {
        Map<String, Object> inject(long faultAtMs) throws Exception;
    }

    @Test
    @Order(1)
    void sigkillCoordinator() throws Exception {
        scenario("sigkill-coordinator", 1, at -> {
            cluster.processes.kill(ChaosCluster.coordinator(1));
            return Map.of();
        });
    }

    @Test
    @Order(2)
    void sigkillAgentMidStep() throws Exception {
        scenario("sigkill-agent-mid-step", 1, at -> {
            String victim = ChaosCluster.agent(1);
            awaitStepRunningOn(victim);
            cluster.processes.kill(victim);
            return Map.of();
        });
    }

    @Test
    @Order(3)
    void sigkillScheduler() throws Exception {
        scenario("sigkill-scheduler", 1, at -> {
            cluster.processes.kill(ChaosCluster.scheduler(1));
            return Map.of();
        });
    }

    @Test
    @Order(4)
    void sigkillGateway() throws Exception {
        scenario("sigkill-gateway", 1, at -> {
            cluster.processes.kill(ChaosCluster.gateway(1));
            return Map.of();
        });
    }

    @Test
    @Order(5)
    void sigkillBusiestBroker() throws Exception {
        scenario("sigkill-busiest-broker", 1, at -> {
            int id = cluster.busiestBroker();
            cluster.processes.kill(ChaosCluster.broker(id));
            return Map.of("broker", id);
        });
    }

    @Test
    @Order(6)
    void sigstopCoordinatorPastItsSessionTimeout() throws Exception {
        scenario("sigstop-coordinator", 1, at -> {
            String zombie = ChaosCluster.coordinator(2);
            cluster.processes.freeze(zombie);
            // Past the session timeout, and the other instance has taken the frozen one's runs over.
            awaitInFlightProgress(at, SESSION_TIMEOUT.plusSeconds(2));
            cluster.processes.thaw(zombie);
            long thawedAt = System.currentTimeMillis();
            // The zombie wakes up with its old generation and open transaction: Kafka fences it, it rejoins.
            try {
                Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !cluster.processes.alive(zombie) || cluster.processes.healthy(zombie));
            } catch (ConditionTimeoutException e) {
                // reported: zombie_healthy false
            }
            boolean healthy = cluster.processes.healthy(zombie);
            String logText = Files.readString(Path.of("target", "chaos-" + zombie + ".log"));
            boolean fenced = List.of("ProducerFenced", "TaskMigrated", "InvalidProducerEpoch", "fenced")
                    .stream().anyMatch(logText::contains);
            return Map.of("stopped_ms", thawedAt - at, "zombie_fenced_in_log", fenced, "zombie_healthy_after_thaw", healthy);
        });
    }

    @Test
    @Order(7)
    void sigstopAgentPastItsHeartbeatTimeout() throws Exception {
        scenario("sigstop-agent", 1, at -> {
            String victim = ChaosCluster.agent(2);
            awaitStepRunningOn(victim);
            cluster.processes.freeze(victim);
            long frozenAt = System.currentTimeMillis();
            // The coordinator declares its running attempts lost and dispatches them again.
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !lostAttemptsOf(victim, frozenAt).isEmpty());
            cluster.processes.thaw(victim);
            long thawedAt = System.currentTimeMillis();
            Set<String> lost = lostAttemptsOf(victim, frozenAt);
            // Its late reports (a result, heartbeats) for those attempts come in and are rejected.
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ChaosChecker.rejections(cluster.runEvents(), victim, thawedAt) > 0);
            } catch (ConditionTimeoutException e) {
                // reported as 0 below
            }
            List<String> acceptedLate = cluster.runEvents().stream().map(ChaosCluster.Seen::value)
                    .filter(e -> e.getPayload() instanceof StepSucceeded s && lost.contains(s.getAttemptId()))
                    .map(e -> e.getRunId() + "/" + e.getStepKey()).toList();
            assertThat(acceptedLate).as("results of attempts declared lost were accepted").isEmpty();
            return Map.of("lost_attempts", lost.size(), "late_reports_rejected", ChaosChecker.rejections(cluster.runEvents(), victim, thawedAt));
        });
    }

    @Test
    @Order(8)
    void restartOfEverythingAtOnce() throws Exception {
        List<String> all = new ArrayList<>(ChaosCluster.brokers());
        all.add("registry");
        all.addAll(ChaosCluster.components());
        scenario("restart-all-components", all.size(), at -> {
            // Everything at once: the three brokers (same data directories), the registry and the 8 components.
            cluster.processes.killAll(all);
            // Back in the order a supervisor with dependencies brings them: the brokers together (each node's start
            // waits for the controller quorum), the registry once they are up, then the 8 components together.
            for (String broker : ChaosCluster.brokers()) {
                cluster.processes.restart(broker);
            }
            cluster.awaitBrokers();
            cluster.processes.restart("registry");
            cluster.processes.awaitHealthy(List.of("registry"), ChaosCluster.START_TIMEOUT);
            for (String name : ChaosCluster.components()) {
                cluster.processes.restart(name);
            }
            return Map.of("killed", all);
        });
    }

    @Test
    @Order(9)
    void combinedFaults() throws Exception {
        scenario("combined", 4, at -> {
            int id = cluster.busiestBroker();
            String agent = ChaosCluster.agent(1);
            awaitStepRunningOn(agent);
            cluster.processes.kill(ChaosCluster.coordinator(1));
            cluster.processes.kill(agent);
            cluster.processes.kill(ChaosCluster.gateway(2));
            cluster.processes.kill(ChaosCluster.broker(id));
            return Map.of("broker", id);
        });
    }

    private void scenario(String name, int faults, Fault fault) throws Exception {
        String loadBefore = ChaosCluster.loadAverage();
        long firstRequested = load.requested();
        long t0 = System.currentTimeMillis();
        awaitRequested(WINDOW_RUNS);
        long faultAt = System.currentTimeMillis();
        Map<String, Object> details = new LinkedHashMap<>();
        long recoveryMs;
        long restoreFrom = faultAt;
        try {
            details.putAll(fault.inject(faultAt));
            try {
                recoveryMs = awaitInFlightProgress(faultAt, Duration.ZERO);
            } catch (ConditionTimeoutException e) {
                recoveryMs = -1; // reported in the line, then failed below
                System.out.println("chaos: " + name + ": a run in flight at the fault had no event within " + RECOVERY_TIMEOUT);
            }
        } finally {
            restoreFrom = System.currentTimeMillis();
            restore();
        }
        long restoredAt = System.currentTimeMillis();
        awaitRequested(WINDOW_RUNS);
        long cutoff = System.currentTimeMillis();

        // Every run asked for before the cut-off ends (or the wait gives up, and the missing ones count as lost).
        ChaosChecker.Expected expected = ChaosChecker.expected(load, cluster.runRequests(), cutoff);
        try {
            Awaitility.await().atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() ->
                    ChaosChecker.unfinished(expected, ChaosChecker.Log.of(cluster.runEvents())).stream()
                            .allMatch(judgedLost::contains));
        } catch (ConditionTimeoutException e) {
            // counted below
        }
        ChaosChecker.Log log = ChaosChecker.Log.of(cluster.runEvents());
        judgedLost.addAll(ChaosChecker.unfinished(expected, log));
        Map<String, String> shown = readModelStatuses(ChaosChecker.finishedRuns(expected, log));
        ChaosChecker.Verdict v = ChaosChecker.verdict(expected, log, cluster.runRequests(), shown::get);

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("scenario", name);
        line.put("runs", v.runs());
        line.put("faults", faults);
        line.put("lost", v.lost());
        line.put("duplicated", v.duplicated());
        line.put("recovery_ms", recoveryMs);
        line.put("not_succeeded", v.notSucceeded());
        line.put("duplicated_runs_per_key", v.duplicatedRunsPerKey());
        line.put("tick_requests_duplicated", v.tickRequestsDuplicated());
        line.put("sensor_requests_duplicated", v.sensorRequestsDuplicated());
        line.put("tick_gaps", v.tickGaps());
        line.put("replay_checked", v.replayChecked());
        line.put("replay_mismatches", v.replayMismatches());
        line.put("scenario_requested", load.requested() - firstRequested);
        line.put("refused_triggers", load.refused().size());
        line.put("before_runs_per_s", round(log.completionsPerSecond(t0, faultAt)));
        line.put("after_runs_per_s", round(log.completionsPerSecond(restoredAt, cutoff)));
        line.put("report_rejections", ChaosChecker.rejections(cluster.runEvents(), null, faultAt));
        line.putAll(details);
        line.put("load_avg_before", loadBefore);
        line.put("load_avg_after", ChaosCluster.loadAverage());
        // Where the scenario's wall time went: restore (restart, health, full replication), settle and checks.
        line.put("restore_ms", restoredAt - restoreFrom);
        line.put("scenario_wall_ms", System.currentTimeMillis() - t0);
        String json = GatewayHttp.JSON.writeValueAsString(line);
        System.out.println(json);
        Files.writeString(Path.of("target", "chaos-results.jsonl"), json + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);

        assertThat(recoveryMs).as("every run in flight at the fault has moved on within %s (-1: not)", RECOVERY_TIMEOUT)
                .isNotNegative();
        assertThat(v.lost()).as("lost runs: %s", v.examples()).isZero();
        assertThat(v.notSucceeded()).as("runs not SUCCEEDED: %s", v.examples()).isZero();
        assertThat(v.duplicated()).as("duplicated accepted results: %s", v.examples()).isZero();
        assertThat(v.duplicatedRunsPerKey()).as("more than one run per run key: %s", v.examples()).isZero();
        assertThat(v.tickRequestsDuplicated() + v.sensorRequestsDuplicated()).as("requests per tick / sensor record: %s", v.examples()).isZero();
        assertThat(v.tickGaps()).as("ticks without a run: %s", v.examples()).isZero();
        assertThat(v.replayMismatches()).as("replay vs read model: %s", v.examples()).isZero();
        assertThat(v.replayChecked()).isEqualTo(v.runs());
        assertThat(load.refused()).as("triggers no gateway accepted").isEmpty();
    }

    /** Brings every process back: thaws, restarts what is not running, waits for health and full replication. */
    private void restore() throws Exception {
        for (String name : cluster.processes.names()) {
            if (cluster.processes.alive(name)) {
                cluster.processes.thaw(name); // no-op for a running process
            } else {
                cluster.processes.restart(name);
            }
        }
        for (String name : cluster.processes.names()) {
            cluster.processes.awaitHealthy(name, Duration.ofMinutes(4));
        }
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(cluster::fullyReplicated);
    }

    private void awaitRequested(int runs) {
        long mark = load.requested();
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> load.requested() >= mark + runs);
    }

    /**
     * Waits until every run in flight at {@code faultAtMs} (requested, not ended) has had an event after it, and at least
     * {@code atLeast} has passed; returns the longest such wait: how long the slowest run stood still.
     */
    private long awaitInFlightProgress(long faultAtMs, Duration atLeast) {
        AtomicLong recovery = new AtomicLong(-1);
        Awaitility.await().atMost(RECOVERY_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (System.currentTimeMillis() - faultAtMs < atLeast.toMillis()) {
                return false;
            }
            Map<String, Long> firstAfter = new HashMap<>();
            Set<String> inFlight = new HashSet<>();
            Set<String> ended = new HashSet<>();
            for (var s : cluster.runEvents()) {
                String run = s.value().getRunId();
                if (s.seenAtMs() < faultAtMs) {
                    inFlight.add(run);
                    if (ChaosChecker.terminal(s.value()) != null) {
                        ended.add(run);
                    }
                } else {
                    firstAfter.putIfAbsent(run, s.seenAtMs());
                }
            }
            inFlight.removeAll(ended);
            if (!firstAfter.keySet().containsAll(inFlight)) {
                return false;
            }
            recovery.set(inFlight.stream().mapToLong(r -> firstAfter.get(r) - faultAtMs).max().orElse(0));
            return true;
        });
        return recovery.get();
    }

    /** Waits until an attempt has started on {@code agent} and not ended yet. */
    private void awaitStepRunningOn(String agent) {
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Set<String> started = new HashSet<>();
            Set<String> ended = new HashSet<>();
            for (var s : cluster.runEvents()) {
                switch (s.value().getPayload()) {
                    case StepStarted st when agent.equals(st.getAgentId()) -> started.add(st.getAttemptId());
                    case StepSucceeded x -> ended.add(x.getAttemptId());
                    case StepFailed x -> ended.add(x.getAttemptId());
                    default -> { }
                }
            }
            started.removeAll(ended);
            return !started.isEmpty();
        });
    }

    /** Attempts started on {@code agent} that the coordinator declared lost after {@code sinceMs}. */
    private Set<String> lostAttemptsOf(String agent, long sinceMs) {
        List<ChaosCluster.Seen<RunEvent>> seen = cluster.runEvents();
        Set<String> onAgent = seen.stream().map(ChaosCluster.Seen::value)
                .filter(e -> e.getPayload() instanceof StepStarted st && agent.equals(st.getAgentId()))
                .map(e -> ((StepStarted) e.getPayload()).getAttemptId()).collect(Collectors.toSet());
        return seen.stream().filter(s -> s.seenAtMs() >= sinceMs).map(ChaosCluster.Seen::value)
                .filter(e -> e.getPayload() instanceof StepLost l && onAgent.contains(l.getAttemptId()))
                .map(e -> ((StepLost) e.getPayload()).getAttemptId()).collect(Collectors.toSet());
    }

    /** {@link #readModelStatus} of every run, four asked at a time (the replay check covers every run of the suite). */
    private Map<String, String> readModelStatuses(List<String> runIds) throws Exception {
        Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (String id : runIds) {
                pool.execute(() -> out.put(id, readModelStatus(id)));
            }
        }
        return out;
    }

    /** The run's status in a gateway's read model, once it shows the run ended (it may trail the log by a moment). */
    private String readModelStatus(String runId) {
        String last = "unreachable";
        long deadline = System.currentTimeMillis() + 15_000;
        for (int k = 0; System.currentTimeMillis() < deadline; k++) {
            try {
                last = cluster.http.status(cluster.gatewayUrls.get(k % 2), cluster.token, runId);
                if (GatewayHttp.finished(last)) {
                    return last;
                }
            } catch (java.io.IOException e) {
                // the other gateway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
        }
        return last;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
