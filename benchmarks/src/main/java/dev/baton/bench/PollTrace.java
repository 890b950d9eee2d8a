package dev.baton.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A diagnostic interceptor for the coordinator's stream threads (issue 20's chain hop stalls), for the scenarios whose
 * coordinator runs in the benchmark JVM (chain, sensor, throughput):
 * {@code -Dbench.coordinator.streams.main.consumer.interceptor.classes=dev.baton.bench.PollTrace
 * -Dbench.coordinator.streams.producer.interceptor.classes=dev.baton.bench.PollTrace}.
 * For every agent report (and run request, a distribution of its own) a stream thread's {@code poll()} returns, it takes
 * broker append time (both topics use LogAppendTime) → the moment {@code poll()} returned it; a report that waited {@code bench.polltrace.ms} (50) or more is
 * printed with the last events of that stream thread (records returned by poll, records sent, sends acknowledged), so
 * a stall can be placed: the thread busy elsewhere, a produce (commit flush) answered late, or no event at all (the
 * thread in poll(), or in a commit's offsets / end-transaction exchange). At exit it prints the distribution.
 */
public final class PollTrace implements ConsumerInterceptor<Object, Object>, ProducerInterceptor<Object, Object> {
    private static final long THRESHOLD_MS = Long.getLong("bench.polltrace.ms", 50);
    private static final Map<String, Deque<String>> TIMELINES = new ConcurrentHashMap<>();
    private static final List<Long> LAGS = new ArrayList<>();
    private static final List<Long> ACKS = new ArrayList<>();
    /** Run requests (a sensor's, the gateway's: written in transactions) from append to the poll that returned them. */
    private static final List<Long> REQUESTS = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PollTrace::summary));
    }

    private String thread = "?";
    private volatile long lastSend;

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get("client.id");
        String s = id == null ? "?" : id.toString();
        int i = s.indexOf("StreamThread-");
        if (i >= 0) {
            int end = s.indexOf('-', i + "StreamThread-".length());
            s = end < 0 ? s.substring(i) : s.substring(i, end);
        }
        thread = s;
    }

    private void event(String what) {
        Deque<String> d = TIMELINES.computeIfAbsent(thread, k -> new ArrayDeque<>());
        synchronized (d) {
            d.addLast(System.currentTimeMillis() % 100_000 + " " + what);
            if (d.size() > 40) {
                d.removeFirst();
            }
        }
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        long now = System.currentTimeMillis();
        StringBuilder what = new StringBuilder("poll returned");
        String stall = null;
        for (ConsumerRecord<Object, Object> r : records) {
            boolean report = r.topic().endsWith("agent-reports");
            long lag = now - r.timestamp();
            what.append(' ').append(r.topic().substring(r.topic().lastIndexOf('.') + 1)).append('-').append(r.partition())
                    .append('@').append(r.offset()).append(report ? " appended " + lag + " ms ago" : "");
            if (r.topic().endsWith("run-requests")) {
                synchronized (REQUESTS) {
                    REQUESTS.add(lag);
                }
                what.append(" appended ").append(lag).append(" ms ago");
            }
            if (report) {
                synchronized (LAGS) {
                    LAGS.add(lag);
                }
                if (lag >= THRESHOLD_MS) {
                    stall = "report " + r.topic() + "-" + r.partition() + "@" + r.offset() + " appended at " + r.timestamp() % 100_000
                            + ", returned by poll " + lag + " ms later";
                }
            }
        }
        event(what.toString());
        if (stall != null) {
            Deque<String> d = TIMELINES.get(thread);
            synchronized (d) {
                System.out.println("POLLTRACE " + thread + ": " + stall + "; its last events (ms % 100000):\n    "
                        + String.join("\n    ", d));
            }
        }
        return records;
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        lastSend = System.currentTimeMillis();
        event("send " + record.topic().substring(record.topic().lastIndexOf('.') + 1));
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        if (metadata == null) {
            return;
        }
        // Streams stamps its outputs with the input's time, so the latency is taken from the thread's last send.
        long latency = System.currentTimeMillis() - lastSend;
        synchronized (ACKS) {
            ACKS.add(latency);
        }
        event("ack " + metadata.topic().substring(metadata.topic().lastIndexOf('.') + 1) + "-" + metadata.partition()
                + ", " + latency + " ms after the last send" + (exception == null ? "" : " " + exception));
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        event("commit");
    }

    @Override
    public void close() {
    }

    private static void summary() {
        System.out.println("POLLTRACE reports append -> poll returned: " + describe(LAGS) + "; coordinator last send -> ack: "
                + describe(ACKS) + "; run requests append -> poll returned: " + describe(REQUESTS));
    }

    private static String describe(List<Long> values) {
        List<Long> v;
        synchronized (values) {
            v = new ArrayList<>(values);
        }
        if (v.isEmpty()) {
            return "none";
        }
        v.sort(null);
        long over = v.stream().filter(x -> x >= THRESHOLD_MS).count();
        return String.format(Locale.ROOT, "n %d, p50 %d ms, p99 %d ms, max %d ms, %d at >= %d ms", v.size(), v.get(v.size() / 2),
                v.get(Math.min(v.size() - 1, (int) (v.size() * 0.99))), v.get(v.size() - 1), over, THRESHOLD_MS);
    }
}
