package dev.baton.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The command backlog of every pool: commands on {@code commands.<pool>} that the pool's share group
 * ({@code agents.<pool>}) has not acquired yet, read with the Admin API (Kafka 4.3: {@code listShareGroupOffsets}).
 *
 * <p>Per partition: the lag the broker reports for the share group when it has one; else the end offset minus the
 * group's start offset; for a group that never consumed (no agent of the pool ever ran) the whole retained topic,
 * since Baton's agents start their share groups at {@code earliest}. Counted from offsets, the last two include the
 * coordinator's transaction markers (one per committed transaction and partition), so they are an upper bound, at
 * most twice the commands for one command per transaction; zero is exact. Used by the gateway's
 * {@code baton.pool.backlog} gauge (docs/operations.md) and fit for any page listing pools.
 */
public final class PoolBacklog {
    /** One pool: commands not yet acquired, and whether its share group has any state yet. */
    public record Pool(String pool, long backlog, boolean groupStarted) {}

    private final Admin admin;
    private final Topics topics;

    public PoolBacklog(Admin admin, Topics topics) {
        this.admin = admin;
        this.topics = topics;
    }

    /** Every pool that has a command topic, by name. Blocking, at most about {@code timeout}. */
    public Map<String, Pool> read(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String prefix = topics.commandsPrefix();
        List<String> commandTopics = new ArrayList<>();
        for (String t : get(admin.listTopics().names(), deadline)) {
            if (t.startsWith(prefix) && t.length() > prefix.length()) {
                commandTopics.add(t);
            }
        }
        Map<String, Pool> out = new TreeMap<>();
        if (commandTopics.isEmpty()) {
            return out;
        }
        Map<String, TopicDescription> described = get(admin.describeTopics(commandTopics).allTopicNames(), deadline);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<String, ListShareGroupOffsetsSpec> groups = new HashMap<>();
        for (TopicDescription d : described.values()) {
            List<TopicPartition> tps = d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())).toList();
            tps.forEach(tp -> {
                latest.put(tp, OffsetSpec.latest());
                earliest.put(tp, OffsetSpec.earliest());
            });
            groups.put(topics.agentShareGroup(d.name().substring(prefix.length())), new ListShareGroupOffsetsSpec().topicPartitions(tps));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = get(admin.listOffsets(latest).all(), deadline);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = get(admin.listOffsets(earliest).all(), deadline);
        Map<String, Map<TopicPartition, SharePartitionOffsetInfo>> offsets = get(admin.listShareGroupOffsets(groups).all(), deadline);
        for (TopicDescription d : described.values()) {
            String pool = d.name().substring(prefix.length());
            Map<TopicPartition, SharePartitionOffsetInfo> group = offsets.getOrDefault(topics.agentShareGroup(pool), Map.of());
            long backlog = 0;
            boolean started = false;
            for (var p : d.partitions()) {
                TopicPartition tp = new TopicPartition(d.name(), p.partition());
                long end = ends.get(tp).offset();
                SharePartitionOffsetInfo info = group == null ? null : group.get(tp);
                if (info != null && info.startOffset() >= 0) {
                    started = true;
                    backlog += info.lag().orElse(Math.max(0, end - info.startOffset()));
                } else {
                    backlog += Math.max(0, end - starts.get(tp).offset());
                }
            }
            out.put(pool, new Pool(pool, backlog, started));
        }
        return out;
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f, long deadlineNanos) throws TimeoutException, InterruptedException {
        try {
            return f.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the pools' command backlog: " + e.getCause(), e.getCause());
        }
    }
}
