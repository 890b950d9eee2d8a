package dev.baton.bench;

import dev.baton.events.JobDefinition;
import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.LogStream;
import dev.baton.events.Origin;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequested;
import dev.baton.events.RunStarted;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.schemas.serde.AvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Latency of {@code GET /runs/{id}/logs?tail=100} on a run of 1,000,000 log lines, next to the same read on a run of
 * 20 lines (the floor: what a tail costs when there is nothing to skip). Bounded log reads make the two close; a
 * handler that loads the run's whole log makes the first seconds long. Prints numbers, asserts nothing.
 *
 * <pre>java -cp benchmarks.jar dev.baton.bench.LogTailBench [--quick]</pre>
 */
public final class LogTailBench {
    private LogTailBench() {}

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        Map<String, Object> result = run(quick);
        System.out.println(Bench.json(result));
        System.exit(0);
    }

    static Map<String, Object> run(boolean quick) throws Exception {
        int lines = quick ? 100_000 : 1_000_000;
        int reads = quick ? 100 : 500;
        ApiTokens.NewToken token = ApiTokens.create("bench", Role.VIEWER);
        try (BenchStack stack = new BenchStack(false, 0);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers(),
                     // Large batches: a million lines go out as fast as the broker takes them.
                     ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20),
                     new StringSerializer(), new ByteArraySerializer())) {
            Map<String, Object> gc = new HashMap<>(stack.base());
            gc.put(GatewayConfig.PORT, 0);
            gc.put(GatewayConfig.STATE_DIR, stack.dir.resolve("gateway").toString());
            gc.put(GatewayConfig.TOKENS_ENV, false);
            gc.put("token.bench", token.envValue());
            Gateway gateway = Gateway.start(new GatewayConfig(gc), stack.meters);
            stack.services.add(gateway);
            Map<Class<?>, AvroSerde<?>> serdes = new HashMap<>();
            String big = run(producer, serdes, stack, "bench_big");
            String small = run(producer, serdes, stack, "bench_small");
            write(producer, serdes, stack, small, 20);
            long t0 = System.nanoTime();
            write(producer, serdes, stack, big, lines);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + gateway.port() + "/api/v1/runs/";
            while (!get(http, base + big + "/logs?tail=1", token.token()).contains("\"total\":" + lines)) {
                Thread.sleep(500);
            }
            System.out.printf(Locale.ROOT, "  %d lines written and folded in %.1f s%n", lines, (System.nanoTime() - t0) / 1e9);
            Stats floor = new Stats();
            Stats tail = new Stats();
            for (int i = 0; i < 20; i++) { // warm-up
                get(http, base + small + "/logs?tail=100", token.token());
                get(http, base + big + "/logs?tail=100", token.token());
            }
            for (int i = 0; i < reads; i++) {
                floor.add(timed(http, base + small + "/logs?tail=100", token.token()));
                tail.add(timed(http, base + big + "/logs?tail=100", token.token()));
            }
            System.out.printf(Locale.ROOT, "logs tail=100: %d reads; %d-line run p50 %s ms, p99 %s ms; floor (20-line run) p50 %s ms, "
                    + "p99 %s ms%n", reads, lines, Stats.f(tail.p(50)), Stats.f(tail.p(99)), Stats.f(floor.p(50)), Stats.f(floor.p(99)));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "logs-tail");
            out.put("lines", lines);
            out.put("reads", reads);
            out.put("tailP50Ms", tail.p(50));
            out.put("tailP99Ms", tail.p(99));
            out.put("floorP50Ms", floor.p(50));
            out.put("floorP99Ms", floor.p(99));
            return out;
        }
    }

    private static double timed(HttpClient http, String url, String token) throws Exception {
        long t = System.nanoTime();
        get(http, url, token);
        return (System.nanoTime() - t) / 1e6;
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void send(KafkaProducer<String, byte[]> producer, Map<Class<?>, AvroSerde<?>> serdes, BenchStack stack,
                             String topic, String key, SpecificRecord value) {
        AvroSerde serde = serdes.computeIfAbsent(value.getClass(), c -> AvroSerde.forValues((Class) c, stack.serde()));
        producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value)));
    }

    /** A RUNNING run of a one-step job, from its events. */
    private static String run(KafkaProducer<String, byte[]> producer, Map<Class<?>, AvroSerde<?>> serdes, BenchStack stack, String job) {
        JobDefinition def = Requests.noopJob(job, 1, true);
        String runId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        send(producer, serdes, stack, stack.topics.runEvents(), runId, RunEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRunId(runId).setTimestamp(now).setTraceId("bench").setJob(job).setSequence(1)
                .setPayload(RunRequested.newBuilder().setJob(job).setDefinition(def).setParams(Map.of()).setOrigin(Origin.API).build())
                .build());
        send(producer, serdes, stack, stack.topics.runEvents(), runId, RunEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRunId(runId).setTimestamp(now).setTraceId("bench").setJob(job).setSequence(2).setPayload(new RunStarted()).build());
        return runId;
    }

    /** {@code n} lines of the run's first step, 1 ms apart, in batches of 1,000 (as an agent ships them). */
    private static void write(KafkaProducer<String, byte[]> producer, Map<Class<?>, AvroSerde<?>> serdes, BenchStack stack,
                              String runId, int n) {
        Instant t0 = Instant.now();
        List<LogLine> batch = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            batch.add(new LogLine((long) i, LogStream.STDOUT, t0.plusMillis(i), "line " + i + " of the benchmark's output"));
            if (batch.size() == 1000 || i == n) {
                send(producer, serdes, stack, stack.topics.logs(), runId, LogBatch.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setRunId(runId).setTimestamp(t0).setTraceId("bench").setStepKey("s1").setAttempt(1).setAttemptId("a1")
                        .setAgentId("bench").setLines(batch).build());
                batch = new ArrayList<>();
            }
        }
        producer.flush();
    }
}
