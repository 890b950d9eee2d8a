package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code baton bench backfill}: a backfill of 50,000 hourly partitions (500 with {@code --quick}) of a two-step no-op
 * job, through the gateway's API, on a fresh stack: broker, registry and agent in this JVM, the coordinator and the
 * gateway each in its own. Prints the progress line every few seconds, then partitions completed per second, the wall
 * time, and per process its resident memory (now and at most) and, for the coordinator and the gateway, the heap in use
 * after a full GC before and after the backfill, next to a raw-Kafka floor measured on the same broker (one record
 * produced with acks=all and consumed per partition). Experiments: {@code -Dbench.backfill.partitions=N},
 * {@code -Dbench.backfill.max-concurrent=N} (default 256).
 */
final class BackfillBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BackfillBench() {}

    static Map<String, Object> run(PrintStream out, boolean quick) throws Exception {
        int partitions = Integer.getInteger("bench.backfill.partitions", quick ? 500 : 50_000);
        int maxConcurrent = Integer.getInteger("bench.backfill.max-concurrent", 256);
        LocalDateTime start = LocalDateTime.of(2020, 1, 1, 0, 0);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
        String job = """
                name: bench_backfill
                partitions:
                  hourly: { start: "%s", end: "%s" }
                steps:
                  - { key: s1, noop: {} }
                  - { key: s2, needs: [s1], noop: {} }
                """.formatted(start.format(f), start.plusHours(partitions).format(f));
        ApiTokens.NewToken admin = ApiTokens.create("bench", Role.ADMIN);
        Map<String, Object> r = new LinkedHashMap<>();
        // The coordinator and the gateway each in its own JVM (512 MiB heap), so each one's memory is measured; the
        // broker, the registry and the agent share this one.
        try (BenchStack stack = new BenchStack(false, 64)) {
            RawKafkaFloor.Bulk floorRun = RawKafkaFloor.bulk(stack.broker.bootstrapServers(), partitions, RawKafkaFloor.DEFAULT_VALUE_BYTES);
            double floor = floorRun.recordsPerSecond();
            out.println("  " + floorRun.describe());
            Process coordinator = stack.coordinatorProcess("bench-coordinator");
            stack.services.add(() -> stop(coordinator));
            BenchStack.Component gatewayProc = stack.gatewayProcess(admin.envValue());
            stack.services.add(() -> stop(gatewayProc.process()));
            Map<String, Process> components = new LinkedHashMap<>();
            components.put("coordinator", coordinator);
            components.put("gateway", gatewayProc.process());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + gatewayProc.phases().get("port") + "/api/v1";
            long deadline = System.currentTimeMillis() + 120_000;
            HttpResponse<String> reg;
            do { // the read model and the job registry come up after the port
                reg = send(http, "POST", base + "/jobs", admin.token(), "application/yaml", job);
                if (reg.statusCode() != 201) {
                    Thread.sleep(500);
                }
            } while (reg.statusCode() != 201 && System.currentTimeMillis() < deadline);
            if (reg.statusCode() != 201) {
                throw new IllegalStateException("cannot register the job: " + reg.statusCode() + " " + reg.body());
            }
            Map<String, Long> heapBefore = heapAfterGcKb(components);
            String id = "bench-" + UUID.randomUUID();
            long t0 = System.nanoTime();
            HttpResponse<String> bf;
            // Until the gateway's read model shows the job (404) and is ready (503 "retry shortly" while it starts or
            // rebalances): a client retries both.
            do {
                bf = send(http, "POST", base + "/jobs/bench_backfill/backfills", admin.token(), "application/json",
                        "{\"backfillId\": \"" + id + "\", \"maxConcurrent\": " + maxConcurrent + "}");
                if (bf.statusCode() == 404 || bf.statusCode() == 503) {
                    Thread.sleep(200);
                }
            } while ((bf.statusCode() == 404 || bf.statusCode() == 503) && System.nanoTime() - t0 < 60_000_000_000L);
            if (bf.statusCode() != 202) {
                throw new IllegalStateException("backfill refused: " + bf.statusCode() + " " + bf.body());
            }
            JsonNode b;
            long lastPrint = 0;
            while (true) {
                b = JSON.readTree(send(http, "GET", base + "/backfills/" + id, admin.token(), null, null).body()).path("backfill");
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    JsonNode p = b.path("progress");
                    out.printf(Locale.ROOT, "  done %d/%d failed %d running %d remaining %d rate %.1f/s%n", p.path("done").asLong(),
                            p.path("total").asLong(), p.path("failed").asLong(), p.path("running").asLong(),
                            p.path("remaining").asLong(), p.path("ratePerSecond").asDouble());
                    lastPrint = System.nanoTime();
                }
                if ("COMPLETED".equals(b.path("status").asText())) {
                    break;
                }
                Thread.sleep(250);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> heapAfter = heapAfterGcKb(components);
            out.printf(Locale.ROOT, "backfill: %d partitions of a two-step no-op job (max %d in flight) in %.1f s: %.0f partitions/s "
                            + "(raw Kafka floor %.0f records/s, ratio %.4f); outcome %s%n", partitions, maxConcurrent, wall, partitions / wall,
                    floor, partitions / wall / floor, b.path("outcome").asText());
            // Resident memory now and at most (the kernel's high-water mark) per process, and each component's heap
            // after a full GC before and after the backfill: the backfill's own state lives in the gateway.
            Map<String, Object> memory = new LinkedHashMap<>();
            for (var e : components.entrySet()) {
                String pid = String.valueOf(e.getValue().pid());
                memory.put(e.getKey(), Map.of("rss_mib", Bench.rssKb(pid) / 1024, "peak_rss_mib", Bench.procStatusKb(pid, "VmHWM:") / 1024,
                        "heap_before_mib", heapBefore.get(e.getKey()) / 1024, "heap_after_mib", heapAfter.get(e.getKey()) / 1024));
            }
            memory.put("broker_registry_agent", Map.of("rss_mib", Bench.rssKb() / 1024,
                    "peak_rss_mib", Bench.procStatusKb("self", "VmHWM:") / 1024));
            memory.forEach((name, m) -> out.println("  memory, " + name.replace('_', '+') + ": " + m));
            r.put("scenario", "backfill");
            r.put("partitions", partitions);
            r.put("max_concurrent", maxConcurrent);
            r.put("wall_s", wall);
            r.put("partitions_per_s", partitions / wall);
            r.put("raw_kafka_records_per_s", floor);
            r.put("ratio_to_floor", (partitions / wall) / floor);
            r.put("floor", floorRun.json());
            r.put("outcome", b.path("outcome").asText());
            r.put("memory", memory);
        }
        return r;
    }

    /** Each process's heap in use after a full GC, in KiB, through jcmd (GC.run, then GC.heap_info); -1 if unknown. */
    private static Map<String, Long> heapAfterGcKb(Map<String, Process> processes) throws Exception {
        Map<String, Long> kb = new LinkedHashMap<>();
        for (var e : processes.entrySet()) {
            String pid = String.valueOf(e.getValue().pid());
            jcmd(pid, "GC.run");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
            kb.put(e.getKey(), m.find() ? Long.parseLong(m.group(1)) : -1L);
        }
        return kb;
    }

    private static String jcmd(String pid, String command) throws Exception {
        String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, pid, command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token, String type, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
