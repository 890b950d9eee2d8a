package dev.baton.gateway.internal.readmodel;

import dev.baton.gateway.internal.backfills.BackfillState;
import dev.baton.gateway.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backfill as the read model stores it, in three stores so that folding one event reads and writes a bounded
 * amount whatever the backfill's size:
 * <ul>
 *   <li>{@link ReadModelTopology#STORE_BACKFILLS}: this record, the state's counters and status without its listed
 *       partitions and without the partitions in flight (a few hundred bytes);</li>
 *   <li>{@link ReadModelTopology#STORE_BACKFILL_PARTITIONS}: the listed keys of a {@code --partitions} backfill, one
 *       record each ({@code backfillId|index}), written once when the backfill is requested;</li>
 *   <li>{@link ReadModelTopology#STORE_BACKFILL_IN_FLIGHT}: one record per partition in flight
 *       ({@code backfillId|partition} → launch sequence and run id), put on launch and deleted on its end.</li>
 * </ul>
 * Reading a backfill for the API joins them back into the {@link BackfillState} the fold defines.
 *
 * @param state    the state with {@code partitions} null and {@code inFlight} empty
 * @param listed   whether the backfill's selection is a list of keys (in the partitions store)
 * @param inFlight how many partitions are in flight (records in the in-flight store)
 * @param seq      the next launch sequence number: orders the partitions in flight as they were launched
 */
public record StoredBackfill(BackfillState state, boolean listed, int inFlight, long seq) implements StoredBackfillForm {

    /** Reads a stored record; a record of the earlier form (the whole {@link BackfillState}) is returned as {@link Legacy}. */
    static StoredBackfillForm read(byte[] bytes) {
        if (Json.tree(bytes).has("state")) {
            return Json.read(bytes, StoredBackfill.class);
        }
        return new Legacy(Json.read(bytes, BackfillState.class));
    }

    /** A backfill stored whole, as before the split: its listed keys and partitions in flight are inside it. */
    record Legacy(BackfillState state) implements StoredBackfillForm {}

    static String listedKey(String id, long index) {
        return Keys.prefix(id) + String.format("%010d", index);
    }

    static String inFlightKey(String id, String partition) {
        return Keys.prefix(id) + partition;
    }

    /** The value of an in-flight record: the launch sequence (zero-padded) and the run id. */
    static byte[] inFlightValue(long seq, String runId) {
        return (String.format("%019d", seq) + Keys.SEP + runId).getBytes(StandardCharsets.UTF_8);
    }

    static String runIdOf(byte[] inFlightValue) {
        String v = new String(inFlightValue, StandardCharsets.UTF_8);
        return v.substring(v.indexOf(Keys.SEP) + 1);
    }

    static String seqOf(byte[] inFlightValue) {
        String v = new String(inFlightValue, StandardCharsets.UTF_8);
        return v.substring(0, v.indexOf(Keys.SEP));
    }

    /**
     * The full state for the API and the submitter.
     *
     * @param listedKeys the listed keys in order (read only when {@link #listed})
     * @param inFlight   the in-flight records of the backfill: partition → stored value
     */
    BackfillState join(List<String> listedKeys, Map<String, byte[]> inFlight) {
        List<Map.Entry<String, byte[]>> byLaunch = new ArrayList<>(inFlight.entrySet());
        byLaunch.sort(Map.Entry.comparingByValue((a, b) -> seqOf(a).compareTo(seqOf(b))));
        Map<String, String> ordered = new LinkedHashMap<>();
        byLaunch.forEach(e -> ordered.put(e.getKey(), runIdOf(e.getValue())));
        return state.with(listed ? listedKeys : null, ordered);
    }

    /**
     * A backfill's full state from its stored record and the two per-partition stores.
     *
     * @param stored the record of {@link ReadModelTopology#STORE_BACKFILLS}
     */
    static BackfillState join(String id, byte[] stored,
                              org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, byte[]> listedStore,
                              org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, byte[]> inFlightStore) {
        return switch (read(stored)) {
            case Legacy l -> l.state(); // written whole by an earlier version, not split yet
            case StoredBackfill s -> {
                List<String> listed = new ArrayList<>();
                if (s.listed()) {
                    try (var it = listedStore.range(Keys.prefix(id), Keys.prefix(id) + Keys.END)) {
                        it.forEachRemaining(kv -> listed.add(new String(kv.value, StandardCharsets.UTF_8)));
                    }
                }
                Map<String, byte[]> inFlight = new java.util.HashMap<>();
                if (s.inFlight() > 0) {
                    try (var it = inFlightStore.range(Keys.prefix(id), Keys.prefix(id) + Keys.END)) {
                        it.forEachRemaining(kv -> inFlight.put(kv.key.substring(Keys.prefix(id).length()), kv.value));
                    }
                }
                yield s.join(listed, inFlight);
            }
        };
    }
}
