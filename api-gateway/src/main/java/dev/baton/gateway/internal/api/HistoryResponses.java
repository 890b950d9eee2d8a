package dev.baton.gateway.internal.api;

import com.fasterxml.jackson.databind.util.RawValue;
import java.util.List;

/** Bodies of a run's history routes: its events and its log lines, each item written as stored. */
public final class HistoryResponses {
    private HistoryResponses() {}

    /** {@code GET /runs/{id}/events}: events after {@code after}, oldest first; page on with {@code after=lastSequence}. */
    public record Events(String runId, String status, List<RawValue> items, long lastSequence, boolean truncated) {}

    /** {@code GET /runs/{id}/logs}: one page of log lines, oldest first; {@code nextCursor} continues after the last. */
    public record Logs(String runId, String status, List<RawValue> items, long total, boolean truncated, int limit,
                       String nextCursor) {}

    /** The {@code end} event of a live stream: the run's status when the stream ends. */
    public record StreamEnd(String runId, String status) {}
}
