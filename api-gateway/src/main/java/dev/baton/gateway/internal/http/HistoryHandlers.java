package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.HistoryResponses;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.Keys;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's history as JSON pages: its events ({@code GET /runs/{id}/events}) and log lines ({@code GET /runs/{id}/logs}).
 * The live variants of both routes ({@code Accept: text/event-stream}) are {@link LiveStreams}, which parses its log
 * request with {@link #logRequest}.
 */
final class HistoryHandlers {
    /** Most events one read returns (about 5 MB of JSON); a longer history is paged with {@code after=lastSequence}. */
    static final int MAX_EVENTS = 10_000;

    private final GatewayConfig config;
    private final ReadStores stores;
    private final RunLookup runs;
    private final Replies replies;

    HistoryHandlers(GatewayConfig config, ReadStores stores, RunLookup runs, Replies replies) {
        this.config = config;
        this.stores = stores;
        this.runs = runs;
        this.replies = replies;
    }

    /** {@code GET /runs/{id}/events[?after=N&limit=N]}: stored events, oldest first, written as stored. */
    void events(RoutingContext ctx) {
        String id = Requests.path(ctx, "id");
        String afterParam = Requests.query(ctx, "after");
        long after = afterParam == null ? 0 : Requests.longParam("after", afterParam);
        int limit = Math.min(Requests.intParam("limit", Requests.query(ctx, "limit"), 1, MAX_EVENTS, MAX_EVENTS), MAX_EVENTS);
        replies.ok(ctx, () -> {
            RunView v = runs.require(id);
            List<RawValue> items = new ArrayList<>();
            long last = after;
            byte[] lastJson = null;
            for (byte[] b : stores.events(id, after, limit)) {
                items.add(new RawValue(new String(b, StandardCharsets.UTF_8)));
                lastJson = b;
            }
            if (lastJson != null) {
                last = Json.tree(lastJson).get("sequence").asLong();
            }
            return new HistoryResponses.Events(id, ApiStatus.run(v.status), items, last, items.size() == limit);
        });
    }

    /** A log read as the request asks for it (shared by the JSON endpoint and the live stream's history). */
    record LogRequest(String step, Integer attempt, String after, Integer tail, int limit, boolean limitGiven) {}

    /** Parses {@code step}, {@code attempt}, {@code tail}, {@code limit} and the cursor ({@code cursor} or {@code after}). */
    static LogRequest logRequest(RoutingContext ctx, GatewayConfig config) {
        String step = Requests.query(ctx, "step");
        String a = Requests.query(ctx, "attempt");
        Integer attempt = a == null ? null : Requests.intParam("attempt", a, 0, 999_999);
        if (attempt != null && step == null) {
            throw ApiError.badRequest("attempt needs step");
        }
        int max = config.getInt(GatewayConfig.LOGS_PAGE_MAX);
        String tailParam = Requests.query(ctx, "tail");
        Integer tail = tailParam == null ? null : Requests.intParam("tail", tailParam, 1, max);
        String limitParam = Requests.query(ctx, "limit");
        int limit = Requests.intParam("limit", limitParam, 1, max, Math.min(config.getInt(GatewayConfig.LOGS_PAGE_DEFAULT), max));
        String after = Requests.cursor(ctx, Keys.LOG_POSITION);
        String afterParam = Requests.query(ctx, "after");
        if (after == null && afterParam != null && !afterParam.isEmpty()) {
            // "after" is the cursor's alias for log reads (a client following a log passes the last position back)
            after = Requests.cursorValue(afterParam, Keys.LOG_POSITION);
        }
        if (after != null && step != null) {
            var m = Keys.LOG_POSITION.matcher(after);
            if (m.matches() && !m.group(2).equals(step)) {
                throw Requests.badCursor();
            }
        }
        return new LogRequest(step, attempt, after, tail, limit, limitParam != null);
    }

    /**
     * Log lines, oldest first, one bounded page: {@code limit} lines from the start or after {@code cursor}, or the last
     * {@code tail} lines. Lines are written into the response as stored (no re-parsing), so a page costs about its bytes.
     */
    void logs(RoutingContext ctx) {
        String id = Requests.path(ctx, "id");
        LogRequest q = logRequest(ctx, config);
        replies.ok(ctx, () -> {
            RunView v = runs.require(id);
            boolean tail = q.tail() != null;
            int wanted = tail ? q.tail() : q.limit();
            ReadModel.LogPage page = stores.logs(new ReadModel.LogQuery(id, q.step(), q.attempt(), q.after(), tail,
                    wanted, config.getInt(GatewayConfig.LOGS_PAGE_MAX_BYTES)));
            List<ReadModel.LogEntry> lines = page.items();
            // a forward page with more after it, or a tail cut short by the page's byte cap
            boolean truncated = page.more() && (!tail || lines.size() < wanted);
            if (tail && q.limitGiven() && lines.size() > q.limit()) {
                lines = lines.subList(0, q.limit()); // as before: the first `limit` of the last `tail` lines
                truncated = true;
            }
            List<RawValue> items = new ArrayList<>(lines.size());
            for (ReadModel.LogEntry e : lines) {
                items.add(new RawValue(new String(e.json(), StandardCharsets.UTF_8)));
            }
            // Logs grow: the position after the last line returned (or the one given) continues there later on.
            String next = lines.isEmpty() ? q.after() : lines.get(lines.size() - 1).position();
            return new HistoryResponses.Logs(id, ApiStatus.run(v.status), items, page.total(), truncated,
                    tail ? q.tail() : q.limit(), Page.encodeCursor(next));
        });
    }
}
