package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.events.AgentReport;
import dev.baton.events.ErrorClass;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.LogBatch;
import dev.baton.events.RunAction;
import dev.baton.events.StepCommand;
import dev.baton.events.StepFailedReport;
import dev.baton.events.StepSucceededReport;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ${{ secrets.NAME }}} on a real agent with the file and Vault providers: values reach the step's script,
 * environment, request and handler, never its logs, outputs or reports; a missing or refused secret fails the
 * attempt as SECRET_MISSING (not retryable) and counts as a credential failure; a rotated file is used by the next
 * attempt without a restart.
 */
@WithKafka
class SecretsTest {
    static final String FILE_PW = "file-pw-9f3k2Q";
    static final String VAULT_PW = "vault-pw-7x1qZ";
    static final String VAULT_TOKEN = "vault-root-token-1";

    private static AgentHarness h;
    private static Agent agent;
    private static HttpServer server;
    private static Path secretsDir;
    private static volatile boolean vaultDenies;
    private static final List<String> vaultTokensSeen = new CopyOnWriteArrayList<>();
    private static final List<String> hookHeaders = new CopyOnWriteArrayList<>();
    private static final List<String> hookPaths = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(TestCluster cluster) throws IOException {
        secretsDir = Files.createTempDirectory("agent-secrets");
        Files.writeString(secretsDir.resolve("FILE_PW"), FILE_PW + "\n");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // A KV v2 entry secret/data/team/app, as HashiCorp Vault answers it.
        server.createContext("/v1/secret/data/team/app", ex -> {
            String token = ex.getRequestHeaders().getFirst("X-Vault-Token");
            vaultTokensSeen.add(String.valueOf(token));
            boolean ok = !vaultDenies && VAULT_TOKEN.equals(token);
            byte[] body = (ok ? "{\"data\": {\"data\": {\"VAULT_PW\": \"" + VAULT_PW + "\"}, \"metadata\": {\"version\": 2}}}"
                    : "{\"errors\": [\"permission denied\"]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ok ? 200 : 403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/hook", ex -> {
            hookHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            hookPaths.add(ex.getRequestURI().getPath());
            byte[] body = "{\"echo\": \"ok\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        h = new AgentHarness(cluster, "secrets");
        agent = h.startAgent(Map.of(
                AgentConfig.SECRETS_PROVIDERS, "file,vault",
                AgentConfig.SECRETS_FILE_DIR, secretsDir.toString(),
                AgentConfig.SECRETS_VAULT_ADDRESS, "http://127.0.0.1:" + server.getAddress().getPort(),
                AgentConfig.SECRETS_VAULT_TOKEN, VAULT_TOKEN,
                AgentConfig.SECRETS_VAULT_PATH, "team/app"));
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private static String hook(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook" + path;
    }

    @Test
    void aRunStepGetsSecretsInItsScriptAndEnvAndTheValuesNeverLeaveTheAgent() {
        String script = """
                echo "script sees ${{ secrets.FILE_PW }}"
                echo "env sees $PW"
                echo "pw=$PW" >> "$BATON_OUTPUT"
                echo "len=${#PW}" >> "$BATON_OUTPUT"
                test "$PW" = "${{ secrets.VAULT_PW }}"
                echo "oops ${{secrets.FILE_PW}}" >&2
                """;
        StepCommand cmd = h.execute("default", new RunAction(script, "bash", Map.of("PW", "${{ secrets.VAULT_PW }}"), null));
        StepSucceededReport s = h.succeeded(cmd);
        assertThat(s.getOutputs()).containsEntry("pw", "***").containsEntry("len", String.valueOf(VAULT_PW.length()));
        assertThat(h.logText(cmd)).contains("STDOUT script sees ***", "STDOUT env sees ***", "STDERR oops ***");
        assertNoValueIn(h.reportsOf(cmd.getAttemptId()), logsOf(cmd));
        assertThat(vaultTokensSeen).contains(VAULT_TOKEN);
    }

    @Test
    void anHttpStepSendsSecretsInHeadersAndUrlAndLogsOnlyMasks() {
        StepCommand cmd = h.execute("default", HttpAction.newBuilder().setMethod("POST").setUrl(hook("/${{ secrets.FILE_PW }}"))
                .setHeaders(Map.of("Authorization", "Bearer ${{ secrets.VAULT_PW }}"))
                .setBody("{\"pw\": \"${{ secrets.FILE_PW }}\"}").setExpectStatus(List.of()).setOutputs(Map.of()).build());
        h.succeeded(cmd);
        assertThat(hookHeaders).contains("Bearer " + VAULT_PW);
        assertThat(hookPaths).contains("/hook/" + FILE_PW);
        assertThat(h.logText(cmd)).anyMatch(l -> l.endsWith("/hook/***"));
        assertNoValueIn(h.reportsOf(cmd.getAttemptId()), logsOf(cmd));
    }

    @Test
    void aJavaStepGetsSecretsInItsConfigAndWhatItReportsIsMasked() {
        StepCommand cmd = h.execute("default", new JavaAction("echo", Map.of("asset", "warehouse/${{ secrets.FILE_PW }}")));
        StepSucceededReport s = h.succeeded(cmd);
        assertThat(s.getMaterializations()).singleElement().satisfies(m -> assertThat(m.getAssetKey()).isEqualTo("warehouse/***"));
        assertNoValueIn(h.reportsOf(cmd.getAttemptId()), logsOf(cmd));
    }

    @Test
    void aMissingSecretFailsTheAttemptAsSecretMissingNotRetryableAndCountsAsACredentialFailure() {
        double before = credentialFailures("file+vault", "missing");
        StepCommand cmd = h.execute("default", new RunAction("echo ${{ secrets.NOT_ANYWHERE }}", "bash", Map.of(), null));
        StepFailedReport f = h.failed(cmd);
        assertThat(f.getErrorClass()).isEqualTo(ErrorClass.SECRET_MISSING);
        assertThat(f.getRetryable()).isFalse();
        assertThat(f.getMessage()).contains("secret NOT_ANYWHERE not found")
                .contains(secretsDir.resolve("NOT_ANYWHERE").toString()).contains("Vault KV entry secret/team/app");
        assertThat(credentialFailures("file+vault", "missing")).isEqualTo(before + 1);
    }

    @Test
    void aSecretVaultRefusesIsACredentialFailureOfTheVaultProvider() {
        double before = credentialFailures("vault", "denied");
        vaultDenies = true;
        try {
            StepCommand cmd = h.execute("default", new RunAction("echo", "bash", Map.of("X", "${{ secrets.VAULT_PW }}"), null));
            StepFailedReport f = h.failed(cmd);
            assertThat(f.getErrorClass()).isEqualTo(ErrorClass.SECRET_MISSING);
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getMessage()).contains("VAULT_PW").contains("HTTP 403");
        } finally {
            vaultDenies = false;
        }
        assertThat(credentialFailures("vault", "denied")).isEqualTo(before + 1);
    }

    @Test
    void aRotatedSecretFileIsUsedByTheNextAttemptWithoutARestart() throws IOException {
        Files.writeString(secretsDir.resolve("ROTATING"), "before-rotation-1");
        HttpAction call = HttpAction.newBuilder().setUrl(hook("/rot")).setHeaders(Map.of("Authorization", "${{ secrets.ROTATING }}"))
                .setExpectStatus(List.of()).setOutputs(Map.of()).setBody(null).setMethod("GET").build();
        h.succeeded(h.execute("default", call));
        assertThat(hookHeaders).contains("before-rotation-1");

        Path tmp = secretsDir.resolve(".ROTATING.tmp");
        Files.writeString(tmp, "after-rotation-2");
        Files.move(tmp, secretsDir.resolve("ROTATING"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        h.succeeded(h.execute("default", call));
        assertThat(hookHeaders).contains("after-rotation-2");
    }

    private double credentialFailures(String provider, String reason) {
        Counter c = agent.meterRegistry().find("baton.agent.credential.failures").tag("provider", provider).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private static List<LogBatch> logsOf(StepCommand cmd) {
        return h.logs.stream().filter(b -> b.getAttemptId().equals(cmd.getAttemptId())).toList();
    }

    /** Avro's toString renders every field of every record: no value may show up in any of them. */
    private static void assertNoValueIn(List<AgentReport> reports, List<LogBatch> logs) {
        assertThat(reports).isNotEmpty();
        assertThat(logs).isNotEmpty();
        for (Object o : List.of(reports, logs)) {
            assertThat(o.toString()).doesNotContain(FILE_PW).doesNotContain(VAULT_PW).doesNotContain(VAULT_TOKEN);
        }
    }
}
