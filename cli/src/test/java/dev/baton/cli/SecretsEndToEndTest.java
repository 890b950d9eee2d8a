package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 1 through the whole single-machine stack (real broker, registry, coordinator, agent, gateway): a
 * run uses secrets in a script, a step env, the job env and an http header and body (against a local fake server);
 * the script echoes them. Afterwards no byte of any topic, and nothing the API returns for the run, its events or
 * its logs, holds a value (the log shows ***). A missing secret fails its step as SECRET_MISSING without a retry, a
 * rotated secret file is used by the next run without a restart, and job files with secrets where values would
 * travel in clear are refused with the path of the problem.
 */
class SecretsEndToEndTest extends StackTestSupport {
    static final String API_TOKEN = "tok-Zr8e1LwqP3";
    static final String ROTATED_TOKEN = "tok-rotated-Yx4Jm";
    static final String BODY_KEY = "bodykey-Mc71Nq";
    static final List<String> VALUES = List.of(API_TOKEN, ROTATED_TOKEN, BODY_KEY);

    static String job(int port) {
        return """
                name: uses_secrets
                env:
                  JOB_TOKEN: "${{ secrets.API_TOKEN }}"
                steps:
                  - key: script
                    run:
                      script: |
                        echo "script sees ${{ secrets.API_TOKEN }}"
                        echo "env sees $TOKEN and $JOB_TOKEN"
                        echo "echoed=$TOKEN" >> "$BATON_OUTPUT"
                        echo "len=${#TOKEN}" >> "$BATON_OUTPUT"
                      env:
                        TOKEN: "${{ secrets.API_TOKEN }}"
                  - key: call
                    needs: [script]
                    http:
                      method: POST
                      url: "http://127.0.0.1:%d/hook"
                      headers: { Authorization: "Bearer ${{ secrets.API_TOKEN }}" }
                      body: { key: "${{ secrets.BODY_KEY }}" }
                """.formatted(port);
    }

    static final String MISSING = """
            name: missing_secret
            steps:
              - key: use
                run: echo "${{ secrets.NOT_SET_ANYWHERE }}"
                retry: { maxAttempts: 3, backoff: PT1S }
            """;

    @Test
    void secretsReachTheStepAndNoValueIsOnAnyTopicOrInTheApi() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("API_TOKEN"), API_TOKEN + "\n");
        Files.writeString(secrets.resolve("body-key"), BODY_KEY); // the Kubernetes spelling of BODY_KEY
        List<String> authorizations = new CopyOnWriteArrayList<>();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        DevStack s = DevStack.start(new DevStack.Settings(dir.resolve("data"), 0, 0, 0, 4,
                Map.of("agent.secrets.providers", "env,file", "agent.secrets.file.dir", secrets.toString())));
        try (s) {
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(s::ready);
            String admin = s.adminToken();
            HttpResponse<String> reg = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", job(hook.getAddress().getPort()));
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);

            String runId = trigger(s, admin, "uses_secrets");
            assertThat(awaitFinished(s, runId, admin)).isEqualTo("SUCCEEDED");
            assertThat(authorizations).containsExactly("Bearer " + API_TOKEN);
            assertThat(JSON.readTree(bodies.getFirst()).path("key").asText()).isEqualTo(BODY_KEY);

            JsonNode script = step(json(call(s, "GET", "/api/v1/runs/" + runId, admin, null, null)), "script");
            assertThat(script.path("outputs").path("echoed").asText()).isEqualTo("***");
            assertThat(script.path("outputs").path("len").asText()).isEqualTo(String.valueOf(API_TOKEN.length()));
            String logs = call(s, "GET", "/api/v1/runs/" + runId + "/logs", admin, null, null).body();
            assertThat(logs).contains("script sees ***").contains("env sees *** and ***");

            // Rotation: the file changes under the running agent; the next run sends the new value.
            Path tmp = secrets.resolve(".API_TOKEN.new");
            Files.writeString(tmp, ROTATED_TOKEN);
            Files.move(tmp, secrets.resolve("API_TOKEN"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            String second = trigger(s, admin, "uses_secrets");
            assertThat(awaitFinished(s, second, admin)).isEqualTo("SUCCEEDED");
            assertThat(authorizations).containsExactly("Bearer " + API_TOKEN, "Bearer " + ROTATED_TOKEN);

            // A missing secret: SECRET_MISSING, not retried although the step allows 3 attempts.
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", MISSING).statusCode()).isEqualTo(201);
            String missing = trigger(s, admin, "missing_secret");
            assertThat(awaitFinished(s, missing, admin)).isEqualTo("FAILED");
            JsonNode use = step(json(call(s, "GET", "/api/v1/runs/" + missing, admin, null, null)), "use");
            assertThat(use.path("attempts").asInt()).as(use.toString()).isEqualTo(1);
            assertThat(use.path("error").path("class").asText()).isEqualTo("SECRET_MISSING");
            assertThat(use.path("error").path("retryable").asBoolean(true)).isFalse();
            assertThat(use.path("error").path("message").asText()).contains("NOT_SET_ANYWHERE");
            String missingEvents = call(s, "GET", "/api/v1/runs/" + missing + "/events", admin, null, null).body();
            assertThat(missingEvents).contains("SECRET_MISSING").doesNotContain("RetryScheduled");
            assertThat(s.meters().find("baton.agent.credential.failures").tag("reason", "missing").counter().count()).isEqualTo(1.0);

            // Validation: secrets where values travel in clear are refused with the path of the problem.
            HttpResponse<String> bad = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", """
                    name: bad_secrets
                    params:
                      token: { default: "${{ secrets.API_TOKEN }}" }
                    steps:
                      - key: a
                        http: { url: "http://127.0.0.1:1/x", outputs: { t: "/${{ secrets.API_TOKEN }}" } }
                    """);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("params.token.default").contains("steps[0].http.outputs.t");

            // Nothing the API says about the runs holds a value.
            for (String id : List.of(runId, second, missing)) {
                for (String path : List.of("", "/events", "/logs")) {
                    HttpResponse<String> r = call(s, "GET", "/api/v1/runs/" + id + path, admin, null, null);
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertNoValue("GET /api/v1/runs/" + id + path, r.body().getBytes(StandardCharsets.UTF_8));
                }
            }
            for (String path : List.of("/api/v1/jobs/uses_secrets", "/api/v1/runs?job=uses_secrets")) {
                assertNoValue(path, call(s, "GET", path, admin, null, null).body().getBytes(StandardCharsets.UTF_8));
            }

            // Nor any byte of any topic, internal ones (changelogs, offsets, transactions, schemas) included.
            int scanned = scanEveryTopic(s.bootstrapServers());
            assertThat(scanned).isGreaterThan(50);
        } finally {
            hook.stop(0);
        }
    }

    String trigger(DevStack s, String token, String job) throws Exception {
        HttpResponse<String> r = call(s, "POST", "/api/v1/jobs/" + job + "/runs", token, "application/json", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).path("runId").asText();
    }

    static JsonNode step(JsonNode run, String key) {
        for (JsonNode st : run.path("steps")) {
            if (st.path("key").asText().equals(key)) {
                return st;
            }
        }
        throw new AssertionError("no step " + key + " in " + run);
    }

    static void assertNoValue(String where, byte[] bytes) {
        for (String v : VALUES) {
            assertThat(indexOf(bytes, v.getBytes(StandardCharsets.UTF_8))).as("%s holds a secret value", where).isEqualTo(-1);
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return -1;
        }
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Reads every partition of every topic from the beginning to its end (uncommitted records too); returns the count. */
    static int scanEveryTopic(String bootstrap) throws Exception {
        Set<String> topics;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        }
        assertThat(topics).contains("baton.run-events", "baton.logs", "baton.agent-reports", "baton.commands.default");
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("enable.auto.commit", false);
        // Aborted transactions' records too: a value must not be anywhere in the log, committed or not.
        config.put("isolation.level", "read_uncommitted");
        int count = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                c.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("reading every topic to its end").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                    assertNoValue(where + " key", r.key());
                    assertNoValue(where + " value", r.value());
                    for (Header h : r.headers()) {
                        assertNoValue(where + " header " + h.key(), h.value());
                    }
                    count++;
                }
            }
            assertThat(parts.stream().map(TopicPartition::topic).collect(Collectors.toSet())).isEqualTo(topics);
        }
        return count;
    }
}
