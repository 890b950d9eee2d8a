package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.ReportRejected;
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
            // (61 s on a quiet machine; 299 s at load 34-40 with other benchmarks running: hence 8 minutes)
            Awaitility.await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    ChaosChecker.Log.of(cluster.runEvents()).terminal().values().stream().filter("SUCCEEDED"::equals).count() >= 20);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no 20 runs succeeded within 8 minutes of load: " + progress(), e);
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
            awaitSlowStepRunningOn(victim);
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
            Path stateDir = cluster.dir.resolve(zombie);
            cluster.processes.freeze(zombie);
            Map<String, Object> out = new LinkedHashMap<>();
            // What the zombie had open in Kafka when it froze (an Ongoing transaction: writes Kafka must not let it
            // commit later), and what became of it while it slept (the transaction timeout aborts it, bumping the epoch).
            out.put("zombie_txns_at_freeze", transactions(stateDir));
            // Past the session timeout, and the other instance has taken the frozen one's runs over.
            awaitInFlightProgress(at, SESSION_TIMEOUT.plusSeconds(2));
            out.put("zombie_txns_before_thaw", transactions(stateDir));
            Path logFile = Path.of("target", "chaos-" + zombie + ".log");
            long logBefore = Files.size(logFile);
            cluster.processes.thaw(zombie);
            long thawedAt = System.currentTimeMillis();
            // The zombie wakes up with its old generation (and an aborted transaction if it had one open): Kafka
            // refuses what it tries to write or commit, and it rejoins the group.
            try {
                Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !cluster.processes.alive(zombie) || cluster.processes.healthy(zombie));
            } catch (ConditionTimeoutException e) {
                // reported: zombie_healthy false
            }
            out.put("stopped_ms", thawedAt - at);
            out.put("zombie_healthy_after_thaw", cluster.processes.healthy(zombie));
            out.put("zombie_txns_after_thaw", transactions(stateDir));
            // Only what the zombie logged after it woke up: which refusal Kafka gave it, if any.
            String after;
            try (var in = Files.newInputStream(logFile)) {
                in.skipNBytes(logBefore);
                after = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            List<String> refusals = List.of("ProducerFencedException", "InvalidProducerEpochException", "TaskMigratedException",
                    "CommitFailedException", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "FENCED_INSTANCE_ID", "TransactionAbortedException")
                    .stream().filter(after::contains).toList();
            out.put("zombie_refused_after_thaw", refusals);
            out.put("zombie_fenced_in_log", !refusals.isEmpty());
            return out;
        });
    }

    /** {@link ChaosCluster#transactionsOf}, or why it could not be read (reported, never failing the scenario). */
    private List<String> transactions(Path stateDir) {
        try {
            return cluster.transactionsOf(stateDir);
        } catch (Exception e) {
            return List.of("not read: " + e);
        }
    }

    /** Freezes of the agent that may find it holding no attempt (it ended just before) before the scenario gives up. */
    static final int AGENT_FREEZE_TRIES = 4;

    @Test
    @Order(7)
    void sigstopAgentPastItsHeartbeatTimeout() throws Exception {
        scenario("sigstop-agent", 1, at -> {
            String victim = ChaosCluster.agent(2);
            Map<String, Object> out = new LinkedHashMap<>();
            Set<String> lost = Set.of();
            Set<String> held = Set.of();
            long frozenAt = 0;
            int tries = 0;
            while (lost.isEmpty() && tries < AGENT_FREEZE_TRIES) {
                tries++;
                awaitSlowStepRunningOn(victim);
                // The log trails the agent by the coordinator's backlog (seconds under load: a 5 s step the log shows
                // started may be over on the agent), so the agent's own count of running steps decides the moment:
                // freeze right after it says it runs at least one (it cannot finish one once frozen).
                AtomicLong running = new AtomicLong();
                Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    running.set((long) cluster.processes.gauge(victim, "baton_agent_steps_running"));
                    return running.get() >= 1;
                });
                cluster.processes.freeze(victim);
                out.put("running_on_agent_at_freeze", running.get());
                frozenAt = System.currentTimeMillis();
                // The log as of the freeze: the attempts the agent holds are those it started with no outcome yet.
                cluster.awaitRunEventsCaughtUp(Duration.ofSeconds(30));
                held = openAttemptsOn(victim);
                // The coordinator declares them lost once their heartbeat deadline passed; an attempt whose result the
                // agent sent just before the freeze (still on its way through the coordinator) ends instead. Given up
                // early only when, 20 s after the freeze (time for the start of a step running at the freeze to reach
                // the log), the log shows no attempt open on the agent at all.
                long since = frozenAt;
                Set<String> watched = held;
                try {
                    Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                            !lostAttemptsOf(victim, since).isEmpty()
                                    || System.currentTimeMillis() - since > 20_000 && openAttemptsOn(victim).isEmpty());
                } catch (ConditionTimeoutException e) {
                    // reported below: held, none lost
                }
                lost = lostAttemptsOf(victim, frozenAt);
                if (lost.isEmpty()) {
                    System.out.println("chaos: sigstop-agent: freeze " + tries + " caught " + held.size()
                            + " open attempt(s) of " + victim + " and none was declared lost (" + outcomes(watched)
                            + ", " + (System.currentTimeMillis() - frozenAt) + " ms after the freeze; started by another agent too: "
                            + startsByOthers(watched, victim) + "); thawing and trying again");
                    cluster.processes.thaw(victim);
                }
            }
            out.put("freezes", tries);
            out.put("held_attempts_at_freeze", held.size());
            out.put("lost_attempts", lost.size());
            out.put("lost_ms_after_freeze", lost.isEmpty() ? -1 : lostSeenAt(lost) - frozenAt);
            if (lost.isEmpty()) {
                throw new AssertionError(tries + " freezes of " + victim + " past its heartbeat timeout, none made an attempt"
                        + " of it lost (held at the last freeze: " + held + ")");
            }
            cluster.processes.thaw(victim);
            long thawedAt = System.currentTimeMillis();
            Set<String> lostIds = lost;
            // Its late reports (the result, heartbeats) of those attempts come in and are rejected.
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> lateReports(lostIds, thawedAt).stream().anyMatch(r -> r.getReportType().equals("SUCCEEDED")
                                || r.getReportType().equals("FAILED")));
            } catch (ConditionTimeoutException e) {
                // reported below
            }
            List<ReportRejected> late = lateReports(lostIds, thawedAt);
            out.put("late_reports_rejected", late.size());
            out.put("late_results_rejected", late.stream().filter(r -> !r.getReportType().equals("HEARTBEAT")).count());
            out.put("late_rejection_reasons", late.stream().map(r -> r.getReportType() + ":" + r.getRejectionType())
                    .distinct().sorted().toList());
            // Another agent that reported a start for an attempt of the frozen one (refused: the step was RUNNING
            // there) ran the same command: its acknowledgement had not left the frozen agent (docs/reliability.md).
            out.put("lost_attempts_started_by_another_agent", startsByOthers(lostIds, victim));
            // A result of a lost attempt accepted: its success, or a failure other than the coordinator's own record
            // of the loss (StepFailed with error class LOST, appended with the StepLost).
            out.put("late_results_accepted", cluster.runEvents().stream().map(ChaosCluster.Seen::value)
                    .filter(e -> e.getPayload() instanceof StepSucceeded x && lostIds.contains(x.getAttemptId())
                            || e.getPayload() instanceof StepFailed y && lostIds.contains(y.getAttemptId())
                                    && y.getErrorClass() != dev.baton.events.ErrorClass.LOST)
                    .count());
            return out;
        }, details -> {
            assertThat((Long) details.get("late_results_accepted")).as("results of attempts declared lost were accepted").isZero();
            assertThat((Long) details.get("late_results_rejected")).as("late results of the lost attempts rejected").isPositive();
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
            awaitSlowStepRunningOn(agent);
            cluster.processes.kill(ChaosCluster.coordinator(1));
            cluster.processes.kill(agent);
            cluster.processes.kill(ChaosCluster.gateway(2));
            cluster.processes.kill(ChaosCluster.broker(id));
            return Map.of("broker", id);
        });
    }

    private void scenario(String name, int faults, Fault fault) throws Exception {
        scenario(name, faults, fault, details -> { });
    }

    /**
     * One scenario; {@code faultChecks} are the fault's own assertions on what it reported, made after the line is
     * printed. Whatever fails (the fault step itself, the restore, the checks) the line is printed first, naming it.
     */
    private void scenario(String name, int faults, Fault fault, java.util.function.Consumer<Map<String, Object>> faultChecks)
            throws Exception {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("scenario", name);
        line.put("runs", null);
        line.put("faults", faults);
        line.put("lost", null);
        line.put("duplicated", null);
        line.put("recovery_ms", null);
        Map<String, Object> details = new LinkedHashMap<>();
        Throwable faultError = null;
        ChaosChecker.Verdict v = null;
        long recoveryMs = -1;
        long t0 = System.currentTimeMillis();
        try {
            String loadBefore = ChaosCluster.loadAverage();
            long firstRequested = load.requested();
            awaitRequested(WINDOW_RUNS);
            long faultAt = System.currentTimeMillis();
            long restoreFrom;
            try {
                details.putAll(fault.inject(faultAt));
                try {
                    recoveryMs = awaitInFlightProgress(faultAt, Duration.ZERO);
                } catch (ConditionTimeoutException e) {
                    recoveryMs = -1; // reported in the line, then failed below
                    System.out.println("chaos: " + name + ": a run in flight at the fault had no event within " + RECOVERY_TIMEOUT);
                }
            } catch (Exception | AssertionError e) {
                faultError = e; // the fault step did not do what it must: reported in the line, the checks still run
                System.out.println("chaos: " + name + ": the fault step failed: " + e);
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
            v = ChaosChecker.verdict(expected, log, cluster.runRequests(), shown::get);

            line.put("runs", v.runs());
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
        } catch (Exception | AssertionError e) {
            line.putAll(details);
            line.put("error", e.toString());
            printLine(line, t0, faultError);
            throw e;
        }
        printLine(line, t0, faultError);

        if (faultError != null) {
            throw new AssertionError(name + ": the fault step failed (its line says fault_error)", faultError);
        }
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
        faultChecks.accept(details);
    }

    /** Prints the scenario's line and appends it to target/chaos-results.jsonl (with the fault step's error, if any). */
    private static void printLine(Map<String, Object> line, long t0, Throwable faultError) throws java.io.IOException {
        if (faultError != null) {
            line.put("fault_error", faultError.toString());
        }
        line.put("scenario_wall_ms", System.currentTimeMillis() - t0);
        String json = GatewayHttp.JSON.writeValueAsString(line);
        System.out.println(json);
        Files.writeString(Path.of("target", "chaos-results.jsonl"), json + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
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

    /** Waits until the log shows a 5 s step of the load ({@link LoadDriver#SLOW}) started on {@code agent} and not ended. */
    private void awaitSlowStepRunningOn(String agent) {
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.runEvents().stream().map(ChaosCluster.Seen::value)
                        .filter(e -> e.getStepKey() != null && LoadDriver.SLOW_STEPS.contains(e.getStepKey()))
                        .filter(e -> e.getPayload() instanceof StepStarted st && agent.equals(st.getAgentId()))
                        .map(e -> ((StepStarted) e.getPayload()).getAttemptId())
                        .anyMatch(openAttemptsOn(agent)::contains));
    }

    /** The attempts the log shows started on {@code agent} without an outcome (succeeded, failed, lost, timed out, canceled). */
    private Set<String> openAttemptsOn(String agent) {
        Set<String> started = new HashSet<>();
        Set<String> ended = new HashSet<>();
        for (var s : cluster.runEvents()) {
            switch (s.value().getPayload()) {
                case StepStarted st when agent.equals(st.getAgentId()) -> started.add(st.getAttemptId());
                case StepSucceeded x -> ended.add(x.getAttemptId());
                case StepFailed x -> ended.add(x.getAttemptId());
                case StepLost x -> ended.add(x.getAttemptId());
                case dev.baton.events.StepTimedOut x -> ended.add(x.getAttemptId());
                case dev.baton.events.StepCanceled x -> ended.add(x.getAttemptId());
                default -> { }
            }
        }
        started.removeAll(ended);
        return started;
    }

    /** How each of {@code attempts} ended in the log (event kind and when the reader saw it), for messages. */
    private String outcomes(Set<String> attempts) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (var s : cluster.runEvents()) {
            String id = switch (s.value().getPayload()) {
                case StepSucceeded x -> x.getAttemptId();
                case StepFailed x -> x.getAttemptId();
                case StepLost x -> x.getAttemptId();
                default -> null;
            };
            if (id != null && attempts.contains(id)) {
                out.putIfAbsent(id, s.value().getStepKey() + " " + s.value().getPayload().getClass().getSimpleName() + " seen at " + s.seenAtMs());
            }
        }
        return out.toString();
    }

    /** The attempts among {@code attempts} whose start another agent than {@code agent} reported (a refused STARTED). */
    private List<String> startsByOthers(Set<String> attempts, String agent) {
        return cluster.runEvents().stream().map(ChaosCluster.Seen::value)
                .filter(e -> e.getPayload() instanceof ReportRejected r && attempts.contains(r.getAttemptId())
                        && "STARTED".equals(r.getReportType()) && !agent.equals(r.getAgentId()))
                .map(e -> ((ReportRejected) e.getPayload()).getAttemptId() + " by " + ((ReportRejected) e.getPayload()).getAgentId())
                .distinct().toList();
    }

    /** When the test's reader first saw a StepLost of one of {@code attempts}. */
    private long lostSeenAt(Set<String> attempts) {
        return cluster.runEvents().stream()
                .filter(s -> s.value().getPayload() instanceof StepLost l && attempts.contains(l.getAttemptId()))
                .mapToLong(ChaosCluster.Seen::seenAtMs).min().orElse(-1);
    }

    /** The rejected reports of {@code attempts} seen at or after {@code fromMs}. */
    private List<ReportRejected> lateReports(Set<String> attempts, long fromMs) {
        return cluster.runEvents().stream().filter(s -> s.seenAtMs() >= fromMs).map(ChaosCluster.Seen::value)
                .filter(e -> e.getPayload() instanceof ReportRejected r && attempts.contains(r.getAttemptId()))
                .map(e -> (ReportRejected) e.getPayload()).toList();
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
