package dev.baton.cli;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The chaos suite's steady mixed load, open loop: a chain every {@link #PERIOD_MS}, a fan-out every 2, a step that
 * fails its first attempt (retried) every 3, two parallel 5 s steps every 2 ({@link #SLOW}), each triggered through the gateways alternately with its own run key (a
 * trigger the gateway did not answer is sent again, same key, to the other one until accepted); a record produced
 * to the sensor topic every second (acks=all); the job {@code chaos_ticker} has a schedule firing every second.
 * It keeps every accepted trigger and every acknowledged sensor record: what the checker expects runs for.
 */
final class LoadDriver implements AutoCloseable {
    static final String CHAIN = """
            name: chaos_chain
            steps:
              - { key: extract, pool: eu, sleep: 500ms }
              - { key: transform, pool: us, needs: [extract], sleep: 500ms }
              - { key: load, pool: eu, needs: [transform], noop: {} }
            """;
    static final String FANOUT = """
            name: chaos_fanout
            steps:
              - { key: split, pool: eu, noop: {} }
              - { key: part_1, pool: eu, needs: [split], sleep: 300ms }
              - { key: part_2, pool: us, needs: [split], sleep: 300ms }
              - { key: part_3, pool: eu, needs: [split], sleep: 300ms }
              - { key: part_4, pool: us, needs: [split], sleep: 300ms }
              - { key: join, pool: us, needs: [part_1, part_2, part_3, part_4], noop: {} }
            """;
    static final String RETRY = """
            name: chaos_retry
            steps:
              - key: flaky
                pool: eu
                retry: { maxAttempts: 3, backoff: 200ms }
                run: 'test "${{ attempt.number }}" -ge 2'
            """;
    static final String SENSOR = """
            name: chaos_sensor
            triggers:
              - kafka: { topic: %s, format: JSON }
            steps:
              - { key: handle, pool: us, sleep: 200ms }
            """.formatted(ChaosCluster.SENSOR_TOPIC);
    /**
     * Two parallel 5 s steps, one per pool: a step long enough that an agent frozen or killed while the log shows it
     * running still holds it (the other steps last 0.2-0.5 s, often over before the test's reader has seen them
     * start), so the agent faults reliably catch an attempt mid-step.
     */
    static final String SLOW = """
            name: chaos_slow
            steps:
              - { key: slow_eu, pool: eu, sleep: 5s }
              - { key: slow_us, pool: us, sleep: 5s }
            """;
    /** The step keys of {@link #SLOW}: what the agent faults wait to see running on their victim. */
    static final java.util.Set<String> SLOW_STEPS = java.util.Set.of("slow_eu", "slow_us");
    static final String TICKER = """
            name: chaos_ticker
            schedules:
              - { name: every_second, every: 1s, catchUp: ALL }
            steps:
              - { key: tick, pool: eu, noop: {} }
            """;
    static final Map<String, String> JOBS = Map.of("chaos_chain", CHAIN, "chaos_fanout", FANOUT, "chaos_retry", RETRY,
            "chaos_sensor", SENSOR, "chaos_ticker", TICKER, "chaos_slow", SLOW);
    /** How long a trigger is tried (both gateways, in turn) before it counts as refused. */
    static final Duration TRIGGER_PATIENCE = Duration.ofMinutes(5);

    /** A run the gateways accepted (202). */
    record Accepted(String runId, String job, String runKey, long acceptedAtMs) {}

    /** The run key of a sensor record's run is {@code sensor:<topic>/<partition>/<offset>} (RunIds.sensorKey). */
    static final String SENSOR_KEY_PREFIX = "sensor:";

    /** A sensor record the brokers acknowledged, with its run's key. */
    record Produced(String runKey, long producedAtMs) {}

    private final ChaosCluster cluster;
    private final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(1);
    private final ExecutorService triggers = Executors.newFixedThreadPool(6);
    private final KafkaProducer<String, String> producer;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
    private final List<Produced> produced = Collections.synchronizedList(new ArrayList<>());
    private final List<String> refused = Collections.synchronizedList(new ArrayList<>());
    private volatile String lastError = "";

    LoadDriver(ChaosCluster cluster) {
        this.cluster = cluster;
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                // a broker kill must not fail the send: retried within this bound, idempotently
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                new StringSerializer(), new StringSerializer());
    }

    /**
     * The base interval of the triggered load: a chain every {@code period}, a fan-out every 2, a retry every 3, a
     * slow run every 2, a
     * sensor record every 1 (the schedule ticks every second regardless). {@code -Dchaos.load.period.ms}, default
     * 4000: at 1000 (3.8 runs/s with the ticks) a 2-core machine shared with other builds fell behind (the
     * coordinator's backlog outgrew the heartbeat timeout and attempts were declared lost).
     */
    static final long PERIOD_MS = Long.getLong("chaos.load.period.ms", 4000);

    void start() {
        ticks.scheduleAtFixedRate(() -> trigger("chaos_chain"), 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        ticks.scheduleAtFixedRate(() -> trigger("chaos_fanout"), PERIOD_MS / 4, 2 * PERIOD_MS, TimeUnit.MILLISECONDS);
        ticks.scheduleAtFixedRate(() -> trigger("chaos_retry"), PERIOD_MS / 2, 3 * PERIOD_MS, TimeUnit.MILLISECONDS);
        ticks.scheduleAtFixedRate(() -> trigger("chaos_slow"), 5 * PERIOD_MS / 8, 2 * PERIOD_MS, TimeUnit.MILLISECONDS);
        ticks.scheduleAtFixedRate(this::produce, 3 * PERIOD_MS / 4, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void trigger(String job) {
        long n = seq.incrementAndGet();
        String runKey = "chaos:" + job + "#" + n;
        triggers.execute(() -> {
            String body = "{\"runKey\":\"" + runKey + "\"}";
            AtomicLong k = new AtomicLong(n); // alternates the gateways, starting from the run's own sequence number
            try {
                Awaitility.await().atMost(TRIGGER_PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                        .until(() -> tryTrigger(job, runKey, body, k.getAndIncrement()));
            } catch (ConditionTimeoutException e) {
                refused.add(runKey);
            } catch (RuntimeException e) {
                // the driver was stopped (its executor interrupted) while this trigger was still being retried
            }
        });
    }

    /** One try through one gateway; false (and the reason kept) when it did not accept, so the other gets the same key. */
    private boolean tryTrigger(String job, String runKey, String body, long k) throws InterruptedException {
        attempts.incrementAndGet();
        String gw = cluster.gatewayUrls.get((int) (k % cluster.gatewayUrls.size()));
        try {
            HttpResponse<String> r = cluster.http.call(gw, cluster.token, "POST", "/api/v1/jobs/" + job + "/runs",
                    "application/json", body);
            if (r.statusCode() != 202) {
                lastError = r.statusCode() + " " + r.body();
                return false;
            }
            String runId = GatewayHttp.JSON.readTree(r.body()).path("runId").asText();
            accepted.add(new Accepted(runId, job, runKey, System.currentTimeMillis()));
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            lastError = e.toString(); // gateway down or too slow: the same key goes to the other gateway
            return false;
        }
    }

    private void produce() {
        long n = seq.incrementAndGet();
        producer.send(new ProducerRecord<>(ChaosCluster.SENSOR_TOPIC, "order-" + n, "{\"id\":" + n + "}"),
                (RecordMetadata md, Exception e) -> {
                    if (e == null) {
                        produced.add(new Produced(SENSOR_KEY_PREFIX + md.topic() + "/" + md.partition() + "/" + md.offset(),
                                System.currentTimeMillis()));
                    } else {
                        System.err.println("chaos sensor record " + n + " not acknowledged: " + e);
                    }
                });
    }

    List<Accepted> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    List<Produced> produced() {
        synchronized (produced) {
            return List.copyOf(produced);
        }
    }

    List<String> refused() {
        synchronized (refused) {
            return List.copyOf(refused);
        }
    }

    /** The last answer other than 202 (or error) a trigger got, for failure messages. */
    String lastError() {
        return lastError;
    }

    /** Runs asked for so far (accepted triggers and acknowledged sensor records). */
    long requested() {
        return accepted.size() + produced.size();
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        triggers.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
