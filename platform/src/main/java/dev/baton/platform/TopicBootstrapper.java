package dev.baton.platform;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Baton's topics with their configuration, idempotently: existing topics are left as they are
 * (their partition count is checked, since the coordinator needs co-partitioned inputs).
 * Every service runs it at start; {@code baton topics create} runs it alone for production clusters.
 */
public final class TopicBootstrapper {
    private static final Logger log = LoggerFactory.getLogger(TopicBootstrapper.class);
    private static final long TIMEOUT_S = 60;

    private final Admin admin;

    public TopicBootstrapper(Admin admin) {
        this.admin = admin;
    }

    /** Creates the missing topics; returns the names it created. */
    public Set<String> ensure(Collection<TopicSpec> specs) {
        Set<String> existing = listTopics();
        List<TopicSpec> absent = specs.stream().filter(s -> !existing.contains(s.name())).toList();
        short auto = absent.stream().anyMatch(s -> s.replicationFactor() == TopicDefaults.AUTO)
                ? (short) Math.min(TopicDefaults.CLUSTER_REPLICATION, Math.max(1, get(admin.describeCluster().nodes(), "describe cluster").size()))
                : TopicDefaults.AUTO;
        List<NewTopic> missing = absent.stream()
                .map(s -> new NewTopic(s.name(), Optional.of(s.partitions()),
                        s.replicationFactor() < 0 ? Optional.empty()
                                : Optional.of(s.replicationFactor() == TopicDefaults.AUTO ? auto : s.replicationFactor()))
                        .configs(s.configs()))
                .toList();
        if (!missing.isEmpty()) {
            var results = admin.createTopics(missing).values();
            for (var e : results.entrySet()) {
                try {
                    e.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                    log.info("Created topic {}", e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex.getCause());
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while creating topics", ex);
                } catch (TimeoutException ex) {
                    throw new IllegalStateException("Timed out creating topic " + e.getKey(), ex);
                }
            }
        }
        checkPartitions(specs);
        return missing.stream().map(NewTopic::name).collect(Collectors.toUnmodifiableSet());
    }

    private void checkPartitions(Collection<TopicSpec> specs) {
        Map<String, TopicDescription> described = describeWhenVisible(specs.stream().map(TopicSpec::name).toList());
        for (TopicSpec s : specs) {
            TopicDescription d = described.get(s.name());
            if (d != null && d.partitions().size() != s.partitions()) {
                log.warn("Topic {} has {} partitions, configuration says {}; keeping the existing count",
                        s.name(), d.partitions().size(), s.partitions());
            }
        }
    }

    /** New topics take a moment to reach every broker's metadata; wait for them (bounded). */
    private Map<String, TopicDescription> describeWhenVisible(List<String> names) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                return admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka is not reachable (describe topics): " + e.getCause().getMessage(), e.getCause());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for topics", ie);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted: describe topics", e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka is not reachable (describe topics): timed out", e);
            }
        }
    }

    /** The partition count of an existing topic. */
    public int partitions(String topic) {
        return get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe " + topic).get(topic).partitions().size();
    }

    private Set<String> listTopics() {
        return get(admin.listTopics().names(), "list topics");
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f, String what) {
        try {
            return f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Kafka is not reachable (" + what + "): " + c.getMessage(), c);
        }
    }
}
