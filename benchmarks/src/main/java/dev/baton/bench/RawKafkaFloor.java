package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw-Kafka floor of this machine, now: plain produce → consume on the scenario's own broker, in the same run, with
 * the settings Baton's own clients use (acks=all and idempotence on the producer, read_committed on the consumer; the
 * floor's producer is not transactional, so it pays no commit). Every scenario prints its figure next to one of these
 * and as a ratio to it. Three shapes:
 * <ul>
 *   <li>{@link #bulk}: n records produced as fast as the producer batches them and consumed back (clients connected
 *       and warm): seconds and records per second; and the time from a new consumer's creation (new group) to its first
 *       record, a restarted reader's floor;
 *   <li>{@link #serial}: n records one at a time, each produced once the previous one was consumed: the round trip
 *       (produce → consumed) per record, the floor of one hop of a chain.
 *   <li>{@link #paced}: n records offered open-loop at a fixed rate while a consumer reads them: produce → consumed
 *       per record at that rate, the floor of a sensor's record → reaction under a steady stream.
 * </ul>
 * Each prints the process CPU it used (the broker is in this process), so CPU per record can be compared too; the stack
 * under measurement shares the process, so what it still does meanwhile counts as well (most for {@link #paced}, which
 * runs right after a loaded scenario).
 */
final class RawKafkaFloor {
    /** The value size used when the scenario does not know the size of its own records. */
    static final int DEFAULT_VALUE_BYTES = 200;

    private RawKafkaFloor() {}

    /** n records produced and consumed back: wall seconds, records/s, the consumer's first record, process CPU used. */
    record Bulk(int records, int valueBytes, double seconds, double recordsPerSecond, double firstRecordMs, double cpuSeconds) {
        String describe() {
            return String.format(Locale.ROOT, "raw Kafka floor (bulk): %d records of %d bytes produced (acks=all) and consumed "
                            + "(read_committed) in %.1f ms = %.0f records/s, %.3f CPU s (%.1f µs per record); a new consumer's "
                            + "first record after %.0f ms", records, valueBytes, seconds * 1000, recordsPerSecond,
                    cpuSeconds, cpuSeconds / Math.max(1, records) * 1e6, firstRecordMs);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("records", records);
            m.put("value_bytes", valueBytes);
            m.put("ms", seconds * 1000);
            m.put("records_per_s", recordsPerSecond);
            m.put("first_record_ms", firstRecordMs);
            m.put("cpu_s", cpuSeconds);
            return m;
        }
    }

    /** Produce → consumed per record of n records ({@code shape}: one in flight, or offered at a rate), process CPU used. */
    record Serial(int records, int valueBytes, Stats roundTripMs, double cpuSeconds, String shape) {
        Serial(int records, int valueBytes, Stats roundTripMs, double cpuSeconds) {
            this(records, valueBytes, roundTripMs, cpuSeconds, "one at a time");
        }

        String describe() {
            return String.format(Locale.ROOT, "raw Kafka floor (" + shape + "): %d records of %d bytes produced (acks=all) and "
                            + "consumed (read_committed), round trip p50 %s ms, p99 %s ms, %.3f CPU s (%.1f µs per record)",
                    records, valueBytes, Stats.f(roundTripMs.p(50)), Stats.f(roundTripMs.p(99)), cpuSeconds,
                    cpuSeconds / Math.max(1, records) * 1e6);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("records", records);
            m.put("value_bytes", valueBytes);
            m.put("shape", shape);
            m.put("p50_ms", roundTripMs.p(50));
            m.put("p99_ms", roundTripMs.p(99));
            m.put("cpu_s", cpuSeconds);
            return m;
        }
    }

    static Bulk bulk(String bootstrap, int n, int valueBytes) throws Exception {
        String topic = newTopic(bootstrap);
        byte[] value = new byte[valueBytes];
        double seconds;
        double cpu;
        try (KafkaProducer<String, byte[]> p = producer(bootstrap, 5); KafkaConsumer<String, byte[]> c = consumer(bootstrap, topic)) {
            warmUp(p, c, topic, value);
            double cpu0 = Cpu.processSeconds();
            long t0 = System.nanoTime();
            Future<?> last = null;
            for (int i = 0; i < n; i++) {
                last = p.send(new ProducerRecord<>(topic, Integer.toString(i), value));
            }
            p.flush();
            if (last != null) {
                last.get(60, TimeUnit.SECONDS); // a failed produce fails the scenario instead of a consumer waiting forever
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            int seen = 0;
            while (seen < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw Kafka floor: consumed " + seen + " of " + n + " records in 5 minutes");
                }
                seen += c.poll(Duration.ofMillis(100)).count();
            }
            seconds = (System.nanoTime() - t0) / 1e9;
            cpu = Cpu.processSeconds() - cpu0;
        }
        // A restarted reader's floor: a new consumer in a new group, from its creation to its first record.
        long created = System.nanoTime();
        try (KafkaConsumer<String, byte[]> c = consumer(bootstrap, topic + "-restart")) {
            c.subscribe(List.of(topic));
            long deadline = created + TimeUnit.MINUTES.toNanos(1);
            while (c.poll(Duration.ofMillis(50)).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw Kafka floor: a new consumer got no record within a minute");
                }
            }
        }
        double firstMs = (System.nanoTime() - created) / 1e6;
        return new Bulk(n, valueBytes, seconds, n / seconds, firstMs, cpu);
    }

    static Serial serial(String bootstrap, int n, int valueBytes) throws Exception {
        String topic = newTopic(bootstrap);
        Stats rt = new Stats();
        byte[] value = new byte[valueBytes];
        try (KafkaProducer<String, byte[]> p = producer(bootstrap, 0); KafkaConsumer<String, byte[]> c = consumer(bootstrap, topic)) {
            warmUp(p, c, topic, value);
            double cpu0 = Cpu.processSeconds();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                p.send(new ProducerRecord<>(topic, Integer.toString(i), value));
                awaitOne(c, i);
                rt.add((System.nanoTime() - t0) / 1e6);
            }
            return new Serial(n, valueBytes, rt, Cpu.processSeconds() - cpu0);
        }
    }

    /**
     * n records produced open-loop at {@code rate} per second (each sent at its slot, whatever the consumer does) and
     * consumed by a read_committed consumer: produce → consumed per record, process CPU used.
     */
    static Serial paced(String bootstrap, int n, int valueBytes, int rate) throws Exception {
        String topic = newTopic(bootstrap);
        Stats rt = new Stats();
        byte[] value = new byte[Math.max(8, valueBytes)];
        try (KafkaProducer<String, byte[]> p = producer(bootstrap, 0); KafkaConsumer<String, byte[]> c = consumer(bootstrap, topic)) {
            warmUp(p, c, topic, value);
            double cpu0 = Cpu.processSeconds();
            java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread sender = Thread.ofPlatform().name("bench-floor-paced").start(() -> {
                long next = System.nanoTime();
                long interval = 1_000_000_000L / rate;
                try {
                    for (int i = 0; i < n; i++) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        // the send time travels in the record (same JVM, so nanoTime compares)
                        byte[] v = value.clone();
                        java.nio.ByteBuffer.wrap(v).putLong(System.nanoTime());
                        p.send(new ProducerRecord<>(topic, Integer.toString(i), v));
                        next += interval;
                    }
                    p.flush();
                } catch (Exception e) {
                    failed.set(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            int seen = 0;
            while (seen < n) {
                if (System.nanoTime() > deadline || failed.get() != null) {
                    throw new IllegalStateException("raw Kafka floor: consumed " + seen + " of " + n + " paced records", failed.get());
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    rt.add((now - java.nio.ByteBuffer.wrap(r.value()).getLong()) / 1e6);
                    seen++;
                }
            }
            sender.join();
            return new Serial(n, valueBytes, rt, Cpu.processSeconds() - cpu0, "offered at " + rate + "/s");
        }
    }

    /**
     * Reads the topic's only partition from the start and sends one untimed record through: metadata, connections and
     * the first fetch are not part of the floor.
     */
    private static void warmUp(KafkaProducer<String, byte[]> p, KafkaConsumer<String, byte[]> c, String topic, byte[] value)
            throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        p.send(new ProducerRecord<>(topic, "warm-up", value)).get(60, TimeUnit.SECONDS);
        awaitOne(c, Long.MAX_VALUE);
    }

    private static void awaitOne(KafkaConsumer<String, byte[]> c, long i) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            // A short poll timeout: the consumer's fetch waits at the broker (fetch.max.wait.ms) either way.
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                if (i == Long.MAX_VALUE || r.key().equals(Long.toString(i))) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("raw Kafka floor: record " + i + " not consumed within a minute");
            }
        }
    }

    private static String newTopic(String bootstrap) throws Exception {
        String topic = "bench-floor-" + UUID.randomUUID();
        // The broker does not auto-create topics: create it first, outside the timed part.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, int lingerMs) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                // As Baton's producers: acknowledged by all in-sync replicas, idempotent.
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // bulk: batch a little, as a loaded producer does; serial: send at once, as Baton's report producers do.
                ProducerConfig.LINGER_MS_CONFIG, lingerMs), new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // As Baton's readers of transactional topics (the coordinator, the agents' share group).
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // The fetch returns as soon as a record is there; the wait bounds only empty fetches.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Process CPU time (all threads: broker, components and harness when they share this JVM). */
    static final class Cpu {
        private Cpu() {}

        static double processSeconds() {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return sun.getProcessCpuTime() / 1e9;
            }
            return Double.NaN;
        }

        /**
         * CPU seconds the harness's own live threads have used so far: its watcher and command clock ({@code bench-*}) and
         * the request producer's network thread (a client without a client id: {@code producer-N}). They share the
         * process with the stack, so the process's CPU per run includes them.
         */
        static double harnessSeconds() {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long nanos = 0;
            for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && isHarness(info.getThreadName())) {
                    long t = threads.getThreadCpuTime(info.getThreadId());
                    nanos += Math.max(0, t);
                }
            }
            return nanos / 1e9;
        }

        static boolean isHarness(String thread) {
            return thread.startsWith("bench-") || thread.matches("kafka-producer-network-thread \\| producer-\\d+");
        }

        /** CPU seconds another process has used so far (user + system), NaN when not readable (ended, not Linux). */
        static double of(ProcessHandle p) {
            return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
        }
    }

    /** End offsets and log bytes of every topic: diff two of them to count the records (and markers) a phase wrote. */
    record TopicUsage(Map<String, long[]> byTopic) {
        static TopicUsage of(String bootstrap) throws Exception {
            Map<String, long[]> m = new HashMap<>();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                var names = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true)).names()
                        .get(60, TimeUnit.SECONDS);
                var described = admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
                described.forEach((t, d) -> d.partitions().forEach(p -> specs.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
                admin.listOffsets(specs).all().get(60, TimeUnit.SECONDS)
                        .forEach((tp, info) -> m.computeIfAbsent(tp.topic(), k -> new long[2])[0] += info.offset());
                for (var dir : admin.describeLogDirs(List.of(1)).allDescriptions().get(60, TimeUnit.SECONDS).values()) {
                    for (var logDir : dir.values()) {
                        logDir.replicaInfos().forEach((tp, info) -> m.computeIfAbsent(tp.topic(), k -> new long[2])[1] += info.size());
                    }
                }
            }
            return new TopicUsage(m);
        }

        /**
         * Offsets (records plus transaction markers) and log bytes written per run since {@code before}, by topic, the
         * floor's own topics left out; the bytes are segment bytes (batch headers included) and shrink when a segment
         * is compacted or deleted meanwhile.
         */
        Map<String, Object> perRun(TopicUsage before, long runs) {
            Map<String, Object> m = new java.util.TreeMap<>();
            byTopic.forEach((t, now) -> {
                if (t.startsWith("bench-floor-")) {
                    return;
                }
                long[] then = before.byTopic.getOrDefault(t, new long[2]);
                long records = now[0] - then[0];
                if (records > 0 && runs > 0) {
                    m.put(t, Map.of("records", (double) records / runs, "bytes", (double) Math.max(0, now[1] - then[1]) / runs));
                }
            });
            return m;
        }

        /** Total offsets per run and the average log bytes per offset (the value size the floor should use). */
        static double[] totals(Map<String, Object> perRun) {
            double records = 0;
            double bytes = 0;
            for (Object v : perRun.values()) {
                @SuppressWarnings("unchecked") Map<String, Double> m = (Map<String, Double>) v;
                records += m.get("records");
                bytes += m.get("bytes");
            }
            return new double[] {records, records == 0 ? 0 : bytes / records};
        }

        static String describe(Map<String, Object> perRun) {
            List<String> parts = new ArrayList<>();
            perRun.forEach((t, v) -> {
                @SuppressWarnings("unchecked") Map<String, Double> m = (Map<String, Double>) v;
                parts.add(String.format(Locale.ROOT, "%s %.2f (%.0f B)", t, m.get("records"), m.get("bytes")));
            });
            return String.join(", ", parts);
        }
    }
}
