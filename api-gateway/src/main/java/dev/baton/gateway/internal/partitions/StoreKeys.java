package dev.baton.gateway.internal.partitions;

import dev.baton.jobs.PartitionSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The current keys of dynamic partition sets for one request, read from the {@link PartitionKeyStore}: a set is read
 * once, on first use, and the request then sees that snapshot (a backfill validating 10,000 listed keys reads the
 * store once, and its checks and enumeration agree). Memory: the keys of the sets the request uses (the Kafka store
 * holds them in memory anyway). Blocking; not thread-safe (one request).
 */
public final class StoreKeys implements PartitionSet.DynamicKeys {
    private final PartitionKeyStore store;
    private final Map<String, TreeSet<String>> sets = new HashMap<>();

    public StoreKeys(PartitionKeyStore store) {
        this.store = store;
    }

    private TreeSet<String> set(String name) {
        return sets.computeIfAbsent(name, n -> new TreeSet<>(store.keys(n, null, Integer.MAX_VALUE)));
    }

    @Override
    public boolean contains(String set, String key) {
        return set(set).contains(key);
    }

    @Override
    public Iterator<String> keys(String set) {
        return set(set).iterator();
    }

    /** The keys of a set, in key order (from the snapshot). */
    public List<String> all(String set) {
        return List.copyOf(set(set));
    }
}
