package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.Origin;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.RunSucceeded;
import dev.baton.events.StepStarted;
import dev.baton.events.StepSucceeded;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every component scaled out as separate JVM processes of the real {@code baton} commands against one real broker
 * and the real HTTP registry: two coordinators, two schedulers, two gateways and agents of two pools ("eu", "us").
 * Runs requested alternately through both gateways all succeed, each pool's steps executed only by that pool's
 * agent; a job registered through one gateway is runnable through the other; a schedule firing every second yields
 * exactly one run per tick across the two schedulers; after a SIGKILL of one coordinator mid-load (coordinators with
 * a standby replica each) every run still succeeds with no duplicated accepted result per (run, step, attempt); and
 * after a SIGKILL of the scheduler firing that schedule, the survivor fires every tick, still exactly once each.
 */
// In the slow group (./mvnw verify -Pslow): eight JVMs on a 2-core machine take minutes to start and settle, and the
// coordinator failover waits out the killed instance's session timeout (10 s) and open transactions.
@Tag("slow")
@WithKafka
class ScaleOutEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REGIONAL = """
            name: regional
            steps:
              - { key: eu_extract, pool: eu, sleep: 300ms }
              - { key: us_extract, pool: us, sleep: 300ms }
              - { key: eu_load, pool: eu, needs: [eu_extract, us_extract], noop: {} }
              - { key: us_load, pool: us, needs: [eu_extract, us_extract], noop: {} }
            """;
    static final String TICKER = """
            name: ticker
            schedules:
              - { name: every_second, every: 1s, catchUp: ALL }
            steps:
              - { key: tick, pool: eu, noop: {} }
            """;
    static final Map<String, String> POOL_OF_STEP = Map.of("eu_extract", "eu", "eu_load", "eu", "us_extract", "us",
            "us_load", "us");

    @TempDir Path dir;
    final GatewayHttp gateways = new GatewayHttp();
    final Map<String, Process> processes = new LinkedHashMap<>();

    @Test
    void twoOfEveryComponentShareTheWorkAndSurviveTheLossOfACoordinator(TestCluster cluster) throws Exception {
        Topics topics = cluster.createTopics(cluster.newTopics("scaleout"), List.of("eu", "us"));
        Path tokens = dir.resolve("tokens");
        String token = ApiTokens.createInFiles(tokens, null, "admin", Role.ADMIN).token();
        List<String> common = List.of("--bootstrap-servers", cluster.bootstrapServers(), "--registry-url", cluster.registryUrl(),
                "--set", "topic.prefix=" + topics.prefix(),
                // One broker: no cluster-size probe at start (under load it can outlast its timeout).
                "--set", "topic.replication.factor=1");
        try (TopicProbe<RunEvent> events = TopicProbe.avro(cluster, topics.runEvents(), RunEvent.class);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            // Two of everything on one machine: each instance its own state directory, metrics port, HTTP port,
            // instance id (docs/operations.md, "Two or more of every component"). Started one after the other (each
            // healthy before the next) so eight JVM start-ups do not starve each other on a small machine.
            List<Integer> metrics = new ArrayList<>();
            Map<String, Integer> schedulerMetrics = new LinkedHashMap<>();
            for (int i = 1; i <= 2; i++) {
                int m = freePort();
                metrics.add(m);
                start("coordinator-" + i, common, "coordinator", "--metrics-port", String.valueOf(m),
                        "--set", "coordinator.state.dir=" + dir.resolve("coordinator-" + i),
                        "--set", "coordinator.threads=1",
                        // A warm copy of every store on the other instance: the failover below restores nothing.
                        "--set", "coordinator.standby.replicas=1",
                        "--set", "coordinator.heartbeat.timeout.ms=10000");
                awaitHealthy(m);
            }
            for (int i = 1; i <= 2; i++) {
                int m = freePort();
                metrics.add(m);
                schedulerMetrics.put("scheduler-" + i, m);
                start("scheduler-" + i, common, "scheduler", "--metrics-port", String.valueOf(m),
                        "--set", "scheduler.state.dir=" + dir.resolve("scheduler-" + i),
                        "--set", "scheduler.instance.id=scheduler-" + i);
                awaitHealthy(m);
            }
            for (String pool : List.of("eu", "us")) {
                int m = freePort();
                metrics.add(m);
                start("agent-" + pool, common, "agent", "--pool", pool, "--region", pool, "--slots", "8",
                        "--metrics-port", String.valueOf(m), "--set", "agent.id=agent-" + pool,
                        "--set", "agent.work.dir=" + dir.resolve("work-" + pool));
                awaitHealthy(m);
            }
            List<Integer> gateways = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                int port = freePort();
                gateways.add(port);
                start("gateway-" + i, common, "gateway", "--set", "gateway.port=" + port,
                        "--set", "gateway.state.dir=" + dir.resolve("gateway-" + i),
                        "--set", "gateway.application.id=" + topics.prefix() + "gateway-" + i,
                        "--set", "gateway.tokens.file=" + tokens);
                awaitHealthy(port);
            }
            int gwA = gateways.get(0);
            int gwB = gateways.get(1);

            // Job registration is correct across gateways: registered through A, seen and runnable through B.
            HttpResponse<String> reg = call(gwA, token, "POST", "/api/v1/jobs", "application/yaml", REGIONAL);
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(
                    () -> call(gwB, token, "GET", "/api/v1/jobs/regional", null, null).statusCode() == 200);
            HttpResponse<String> regTicker = call(gwB, token, "POST", "/api/v1/jobs", "application/yaml", TICKER);
            assertThat(regTicker.statusCode()).as(regTicker.body()).isEqualTo(201);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(
                    () -> call(gwA, token, "GET", "/api/v1/jobs/ticker", null, null).statusCode() == 200);

            // Runs requested alternately through both gateways all succeed.
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(trigger(i % 2 == 0 ? gwA : gwB, token, "regional"));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertThat(awaitFinished(i % 2 == 0 ? gwB : gwA, token, runs.get(i))).as(runs.get(i)).isEqualTo("SUCCEEDED");
            }

            // Load, then one coordinator is SIGKILLed while runs are in flight: its partitions move to the other.
            List<String> underFault = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                underFault.add(trigger(i % 2 == 0 ? gwA : gwB, token, "regional"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                    events.values().stream().anyMatch(e -> underFault.contains(e.getRunId()) && e.getPayload() instanceof StepStarted));
            Process victim = processes.get("coordinator-1");
            victim.destroyForcibly().waitFor(); // SIGKILL: no shutdown, open transactions left to time out
            for (int i = 0; i < 8; i++) {
                underFault.add(trigger(i % 2 == 0 ? gwA : gwB, token, "regional"));
            }
            List<String> all = new ArrayList<>(runs);
            all.addAll(underFault);
            Awaitility.await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> {
                var succeeded = events.values().stream().filter(e -> e.getPayload() instanceof RunSucceeded)
                        .map(RunEvent::getRunId).collect(Collectors.toSet());
                return succeeded.containsAll(all);
            });
            for (String run : underFault) {
                assertThat(status(gwA, token, run)).as(run).isEqualTo("SUCCEEDED");
            }

            List<RunEvent> ours = events.values().stream().filter(e -> all.contains(e.getRunId())).toList();
            // No duplicated accepted result per (run, step, attempt), and each step succeeded exactly once.
            Map<String, Long> accepted = ours.stream().filter(e -> e.getPayload() instanceof StepSucceeded)
                    .collect(Collectors.groupingBy(e -> e.getRunId() + "/" + e.getStepKey() + "#"
                            + ((StepSucceeded) e.getPayload()).getAttempt(), Collectors.counting()));
            assertThat(accepted).hasSize(all.size() * POOL_OF_STEP.size());
            assertThat(new TreeSet<>(accepted.values())).containsExactly(1L);
            // Each pool's steps were executed only by that pool's agent.
            for (RunEvent e : ours) {
                if (e.getPayload() instanceof StepStarted s) {
                    assertThat(s.getAgentId()).as(e.getRunId() + "/" + e.getStepKey())
                            .isEqualTo("agent-" + POOL_OF_STEP.get(e.getStepKey()));
                }
            }

            // The scheduler that fires the ticker (its tick counter moves) is SIGKILLed: the survivor takes the schedule
            // over after the session timeout and fires every tick from there on, the missed ones included (catchUp ALL).
            Map<String, Long> before = new LinkedHashMap<>();
            schedulerMetrics.forEach((name, port) -> before.put(name, tickerTicks(port)));
            String owner = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (var e : schedulerMetrics.entrySet()) {
                    if (tickerTicks(e.getValue()) >= before.get(e.getKey()) + 2) {
                        return e.getKey();
                    }
                }
                return null;
            }, java.util.Objects::nonNull);
            String survivor = schedulerMetrics.keySet().stream().filter(n -> !n.equals(owner)).findFirst().orElseThrow();
            long survivorTicksBefore = tickerTicks(schedulerMetrics.get(survivor));
            processes.get(owner).destroyForcibly().waitFor(); // SIGKILL: its open transaction is left to abort
            Instant killed = Instant.now();
            System.out.printf("SIGKILLed %s (it fired the ticker, %d ticks); %s survives%n", owner,
                    before.get(owner), survivor);
            // A tick due 5 s after the kill can only have been fired by the survivor.
            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
                    scheduleRequests(requests).stream().anyMatch(r -> tickOf(r).isAfter(killed.plusSeconds(5))));
            assertThat(tickerTicks(schedulerMetrics.get(survivor))).as("ticks fired by the surviving %s", survivor)
                    .isGreaterThan(survivorTicksBefore);

            // Exactly one run request per schedule tick across the two schedulers (the coordinator failover, and the
            // scheduler failover), with no tick missing between the first and the last.
            assertThat(scheduleRequests(requests).size()).isGreaterThanOrEqualTo(10);
            List<RunRequest> ticks = scheduleRequests(requests);
            Map<String, Long> perKey = ticks.stream().collect(Collectors.groupingBy(RunRequest::getRunKey, Collectors.counting()));
            assertThat(perKey.values()).as("run requests per tick: %s", perKey).allMatch(n -> n == 1L);
            // Run key schedule:<job>/<schedule>@<tick instant>
            TreeSet<Instant> tickTimes = ticks.stream().map(ScaleOutEndToEndTest::tickOf)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(tickTimes).hasSize(ticks.size());
            long span = Duration.between(tickTimes.first(), tickTimes.last()).toSeconds();
            assertThat(tickTimes).as("one tick per second from %s to %s", tickTimes.first(), tickTimes.last())
                    .hasSize((int) span + 1);
        } finally {
            for (var e : processes.entrySet()) {
                e.getValue().destroy();
            }
            for (var e : processes.entrySet()) {
                if (!e.getValue().waitFor(30, TimeUnit.SECONDS)) {
                    e.getValue().destroyForcibly().waitFor();
                }
            }
        }
    }

    private static List<RunRequest> scheduleRequests(TopicProbe<RunRequest> requests) {
        return requests.records().stream().map(ConsumerRecord::value)
                .filter(r -> r.getOrigin() == Origin.SCHEDULE && "ticker".equals(r.getJob())).toList();
    }

    /** The due time of a schedule run request, from its run key {@code schedule:<job>/<schedule>@<tick instant>}. */
    private static Instant tickOf(RunRequest r) {
        return Instant.parse(r.getRunKey().substring(r.getRunKey().indexOf('@') + 1));
    }

    /** The ticker's ticks this scheduler fired since it started (its /metrics), 0 if it fired none or is gone. */
    private long tickerTicks(int metricsPort) {
        try {
            String body = call(metricsPort, null, "GET", "/metrics", null, null).body();
            return Math.round(body.lines()
                    .filter(l -> l.startsWith("baton_scheduler_ticks_total{") && l.contains("job=\"ticker\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
        } catch (Exception e) {
            return 0;
        }
    }

    private void start(String name, List<String> common, String command, String... args) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Baton.class.getName(), command));
        cmd.addAll(common);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                // Kept under target/ (not the temp dir) so a failure can be read after the test.
                .redirectOutput(Path.of("target", "scaleout-" + name + ".log").toFile())
                .start();
        processes.put(name, p);
    }

    private void awaitHealthy(int port) {
        Awaitility.await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).until(() -> {
            processes.forEach((name, p) -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException(name + " exited; see cli/target/scaleout-" + name + ".log");
                }
            });
            try {
                return call(port, null, "GET", "/health", null, null).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false; // not listening yet
            }
        });
    }

    private String trigger(int port, String token, String job) throws Exception {
        HttpResponse<String> r = call(port, token, "POST", "/api/v1/jobs/" + job + "/runs", "application/json", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("runId").asText();
    }

    private String status(int port, String token, String runId) throws Exception {
        return gateways.status("http://127.0.0.1:" + port, token, runId);
    }

    private String awaitFinished(int port, String token, String runId) {
        return Awaitility.await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200)).until(
                () -> status(port, token, runId), st -> st.equals("SUCCEEDED") || st.equals("FAILED") || st.equals("CANCELED"));
    }

    private HttpResponse<String> call(int port, String token, String method, String path, String type, String body) throws Exception {
        return gateways.call("http://127.0.0.1:" + port, token, method, path, type, body);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
