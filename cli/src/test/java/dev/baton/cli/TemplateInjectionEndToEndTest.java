package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 2 through the whole single-machine stack: the injection value {@code x"; touch <file>; echo "} given
 * as a run param (API) and as a field of a Kafka record a trigger maps into params (scheduler) reaches a run script,
 * an http step (url, header, JSON body), a java step and a downstream step (through outputs) as data: no file is
 * created, and the value shows up as literal text in the step logs and at the HTTP server. The same value behind
 * {@code unsafeVerbatimTemplates: true} does run (so the marker check can fail). Typed params are enforced at the API
 * (400 naming the param) and at a Kafka trigger (dead letter naming the param, no run).
 */
class TemplateInjectionEndToEndTest extends StackTestSupport {

    record Received(String rawPath, String header, String body) {}

    private static String job(String name, int port) {
        return """
                name: %s
                params:
                  name: {}
                steps:
                  - key: shell
                    run: |
                      echo "dq:${{ params.name }}:end"
                      echo 'sq:${{ params.name }}:end'
                      echo bare:${{ params.name }}:end
                      echo "out=${{ params.name }}" >> "$BATON_OUTPUT"
                  - key: call
                    http:
                      method: POST
                      url: "http://127.0.0.1:%d/echo/${{ params.name }}?q=${{ params.name }}"
                      headers: { Content-Type: application/json, X-Name: "${{ params.name }}" }
                      body: { name: "${{ params.name }}" }
                      outputs: { name: /name }
                  - key: java
                    java: { handler: config-echo, config: { name: "${{ params.name }}" } }
                  - key: downstream
                    needs: [shell, call, java]
                    run: |
                      echo "from-shell:${{ steps.shell.outputs.out }}:end"
                      echo "from-http:${{ steps.call.outputs.name }}:end"
                      echo "from-java:${{ steps.java.outputs.name }}:end"
                """.formatted(name, port);
    }

    private static final String UNSAFE = """
            name: inject_unsafe
            params:
              name: {}
            steps:
              - key: shell
                run: echo "dq:${{ params.name }}:end"
                unsafeVerbatimTemplates: true
            """;

    private static final String SENSOR = """
            name: inject_sensor
            params:
              name: {}
            triggers:
              - kafka:
                  name: names
                  topic: %s
                  format: JSON
                  params: { name: "${{ trigger.value.name }}" }
            steps:
              - key: shell
                run: echo "sensor:${{ params.name }}:end"
            """;

    private static final String TYPED = """
            name: typed_sensor
            params:
              name: { pattern: "[a-z]+", maxLength: 200 }
              day: { type: date, default: "2026-01-01" }
            triggers:
              - kafka:
                  name: typed_names
                  topic: %s
                  format: JSON
                  params: { name: "${{ trigger.value.name }}" }
            steps:
              - key: shell
                run: echo "typed:${{ params.name }}:end"
            """;

    private List<String> logLines(DevStack s, String runId, String token) throws Exception {
        List<String> lines = new ArrayList<>();
        for (JsonNode item : json(call(s, "GET", "/api/v1/runs/" + runId + "/logs?limit=2000", token, null, null)).path("items")) {
            lines.add(item.path("text").asText());
        }
        return lines;
    }

    private String trigger(DevStack s, String token, String job, String value) throws Exception {
        HttpResponse<String> r = call(s, "POST", "/api/v1/jobs/" + job + "/runs", token, "application/json",
                JSON.writeValueAsString(Map.of("params", Map.of("name", value))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).path("runId").asText();
    }

    private static KafkaProducer<String, String> producer(DevStack s) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    @Test
    void anInjectionValueIsDataOnEveryStepKindAndTypedParamsAreEnforced() throws Exception {
        Path marker = dir.resolve("pwned-" + UUID.randomUUID());
        String value = "x\"; touch " + marker + "; echo \"";
        List<Received> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("X-Name"), body));
            byte[] out = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        try (DevStack s = start()) {
            String admin = s.adminToken();
            int port = server.getAddress().getPort();
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", job("inject_all", port)).statusCode()).isEqualTo(201);

            // 1. A run param given through the API.
            String runId = trigger(s, admin, "inject_all", value);
            assertThat(awaitFinished(s, runId, admin)).isEqualTo("SUCCEEDED");
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logLines(s, runId, admin))
                    .contains("dq:" + value + ":end", "sq:" + value + ":end", "bare:" + value + ":end",
                            "from-shell:" + value + ":end", "from-http:" + value + ":end", "from-java:" + value + ":end")
                    .anySatisfy(l -> assertThat(l).contains("java:" + value + ":end")));
            assertThat(received).singleElement().satisfies(r -> {
                String decoded = URI.create("http://h" + r.rawPath()).getPath();
                assertThat(decoded).isEqualTo("/echo/" + value);
                assertThat(r.rawPath()).doesNotContain(" ").contains("?q=x%22%3B%20touch%20");
                assertThat(r.header()).isEqualTo(value);
                assertThat(JSON.readTree(r.body()).path("name").asText()).isEqualTo(value);
                assertThat(JSON.readTree(r.body()).size()).isEqualTo(1);
            });
            assertThat(marker).doesNotExist();

            // 2. The same value from a field of a Kafka record that a trigger maps into params.
            String topic = "inject.names";
            String typedTopic = "inject.typed";
            Properties ap = new Properties();
            ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
            try (Admin admin2 = Admin.create(ap)) {
                admin2.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(typedTopic, 1, (short) 1))).all().get();
            }
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", SENSOR.formatted(topic)).statusCode()).isEqualTo(201);
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", TYPED.formatted(typedTopic)).statusCode()).isEqualTo(201);
            String record = JSON.writeValueAsString(Map.of("name", value));
            // The sensors start at records at or after the job's registration: keep producing until a run appears.
            try (KafkaProducer<String, String> producer = producer(s)) {
                producer.send(new ProducerRecord<>(typedTopic, "k", record)).get();
                String sensorRun = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    JsonNode items = json(call(s, "GET", "/api/v1/runs?job=inject_sensor", admin, null, null)).path("items");
                    if (items.isEmpty()) {
                        producer.send(new ProducerRecord<>(topic, "k", record)).get();
                        return null;
                    }
                    return items.get(0).path("runId").asText();
                }, id -> id != null);
                assertThat(awaitFinished(s, sensorRun, admin)).isEqualTo("SUCCEEDED");
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(logLines(s, sensorRun, admin)).contains("sensor:" + value + ":end"));
            }
            assertThat(marker).doesNotExist();

            // 3. A Kafka record whose mapped param fails its declaration: a dead letter naming the param, and no run.
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "inject-dlq-" + UUID.randomUUID());
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(cp)) {
                dlq.subscribe(List.of("baton.dlq"));
                List<String> letters = new ArrayList<>();
                Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
                        letters.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                    assertThat(letters).anySatisfy(l -> assertThat(l).contains("INVALID_PARAMS")
                            .contains("typed_names").contains("params.name").contains("does not match the pattern"));
                });
            }
            assertThat(json(call(s, "GET", "/api/v1/runs?job=typed_sensor", admin, null, null)).path("items")).isEmpty();

            // 4. Typed params at the API: 400 naming the param, no run.
            HttpResponse<String> bad = call(s, "POST", "/api/v1/jobs/typed_sensor/runs", admin, "application/json",
                    "{\"params\": {\"name\": \"abc\", \"day\": \"2026-02-30\"}}");
            assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
            assertThat(json(bad).path("problems").get(0).path("path").asText()).isEqualTo("params.day");
            assertThat(json(bad).path("message").asText()).contains("params.day");

            // 5. The opt-in really is unsafe: the same value runs as code (the marker check above can fail).
            assertThat(call(s, "POST", "/api/v1/jobs", admin, "application/yaml", UNSAFE).statusCode()).isEqualTo(201);
            Path unsafeMarker = dir.resolve("unsafe-" + UUID.randomUUID());
            String unsafeRun = trigger(s, admin, "inject_unsafe", "x\"; touch " + unsafeMarker + "; echo \"");
            assertThat(awaitFinished(s, unsafeRun, admin)).isEqualTo("SUCCEEDED");
            assertThat(unsafeMarker).exists();
            assertThat(marker).doesNotExist();
        } finally {
            server.stop(0);
        }
    }
}
