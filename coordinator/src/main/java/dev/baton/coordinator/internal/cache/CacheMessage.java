package dev.baton.coordinator.internal.cache;

import dev.baton.coordinator.internal.events.Input;

/**
 * Internal JSON messages of the step cache stage, keyed by index key. A {@code PUT} (on the compacted
 * {@code baton.step-cache}: the index itself) stores a successful attempt's results; a {@code LOOKUP} (on
 * {@code baton.step-cache-lookups}) asks for them on behalf of one step of one run.
 */
public record CacheMessage(Op op, String indexKey, String runId, String stepKey, String traceId, String lookupEventId,
                           Input.CacheEntry entry) {
    public enum Op { PUT, LOOKUP }

    public static CacheMessage put(Input.CacheEntry entry, String traceId) {
        return new CacheMessage(Op.PUT, entry.indexKey(), entry.runId(), entry.stepKey(), traceId, null, entry);
    }

    public static CacheMessage lookup(String indexKey, String runId, String stepKey, String traceId, String eventId) {
        return new CacheMessage(Op.LOOKUP, indexKey, runId, stepKey, traceId, eventId, null);
    }
}
