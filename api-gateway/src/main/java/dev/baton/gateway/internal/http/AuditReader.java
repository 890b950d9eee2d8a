package dev.baton.gateway.internal.http;

import dev.baton.events.AuditRecord;
import dev.baton.schemas.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the audit topic for {@code GET /api/v1/audit}: a bounded read per request, no state kept. A consumer
 * without a group is assigned every partition, seeks to the cursor (or, without one, to the first offset at
 * {@code from} via {@code offsetsForTimes}), reads up to the end offsets taken at the start of the request and at
 * most {@code gateway.audit.scan.max} records, and merges the partitions by record time, oldest first.
 *
 * <p>Why not a read-model store: audit volume is one record per mutating call (small), the endpoint is
 * admin-only and rarely called, and a time seek makes the usual "last hour" query cost only what it returns.
 * The cursor holds the next offset of every partition, so paging is exact even when records keep arriving.
 */
final class AuditReader {
    private static final Logger log = LoggerFactory.getLogger(AuditReader.class);

    /** Filters: each may be null. {@code cursor}: partition → next offset, from the previous page. */
    record Query(String actor, String action, Instant from, Instant to, Map<Integer, Long> cursor, int limit) {
        boolean matches(AuditRecord r) {
            return (actor == null || actor.equals(r.getActor()))
                    && (action == null || action.equals(r.getAction()) || (action.endsWith(".*")
                    && r.getAction().startsWith(action.substring(0, action.length() - 1))))
                    && (from == null || !r.getTimestamp().isBefore(from))
                    && (to == null || r.getTimestamp().isBefore(to));
        }
    }

    /** One audit record as the API shows it. */
    record Entry(String eventId, String timestamp, String actor, String role, String action, String resource, int status,
                 String runId, String sourceAddress, String requestId, Map<String, String> details) {
        static Entry of(AuditRecord r) {
            return new Entry(r.getEventId(), r.getTimestamp().toString(), r.getActor(), r.getRole(), r.getAction(),
                    r.getResource(), r.getStatus(), r.getRunId(), r.getSourceAddress(), r.getTraceId(), Map.copyOf(r.getDetails()));
        }
    }

    record Page(List<Entry> items, int limit, String nextCursor, int scanned) {}

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final AvroSerde<AuditRecord> serde;
    private final int scanMax;
    private final Duration timeout;

    AuditReader(Map<String, Object> kafkaClient, Map<String, Object> registryConfig, String topic, int scanMax, Duration timeout) {
        this.clientConfig = new HashMap<>(kafkaClient);
        clientConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        clientConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // No group: partitions are assigned and positions come from the request, nothing is committed.
        clientConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        clientConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-gateway-audit-reader");
        // We only poll while records exist below the end offsets; a short wait keeps the last fetch from idling 500 ms.
        clientConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        this.topic = topic;
        this.serde = AvroSerde.forValues(AuditRecord.class, registryConfig);
        this.scanMax = scanMax;
        this.timeout = timeout;
    }

    /** Blocking: call from a worker. */
    Page read(Query q) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(clientConfig)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, timeout).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            c.assign(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            Map<TopicPartition, Long> begin = c.beginningOffsets(parts, timeout);
            Map<TopicPartition, Long> start = new HashMap<>();
            Map<TopicPartition, OffsetAndTimestamp> byTime = Map.of();
            if (q.from() != null && (q.cursor() == null || q.cursor().isEmpty())) {
                Map<TopicPartition, Long> ts = new HashMap<>();
                parts.forEach(tp -> ts.put(tp, q.from().toEpochMilli()));
                byTime = c.offsetsForTimes(ts, timeout);
            }
            for (TopicPartition tp : parts) {
                long s = begin.get(tp);
                if (q.cursor() != null && q.cursor().containsKey(tp.partition())) {
                    s = Math.max(s, q.cursor().get(tp.partition()));
                } else if (q.from() != null && (q.cursor() == null || q.cursor().isEmpty())) {
                    OffsetAndTimestamp o = byTime.get(tp);
                    s = o == null ? end.get(tp) : Math.max(s, o.offset());
                }
                start.put(tp, Math.min(s, end.get(tp)));
                c.seek(tp, start.get(tp));
            }

            Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new HashMap<>();
            Map<TopicPartition, Long> fetchedTo = new HashMap<>(start); // next offset not yet buffered
            parts.forEach(tp -> buffers.put(tp, new ArrayDeque<>()));
            int scanned = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (scanned < scanMax && System.nanoTime() < deadline && parts.stream().anyMatch(tp -> fetchedTo.get(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp)) {
                        buffers.get(tp).add(r);
                        scanned++;
                    }
                    fetchedTo.put(tp, Math.max(fetchedTo.get(tp), r.offset() + 1));
                }
                for (TopicPartition tp : parts) { // compacted gaps and transaction markers: trust the position
                    fetchedTo.put(tp, Math.max(fetchedTo.get(tp), Math.min(c.position(tp), end.get(tp))));
                }
            }

            Map<Integer, Long> next = new TreeMap<>();
            parts.forEach(tp -> next.put(tp.partition(), start.get(tp)));
            Set<TopicPartition> pastTo = new HashSet<>();
            List<Entry> out = new ArrayList<>();
            boolean more = false;
            while (true) {
                TopicPartition head = null;
                boolean blocked = false;
                for (TopicPartition tp : parts) {
                    if (pastTo.contains(tp)) {
                        continue;
                    }
                    ArrayDeque<ConsumerRecord<byte[], byte[]>> b = buffers.get(tp);
                    if (b.isEmpty()) {
                        if (fetchedTo.get(tp) < end.get(tp)) {
                            blocked = true; // not read (scan budget or time): later records may be older than other heads
                        }
                        continue;
                    }
                    if (head == null || b.peek().timestamp() < buffers.get(head).peek().timestamp()) {
                        head = tp;
                    }
                }
                if (blocked || head == null) {
                    more = blocked;
                    break;
                }
                if (out.size() == q.limit()) {
                    more = true;
                    break;
                }
                ConsumerRecord<byte[], byte[]> r = buffers.get(head).poll();
                next.put(head.partition(), r.offset() + 1);
                AuditRecord a;
                try {
                    a = serde.deserialize(topic, r.value());
                } catch (RuntimeException e) {
                    log.warn("Skipping undecodable audit record {}-{}@{}: {}", topic, r.partition(), r.offset(), e.toString());
                    continue;
                }
                if (q.to() != null && !a.getTimestamp().isBefore(q.to())) {
                    pastTo.add(head);
                    continue;
                }
                if (q.matches(a)) {
                    out.add(Entry.of(a));
                }
            }
            return new Page(out, q.limit(), more ? encode(next) : null, scanned);
        }
    }

    static String encode(Map<Integer, Long> next) {
        StringBuilder sb = new StringBuilder();
        next.forEach((p, o) -> sb.append(sb.isEmpty() ? "" : ",").append(p).append(':').append(o));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException for a cursor that is not one of ours */
    static Map<Integer, Long> decode(String cursor) {
        Map<Integer, Long> m = new TreeMap<>();
        if (cursor == null || cursor.isEmpty()) {
            return m;
        }
        String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        for (String part : s.split(",")) {
            String[] kv = part.split(":");
            if (kv.length != 2) {
                throw new IllegalArgumentException("bad cursor part " + part);
            }
            m.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
        }
        return m;
    }
}
