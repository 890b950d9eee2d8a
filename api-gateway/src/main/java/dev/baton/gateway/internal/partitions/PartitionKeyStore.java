package dev.baton.gateway.internal.partitions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The keys of dynamic partition sets ({@code dynamic: { name: ... }} in a job's partitions), added and removed
 * through the API. Kept on the compacted topic {@code baton.partition-keys} (record key {@code set/partitionKey},
 * a tombstone removes the key) by {@link KafkaPartitionKeyStore}; in memory in handler tests. Blocking.
 */
public interface PartitionKeyStore extends AutoCloseable {
    /** Joins the set name and the partition key in a record key; forbidden in both. */
    String SEPARATOR = "/";
    /** A dynamic partition key is at most this many characters. */
    int MAX_KEY_LENGTH = dev.baton.jobs.PartitionSet.MAX_DYNAMIC_KEY_LENGTH;
    /** A set name: the same form as a job name (and as {@code dynamic: {name: ...}} in a job). */
    Pattern SET_NAME = dev.baton.jobs.PartitionSet.DYNAMIC_SET_NAME;

    /** Adds the keys to the set (keys already there stay, once). */
    void add(String set, List<String> keys);

    /** Removes the key from the set; removing a key that is not there changes nothing. */
    void remove(String set, String key);

    /** The keys of the set, in key order, after {@code after} (exclusive, null: from the first), at most {@code limit}. */
    List<String> keys(String set, String after, int limit);

    /** Whether the set holds the key now. */
    boolean contains(String set, String key);

    @Override
    default void close() {}

    /** Why the key cannot be a dynamic partition key, or empty when it can (the rule of the job format). */
    static Optional<String> invalidKey(String key) {
        return dev.baton.jobs.PartitionSet.invalidDynamicKey(key);
    }

    /** The record key of a set's partition key. */
    static String recordKey(String set, String key) {
        return set + SEPARATOR + key;
    }

    /** Keys from a sorted map of record keys, the page of one set. */
    static List<String> page(Iterable<String> sortedRecordKeys, String set, String after, int limit) {
        String prefix = set + SEPARATOR;
        List<String> out = new ArrayList<>();
        for (String rk : sortedRecordKeys) {
            if (!rk.startsWith(prefix)) {
                continue;
            }
            String k = rk.substring(prefix.length());
            if (after != null && k.compareTo(after) <= 0) {
                continue;
            }
            out.add(k);
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    /** A store in memory (tests, {@code baton dev} without Kafka). */
    static PartitionKeyStore inMemory() {
        return new PartitionKeyStore() {
            private final TreeMap<String, String> keys = new TreeMap<>();

            @Override
            public synchronized void add(String set, List<String> ks) {
                ks.forEach(k -> keys.put(recordKey(set, k), k));
            }

            @Override
            public synchronized void remove(String set, String key) {
                keys.remove(recordKey(set, key));
            }

            @Override
            public synchronized List<String> keys(String set, String after, int limit) {
                return page(keys.tailMap(recordKey(set, after == null ? "" : after), after == null).keySet(), set, after, limit);
            }

            @Override
            public synchronized boolean contains(String set, String key) {
                return keys.containsKey(recordKey(set, key));
            }
        };
    }
}
