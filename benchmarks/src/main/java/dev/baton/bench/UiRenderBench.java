package dev.baton.bench;

import dev.baton.events.JobDefinition;
import dev.baton.events.Origin;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequested;
import dev.baton.events.RunStarted;
import dev.baton.events.RunSucceeded;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Role;
import dev.baton.schemas.serde.AvroSerde;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How fast the web UI renders what matters at scale, in headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) against a gateway on a fresh broker:
 * <ul>
 *   <li>the runs page until its first rows show, with 100,000 runs in the read model (written as their events
 *       straight to the run-events topic: requested, started, succeeded, over the last 7 days, 50 jobs);</li>
 *   <li>an asset page until its lineage graph has rendered (two frames painted after the nodes are in the DOM), with
 *       2,000 assets and 5,000 edges all within the page's 3 levels up and down of the asset opened, registered as
 *       7 jobs through the API.</li>
 * </ul>
 * Times are from the navigation's start ({@code performance.now()} in the page, marked by a MutationObserver
 * installed before the page's own scripts run), so WebDriver's polling does not count. Also printed: the longest
 * task that blocked the page's main thread (Long Tasks API) during each load. Prints numbers, asserts nothing.
 *
 * <pre>baton bench ui [--quick]      (or: java -jar benchmarks/target/baton-bench.jar ui [--quick])</pre>
 */
public final class UiRenderBench {
    /** Marks when the selectors first match (after two animation frames: laid out and painted) and the longest task. */
    static final String MARKS = """
            (() => {
              const marks = { longestTaskMs: 0 }; window.__batonMarks = marks;
              const want = { rows: '#runs-table tr[data-run]', lineage: '#lineage a[data-asset]' };
              const check = () => { for (const [k, sel] of Object.entries(want)) {
                if (!(k in marks) && document.querySelector(sel)) {
                  marks[k] = -1;
                  requestAnimationFrame(() => requestAnimationFrame(() => { marks[k] = performance.now(); }));
                } } };
              new MutationObserver(check).observe(document, { subtree: true, childList: true });
              try { new PerformanceObserver(l => { for (const e of l.getEntries()) marks.longestTaskMs = Math.max(marks.longestTaskMs, e.duration); })
                .observe({ type: 'longtask', buffered: true }); } catch (e) { /* no Long Tasks API */ }
            })();
            """;
    /** Assets per lineage level, upstream (-3) to downstream (+3); the middle one is the asset opened. */
    static final int[] LEVELS = {500, 400, 99, 1, 99, 400, 501};
    /** How many upstream assets each asset of a level depends on (level -3 has none). */
    static final int[] FAN_IN = {0, 3, 13, 99, 1, 2, 3};
    /** Level -2's first assets get one more upstream asset each, so there are 5,000 edges in all. */
    static final int EXTRA = 12;

    private final PrintStream out;
    private final boolean quick;

    UiRenderBench(PrintStream out, boolean quick) {
        this.out = out;
        this.quick = quick;
    }

    Map<String, Object> run() throws Exception {
        int runs = Integer.getInteger("bench.ui.runs", quick ? 2_000 : 100_000);
        int reps = quick ? 2 : 5;
        ApiTokens.NewToken token = ApiTokens.create("bench", Role.ADMIN);
        try (BenchStack stack = new BenchStack(false, 0);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers(),
                     // Large batches: 300,000 events go out as fast as the broker takes them.
                     ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20),
                     new StringSerializer(), new ByteArraySerializer())) {
            Map<String, Object> gc = new HashMap<>(stack.base());
            gc.put(GatewayConfig.PORT, 0);
            gc.put(GatewayConfig.STATE_DIR, stack.dir.resolve("gateway").toString());
            gc.put(GatewayConfig.TOKENS_ENV, false);
            gc.put("token.bench", token.envValue());
            Gateway gateway = Gateway.start(new GatewayConfig(gc), stack.meters);
            stack.services.add(gateway);
            String base = "http://127.0.0.1:" + gateway.port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            until(() -> status(http, base + "/health", null) == 200, Duration.ofMinutes(2), "the gateway is healthy");

            long t0 = System.nanoTime();
            List<String> last = seedRuns(producer, stack, runs);
            until(() -> last.stream().allMatch(id -> status(http, base + "/api/v1/runs/" + id, token.token()) == 200),
                    Duration.ofMinutes(20), "the read model shows the runs");
            double ingestSeconds = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "  %,d runs written and folded into the read model in %.1f s%n", runs, ingestSeconds);
            // The same number of records of the same size, produced and consumed by bare clients on the same broker.
            RawKafkaFloor.Bulk ingestFloor = RawKafkaFloor.bulk(stack.broker.bootstrapServers(), runs * 3, RawKafkaFloor.DEFAULT_VALUE_BYTES);
            out.println("  " + ingestFloor.describe());

            t0 = System.nanoTime();
            int edges = registerLineage(http, base, token.token());
            String focus = asset(3, 0);
            int assets = java.util.Arrays.stream(LEVELS).sum();
            final int expectedEdges = edges;
            until(() -> lineageSize(http, base, token.token(), focus).equals(assets + "/" + expectedEdges), Duration.ofMinutes(5),
                    "the lineage API answers " + assets + " assets and " + expectedEdges + " edges");
            out.printf(Locale.ROOT, "  %,d assets and %,d edges registered (7 jobs) in %.1f s%n", assets, edges, (System.nanoTime() - t0) / 1e9);

            Stats pageFloor = new Stats();
            Stats rows = new Stats();
            Stats lineage = new Stats();
            Stats rowsTask = new Stats();
            Stats lineageTask = new Stats();
            long nodes;
            WebDriver d = browser();
            try {
                d.get(base + "/runs?token=" + token.token()); // signs in: the session cookie
                new WebDriverWait(d, Duration.ofSeconds(120)).until(x -> !x.findElements(org.openqa.selenium.By.cssSelector("#runs-table tr[data-run]")).isEmpty());
                ((ChromeDriver) d).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", MARKS));
                for (int i = 0; i <= reps; i++) { // the first of each is a warm-up (caches, JIT), not counted
                    double floorMs = pageFloor(d, base + "/ui/favicon.svg");
                    double[] r = measure(d, base + "/runs", "rows");
                    double[] l = measure(d, base + "/assets/" + focus, "lineage");
                    if (i > 0) {
                        pageFloor.add(floorMs);
                        rows.add(r[0]);
                        rowsTask.add(r[1]);
                        lineage.add(l[0]);
                        lineageTask.add(l[1]);
                    }
                    out.printf(Locale.ROOT, "  %s: runs page first rows %.0f ms (API answered by %.0f ms, longest task %.0f ms); "
                                    + "lineage rendered %.0f ms (API answered by %.0f ms, longest task %.0f ms); "
                                    + "browser floor (a static file of the gateway loaded) %.1f ms%n",
                            i == 0 ? "warm-up" : "load " + i, r[0], r[2], r[1], l[0], l[2], l[1], floorMs);
                }
                nodes = ((Number) ((JavascriptExecutor) d).executeScript("return document.querySelectorAll('#lineage a[data-asset]').length")).longValue();
            } finally {
                d.quit();
            }
            out.printf(Locale.ROOT, "ui: runs page with %,d runs, first rows p50 %s ms, max %s ms; lineage of %,d assets / %,d edges "
                            + "(%,d nodes drawn) rendered p50 %s ms, max %s ms; longest main-thread task: runs %s ms, lineage %s ms%n",
                    runs, Stats.f(rows.p(50)), Stats.f(rows.p(100)), assets, edges, nodes, Stats.f(lineage.p(50)), Stats.f(lineage.p(100)),
                    Stats.f(rowsTask.p(100)), Stats.f(lineageTask.p(100)));
            out.printf(Locale.ROOT, "ui floors (same run): a page load in the same browser p50 %s ms; the runs' %,d records through bare "
                            + "Kafka clients %.1f s against %.1f s written and folded by the read model (%.1fx)%n",
                    Stats.f(pageFloor.p(50)), runs * 3, ingestFloor.seconds(), ingestSeconds, ingestSeconds / Math.max(1e-9, ingestFloor.seconds()));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("scenario", "ui");
            result.put("runs", runs);
            result.put("runs_first_rows_p50_ms", rows.p(50));
            result.put("runs_first_rows_max_ms", rows.p(100));
            result.put("assets", assets);
            result.put("edges", edges);
            result.put("lineage_nodes_drawn", nodes);
            result.put("lineage_rendered_p50_ms", lineage.p(50));
            result.put("lineage_rendered_max_ms", lineage.p(100));
            result.put("runs_longest_task_ms", rowsTask.p(100));
            result.put("browser_floor_p50_ms", pageFloor.p(50));
            result.put("ingest_s", ingestSeconds);
            result.put("floor", ingestFloor.json());
            result.put("lineage_longest_task_ms", lineageTask.p(100));
            return result;
        }
    }

    /** The browser's own floor: a static file of the same gateway loaded (navigation start to load event end), in ms. */
    private static double pageFloor(WebDriver d, String url) {
        d.get(url);
        Object v = ((JavascriptExecutor) d).executeScript(
                "const n = performance.getEntriesByType('navigation')[0]; return n ? n.loadEventEnd || n.responseEnd : 0");
        return ((Number) v).doubleValue();
    }

    /** Loads {@code url} and answers {time of the mark since navigation start, longest main-thread task} in ms. */
    private static double[] measure(WebDriver d, String url, String mark) {
        d.get(url);
        JavascriptExecutor js = (JavascriptExecutor) d;
        new WebDriverWait(d, Duration.ofSeconds(300)).pollingEvery(Duration.ofMillis(50)).until(x -> {
            Object v = js.executeScript("return window.__batonMarks ? window.__batonMarks[arguments[0]] : null", mark);
            return v instanceof Number n && n.doubleValue() > 0;
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> marks = (Map<String, Object>) js.executeScript("return window.__batonMarks");
        // when the page's last API answer had arrived: the rest of the time is the browser's (script, layout, paint)
        Number api = (Number) js.executeScript("return Math.max(0, ...performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes('/api/v1/')).map(e => e.responseEnd))");
        return new double[] {((Number) marks.get(mark)).doubleValue(), ((Number) marks.get("longestTaskMs")).doubleValue(), api.doubleValue()};
    }

    static WebDriver browser() {
        String bin = System.getProperty("chromium.binary", "/usr/bin/chromium");
        String driverBin = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
        if (!Files.isExecutable(Path.of(bin)) || !Files.isExecutable(Path.of(driverBin))) {
            throw new IllegalStateException("the ui benchmark needs Chromium and its driver: " + bin + " and " + driverBin
                    + " (Debian/Ubuntu: apt-get install chromium chromium-driver; or -Dchromium.binary= and -Dchromedriver.binary=)");
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(bin);
        o.addArguments("--headless=new", "--window-size=1280,800", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driverBin).toFile()).build(), o);
    }

    /** Writes each run's requested, started and succeeded events; answers the last 100 run ids written. */
    private static List<String> seedRuns(KafkaProducer<String, byte[]> producer, BenchStack stack, int n) {
        Map<Class<?>, AvroSerde<?>> serdes = new HashMap<>();
        List<JobDefinition> defs = new ArrayList<>();
        for (int j = 0; j < 50; j++) {
            defs.add(Requests.noopJob(String.format(Locale.ROOT, "ui_bench_%02d", j), 1, true));
        }
        Instant start = Instant.now().minus(Duration.ofDays(7));
        long spreadMs = Duration.ofDays(7).toMillis() / Math.max(1, n);
        List<String> last = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JobDefinition def = defs.get(i % defs.size());
            String job = def.getName();
            String runId = UUID.randomUUID().toString();
            Instant at = start.plusMillis(i * spreadMs);
            send(producer, serdes, stack, runId, event(runId, job, 1, at, RunRequested.newBuilder().setJob(job).setDefinition(def)
                    .setParams(Map.of()).setOrigin(i % 3 == 0 ? Origin.SCHEDULE : Origin.API).build()));
            send(producer, serdes, stack, runId, event(runId, job, 2, at.plusMillis(40), new RunStarted()));
            send(producer, serdes, stack, runId, event(runId, job, 3, at.plusMillis(1_040), new RunSucceeded(1_000L)));
            if (i >= n - 100) {
                last.add(runId);
            }
        }
        producer.flush();
        return last;
    }

    private static RunEvent event(String runId, String job, long seq, Instant at, Object payload) {
        return RunEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(at).setTraceId("bench")
                .setJob(job).setSequence(seq).setPayload(payload).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void send(KafkaProducer<String, byte[]> producer, Map<Class<?>, AvroSerde<?>> serdes, BenchStack stack,
                             String key, SpecificRecord value) {
        AvroSerde serde = serdes.computeIfAbsent(value.getClass(), c -> AvroSerde.forValues((Class) c, stack.serde()));
        String topic = stack.topics.runEvents();
        producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value)));
    }

    static String asset(int level, int i) {
        return String.format(Locale.ROOT, "l%d_%03d", level, i);
    }

    /** The upstream assets (indexes in the level before) asset {@code i} of {@code level} depends on. */
    static java.util.SortedSet<Integer> deps(int level, int i) {
        java.util.SortedSet<Integer> deps = new java.util.TreeSet<>();
        if (level == 0) {
            return deps;
        }
        int up = LEVELS[level - 1];
        int want = Math.min(up, FAN_IN[level] + (level == 1 && i < EXTRA ? 1 : 0));
        // i, i + n, i + 2n, ... (n: this level's size) reaches every upstream asset, so each feeds the next level
        for (int k = 0; deps.size() < want; k++) {
            deps.add(k < up ? (i + k * LEVELS[level]) % up : (i + k) % up);
        }
        return deps;
    }

    /**
     * The lineage graph: one job per level, steps of 50 assets each, every asset depending on assets of the level
     * before ({@link #deps}). Answers the number of edges.
     */
    static int registerLineage(HttpClient http, String base, String token) throws Exception {
        int edges = 0;
        for (int level = 0; level < LEVELS.length; level++) {
            StringBuilder y = new StringBuilder("name: ui_bench_lineage_" + level + "\nsteps:\n");
            int perStep = 50;
            for (int from = 0; from < LEVELS[level]; from += perStep) {
                y.append("  - key: s").append(from / perStep).append("\n    noop: {}\n    produces:\n");
                for (int i = from; i < Math.min(LEVELS[level], from + perStep); i++) {
                    y.append("      - key: ").append(asset(level, i)).append('\n');
                    var deps = deps(level, i);
                    if (!deps.isEmpty()) {
                        int l = level;
                        y.append("        deps: [").append(String.join(", ", deps.stream().map(u -> asset(l - 1, u)).toList())).append("]\n");
                        edges += deps.size();
                    }
                }
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(y.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                throw new IllegalStateException("registering level " + level + ": " + r.statusCode() + " " + r.body());
            }
        }
        return edges;
    }

    private static String lineageSize(HttpClient http, String base, String token, String focus) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/assets/" + focus + "/lineage?direction=both&depth=3"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return "";
            }
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            return tree.path("nodes").size() + "/" + tree.path("edges").size();
        } catch (Exception e) {
            return "";
        }
    }

    private static int status(HttpClient http, String url, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void until(java.util.function.BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("gave up waiting until " + what + " (" + max + ")");
            }
            Thread.sleep(500);
        }
    }
}
