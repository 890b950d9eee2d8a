package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.events.AgentReport;
import dev.baton.events.ErrorClass;
import dev.baton.events.HttpAction;
import dev.baton.events.IntValue;
import dev.baton.events.JavaAction;
import dev.baton.events.LogStream;
import dev.baton.events.NoopAction;
import dev.baton.events.RunAction;
import dev.baton.events.SleepAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepHeartbeatReport;
import dev.baton.events.StepStartedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.events.TextValue;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each step kind end to end: command on the pool's topic → agent → reports and logs. */
@WithKafka
class StepKindsTest {
    private static AgentHarness h;
    private static Agent agent;
    private static HttpServer server;
    private static final Map<String, String> seen = new ConcurrentHashMap<>();

    @BeforeAll
    static void start(TestCluster cluster) throws IOException {
        h = new AgentHarness(cluster, "kinds");
        agent = h.startAgent(Map.of(AgentConfig.OUTPUT_MAX_BYTES, 1024));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/json", ex -> {
            seen.put("method", ex.getRequestMethod());
            seen.put("header", String.valueOf(ex.getRequestHeaders().getFirst("X-Token")));
            seen.put("attempt", String.valueOf(ex.getRequestHeaders().getFirst("Baton-Attempt-Id")));
            seen.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"data\": {\"id\": 42, \"name\": \"x\", \"tags\": [\"a\", \"b\"]}}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(201, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/status", ex -> {
            int status = Integer.parseInt(ex.getRequestURI().getQuery().substring("code=".length()));
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (h != null) {
            h.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void noopStepReportsStartedThenSucceededWithTheCommandsIdentity() {
        StepCommand cmd = h.execute("default", new NoopAction());
        h.succeeded(cmd);
        List<AgentReport> reports = h.reportsOf(cmd.getAttemptId());
        assertThat(reports.getFirst().getReport()).isInstanceOf(StepStartedReport.class);
        assertThat(reports.getLast().getReport()).isInstanceOf(StepSucceededReport.class);
        for (AgentReport r : reports) {
            assertThat(r.getRunId()).isEqualTo(cmd.getRunId());
            assertThat(r.getTraceId()).isEqualTo(cmd.getTraceId());
            assertThat(r.getStepKey()).isEqualTo("step");
            assertThat(r.getAttempt()).isEqualTo(1);
            assertThat(r.getAgentId()).isEqualTo(agent.agentId());
        }
        StepStartedReport started = (StepStartedReport) reports.getFirst().getReport();
        assertThat(started.getRegion()).isEqualTo("test-region");
        assertThat(started.getHost()).isNotBlank();
    }

    @Test
    void sleepStepHeartbeatsWhileItRuns() {
        StepCommand cmd = h.execute("default", new SleepAction(1_200L), b -> b.setHeartbeatIntervalMs(200));
        StepSucceededReport s = h.succeeded(cmd);
        assertThat(s.getDurationMs()).isGreaterThanOrEqualTo(1_200L);
        List<AgentReport> reports = h.reportsOf(cmd.getAttemptId());
        assertThat(reports.stream().filter(r -> r.getReport() instanceof StepHeartbeatReport).count()).isGreaterThanOrEqualTo(3);
        assertThat(reports.getLast().getReport()).isInstanceOf(StepSucceededReport.class);
    }

    @Test
    void runStepGetsParamsInputsAndEnvAndReturnsOutputsFromItsOutputFile() {
        String script = """
                echo "hello $BATON_PARAM_WHO"
                echo "to stderr" >&2
                echo "who=$BATON_PARAM_WHO" >> "$BATON_OUTPUT"
                echo "upstream=$BATON_INPUT_EXTRACT_ROWS" >> "$BATON_OUTPUT"
                echo "custom=$CUSTOM" >> "$BATON_OUTPUT"
                echo "ids=$BATON_RUN_ID|$BATON_STEP|$BATON_ATTEMPT|$BATON_ATTEMPT_ID|$BATON_JOB" >> "$BATON_OUTPUT"
                echo "cwd=$(pwd)" >> "$BATON_OUTPUT"
                { echo "report<<EOF"; echo "line 1"; echo "line 2"; echo "EOF"; } >> "$BATON_OUTPUT"
                echo '{"asset": "raw/events", "metadata": {"rows": 7}}' >> "$BATON_MATERIALIZATIONS"
                """;
        StepCommand cmd = h.execute("default", RunAction.newBuilder().setScript(script).setEnv(Map.of("CUSTOM", "c1")).build(),
                b -> b.setParams(Map.of("who", "world")).setInputs(Map.of("extract", Map.of("rows", "12"))));
        StepSucceededReport s = h.succeeded(cmd);
        assertThat(s.getOutputs())
                .containsEntry("who", "world")
                .containsEntry("upstream", "12")
                .containsEntry("custom", "c1")
                .containsEntry("ids", cmd.getRunId() + "|step|1|" + cmd.getAttemptId() + "|test-job")
                .containsEntry("report", "line 1\nline 2");
        assertThat(s.getOutputs().get("cwd")).startsWith(agent.config().workDir().toString());
        assertThat(s.getMaterializations()).singleElement().satisfies(m -> {
            assertThat(m.getAssetKey()).isEqualTo("raw/events");
            assertThat(m.getMetadata()).containsEntry("rows", new IntValue(7L));
        });
        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(h.logText(cmd))
                .contains("STDOUT hello world", "STDERR to stderr"));
    }

    @Test
    void outputsOfOneStepBecomeInputsOfTheNext() {
        StepCommand first = h.execute("default", new RunAction("echo \"rows=$((6 * 7))\" >> $BATON_OUTPUT", "bash", Map.of(), null));
        Map<String, String> outputs = h.succeeded(first).getOutputs();
        // The coordinator passes upstream outputs as inputs (by step key); here the test plays it.
        StepCommand second = h.execute("default", new RunAction("echo \"double=$((BATON_INPUT_STEP_ROWS * 2))\" >> $BATON_OUTPUT",
                "bash", Map.of(), null), b -> b.setInputs(Map.of(first.getStepKey(), outputs)));
        assertThat(h.succeeded(second).getOutputs()).containsEntry("double", "84");
    }

    @Test
    void runStepWithNonZeroExitFailsAsRetryableUserError() {
        StepCommand cmd = h.execute("default", new RunAction("echo oops >&2; exit 3", "bash", Map.of(), null));
        StepFailedReport f = h.failed(cmd);
        assertThat(f.getErrorClass()).isEqualTo(ErrorClass.USER_ERROR);
        assertThat(f.getExitCode()).isEqualTo(3);
        assertThat(f.getRetryable()).isTrue();
        assertThat(f.getMessage()).contains("exit code 3").contains("oops");
    }

    @Test
    void defaultShellsStopAtTheFirstFailingCommandOrPipelineStage() {
        StepCommand sequence = h.execute("default", RunAction.newBuilder().setScript("false; echo ok >> $BATON_OUTPUT").build());
        StepCommand pipeline = h.execute("default", new RunAction("false | true\necho ok >> $BATON_OUTPUT", "bash", Map.of(), null));
        StepCommand posix = h.execute("default", new RunAction("false; echo ok >> $BATON_OUTPUT", "sh", Map.of(), null));
        for (StepCommand cmd : List.of(sequence, pipeline, posix)) {
            StepFailedReport f = h.failed(cmd);
            assertThat(f.getErrorClass()).isEqualTo(ErrorClass.USER_ERROR);
            assertThat(f.getExitCode()).isEqualTo(1);
            assertThat(f.getRetryable()).isTrue();
        }
    }

    @Test
    void aShellWrittenOutWithItsScriptPlaceholderRunsExactlyAsWritten() {
        StepCommand optOut = h.execute("default", new RunAction("false; false | true; echo ok=yes >> $BATON_OUTPUT", "bash {0}", Map.of(), null));
        assertThat(h.succeeded(optOut).getOutputs()).containsEntry("ok", "yes");
    }

    @Test
    void outputsOverTheSizeCapFailTheStep() {
        StepCommand cmd = h.execute("default", new RunAction("head -c 2000 /dev/zero | tr '\\0' x | sed 's/^/big=/' >> $BATON_OUTPUT",
                "bash", Map.of(), null));
        StepFailedReport f = h.failed(cmd);
        assertThat(f.getErrorClass()).isEqualTo(ErrorClass.USER_ERROR);
        assertThat(f.getRetryable()).isFalse();
        assertThat(f.getMessage()).contains("agent.output.max.bytes").contains("1024");
    }

    @Test
    void stepTimeoutKillsTheProcessAndReportsTimeout() throws Exception {
        Path pidFile = AgentHarness.tempDir().resolve("pid");
        StepCommand cmd = h.execute("default", new RunAction("sleep 300 & echo $! > " + pidFile + "; wait", "bash", Map.of(), null),
                b -> b.setTimeoutMs(1_000L));
        StepFailedReport f = h.failed(cmd);
        assertThat(f.getErrorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(f.getRetryable()).isTrue();
        long sleepPid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(sleepPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void httpStepSendsTheRequestAndExtractsOutputsWithJsonPointers() {
        StepCommand cmd = h.execute("default", HttpAction.newBuilder()
                .setMethod("POST")
                .setUrl(url("/json"))
                .setHeaders(Map.of("X-Token", "t0ken"))
                .setBody("{\"q\": 1}")
                .setOutputs(Map.of("id", "/data/id", "name", "/data/name", "tags", "/data/tags"))
                .build());
        StepSucceededReport s = h.succeeded(cmd);
        assertThat(s.getOutputs()).containsEntry("id", "42").containsEntry("name", "x").containsEntry("tags", "[\"a\",\"b\"]");
        assertThat(seen).containsEntry("method", "POST").containsEntry("header", "t0ken").containsEntry("body", "{\"q\": 1}")
                .containsEntry("attempt", cmd.getAttemptId());
        assertThat(h.logText(cmd)).noneMatch(l -> l.contains("t0ken"));
    }

    @Test
    void httpStatusDecidesSuccessAndRetryability() {
        StepCommand unavailable = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=503")).build());
        StepCommand notFound = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=404")).build());
        StepCommand expected404 = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=404"))
                .setExpectStatus(List.of(404)).build());
        StepCommand refused = h.execute("default", HttpAction.newBuilder().setUrl("http://127.0.0.1:1/nothing").build());

        StepFailedReport f503 = h.failed(unavailable);
        assertThat(f503.getErrorClass()).isEqualTo(ErrorClass.USER_ERROR);
        assertThat(f503.getRetryable()).isTrue();
        assertThat(f503.getMessage()).contains("503");
        StepFailedReport f404 = h.failed(notFound);
        assertThat(f404.getRetryable()).isFalse();
        h.succeeded(expected404);
        assertThat(h.failed(refused).getRetryable()).isTrue();
    }

    @Test
    void httpStepRefusedForItsCredentialsCountsAsACredentialFailure() {
        double before = httpDenied();
        StepCommand unauthorized = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=401")).build());
        StepCommand forbidden = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=403")).build());
        StepCommand notFound = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=404")).build());
        StepCommand expected401 = h.execute("default", HttpAction.newBuilder().setUrl(url("/status?code=401"))
                .setExpectStatus(List.of(401)).build());
        assertThat(h.failed(unauthorized).getMessage()).contains("401");
        assertThat(h.failed(forbidden).getMessage()).contains("403");
        h.failed(notFound);
        h.succeeded(expected401);
        assertThat(httpDenied()).as("401 and 403 unexpected; not 404, not an expected 401").isEqualTo(before + 2);
    }

    private double httpDenied() {
        var c = agent.meterRegistry().find("baton.agent.credential.failures").tag("provider", "http").tag("reason", "denied").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void javaStepRunsAServiceLoadedHandler() {
        StepCommand cmd = h.execute("default", new JavaAction("echo", Map.of("asset", "warehouse/orders")),
                b -> b.setParams(Map.of("name", "ada")).setInputs(Map.of("up", Map.of("x", "1"))));
        StepSucceededReport s = h.succeeded(cmd);
        assertThat(s.getOutputs()).containsEntry("param.name", "ada").containsEntry("input.up.x", "1")
                .containsEntry("attemptId", cmd.getAttemptId());
        assertThat(s.getOutputRefs()).containsEntry("report", "s3://bucket/" + cmd.getRunId());
        assertThat(s.getMaterializations()).singleElement().satisfies(m -> {
            assertThat(m.getAssetKey()).isEqualTo("warehouse/orders");
            assertThat(m.getPartition()).isEqualTo("p1");
            assertThat(m.getMetadata()).containsEntry("rows", new IntValue(3L)).containsEntry("source", new TextValue("echo"));
        });
        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(h.logLines(cmd))
                .anySatisfy(l -> {
                    assertThat(l.getStream()).isEqualTo(LogStream.STDOUT);
                    assertThat(l.getText()).isEqualTo("hello ada from attempt 1");
                })
                .anySatisfy(l -> assertThat(l.getStream()).isEqualTo(LogStream.STDERR)));
    }

    @Test
    void javaHandlersChooseRetryability() {
        StepCommand permanent = h.execute("default", new JavaAction("fail", Map.of("mode", "permanent")));
        StepCommand temporary = h.execute("default", new JavaAction("fail", Map.of("mode", "temporary")));
        StepCommand crash = h.execute("default", new JavaAction("fail", Map.of("mode", "crash")));
        StepCommand unknown = h.execute("default", new JavaAction("no-such-handler", Map.of()));

        StepFailedReport p = h.failed(permanent);
        assertThat(p.getErrorClass()).isEqualTo(ErrorClass.USER_ERROR);
        assertThat(p.getRetryable()).isFalse();
        assertThat(p.getMessage()).contains("bad input");
        assertThat(h.failed(temporary).getRetryable()).isTrue();
        assertThat(h.failed(crash).getRetryable()).isTrue();
        StepFailedReport u = h.failed(unknown);
        assertThat(u.getErrorClass()).isEqualTo(ErrorClass.INFRASTRUCTURE);
        assertThat(u.getMessage()).contains("no-such-handler").contains("echo");
    }

    @Test
    void metricsAreExposed() {
        h.succeeded(h.execute("default", new NoopAction()));
        String scrape = agent.meterRegistry().scrape();
        assertThat(scrape).contains("baton_agent_steps_running", "baton_agent_slots_free", "baton_agent_step_duration_seconds",
                "baton_agent_dispatch_to_start_seconds", "baton_agent_failures_total", "baton_agent_log_lines_dropped_total");
        assertThat(scrape).contains("baton_agent_info{agent=").contains("kafka_producer_record_send_total");
        assertThat(agent.meterRegistry().get("baton.agent.log.lines.dropped").counter().count()).isZero();
        // The command loop's rounds: the poll that returned the command, and its settle (started report written).
        var registry = agent.meterRegistry();
        assertThat(registry.get("baton.agent.commands.per.poll").summary().totalAmount()).isGreaterThanOrEqualTo(1);
        assertThat(registry.get("baton.agent.command.loop").tag("phase", "poll").timer().count()).isPositive();
        assertThat(registry.get("baton.agent.command.loop").tag("phase", "settle").timer().count()).isPositive();
        assertThat(registry.get("baton.agent.command.loop").tag("phase", "settle").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                .isPositive();
        assertThat(scrape).contains("baton_agent_command_loop_seconds_count{agent=", "phase=\"slots\"", "baton_agent_commands_per_poll_count");
    }

}
