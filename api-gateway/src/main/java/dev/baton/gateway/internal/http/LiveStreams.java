package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.HistoryResponses;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.LiveFeed;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-Sent Event streams of a run's events and log lines: the stored history first, then live records as
 * the read model stores them. A subscription is opened before the history is read and its records are held
 * back until the history is out, so nothing falls between the two; records seen twice (history and live, or
 * replays after a restart) are dropped by sequence (events) or key (log lines).
 *
 * <p>Event streams send {@code id: <sequence>} so a client resumes with {@code Last-Event-ID}; they end with an
 * {@code end} event after the run's final event. Log streams end {@code gateway.sse.logs.linger.ms} after the run
 * finished.
 */
final class LiveStreams {
    private static final Logger log = LoggerFactory.getLogger(LiveStreams.class);
    private static final int MAX_HISTORY = 1_000_000;

    private final Services s;
    private final ReadStores stores;
    private final RunLookup runs;
    private final Replies replies;
    private final Http http;
    private final AtomicInteger open = new AtomicInteger();

    LiveStreams(Services services, ReadStores stores, RunLookup runs, Replies replies) {
        this.s = services;
        this.stores = stores;
        this.runs = runs;
        this.replies = replies;
        this.http = replies.http();
        Gauge.builder("baton.gateway.sse.streams", open, AtomicInteger::get)
                .description("Open Server-Sent Event streams").register(services.meters());
    }

    static boolean wantsStream(RoutingContext ctx) {
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream");
    }

    // ---- run events ----

    void events(RoutingContext ctx) {
        String runId = ctx.pathParam("id");
        String lastId = ctx.request().getHeader("Last-Event-ID");
        String afterParam = ctx.request().getParam("after");
        long after = lastId != null && lastId.matches("\\d{1,18}") ? Long.parseLong(lastId)
                : afterParam == null ? 0 : Requests.longParam("after", afterParam);
        new EventStream(ctx, runId, after).start();
    }

    private abstract class Stream {
        final RoutingContext ctx;
        final String runId;
        final Context context;
        final Vertx vertx;
        HttpServerResponse response;
        AutoCloseable subscription;
        AutoCloseable finishSubscription;
        long keepAlive = -1;
        boolean historyDone;
        boolean closed;

        Stream(RoutingContext ctx, String runId) {
            this.ctx = ctx;
            this.runId = runId;
            this.vertx = s.vertx();
            this.context = vertx.getOrCreateContext();
        }

        abstract void subscribe();

        /** Reads the history (blocking) and returns what to send plus whether the run is finished. */
        abstract History readHistory(RunView view);

        abstract void onHistory(History h);

        /** What the history read found: the stored events to send first (none for logs, which page on), and the run's state. */
        record History(List<LiveFeed.EventItem> items, boolean finished, String status) {}

        void start() {
            subscribe();
            replies.blocking(() -> readHistory(runs.require(runId))).onComplete(ar -> {
                if (ar.failed()) {
                    close();
                    http.fail(ctx, ar.cause());
                    return;
                }
                open();
                onHistory(ar.result());
            });
        }

        private void open() {
            response = ctx.response();
            response.setChunked(true)
                    .setStatusCode(200)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .putHeader("X-Accel-Buffering", "no")
                    // never compressed: a browser sends Accept-Encoding, and the compressor would hold events back
                    .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
                    .putHeader(Http.REQUEST_ID_HEADER, Http.requestId(ctx));
            response.closeHandler(v -> close());
            response.write(": baton run " + runId + "\n\n");
            open.incrementAndGet();
            long every = s.config().getLong(GatewayConfig.SSE_KEEPALIVE_MS);
            keepAlive = vertx.setPeriodic(every, every, id -> {
                if (!closed) {
                    response.write(": keep-alive\n\n");
                }
            });
        }

        void send(String id, String event, byte[] json) {
            if (closed || response == null) {
                return;
            }
            StringBuilder b = new StringBuilder(json.length + 64);
            if (id != null) {
                b.append("id: ").append(id).append('\n');
            }
            b.append("event: ").append(event).append('\n');
            // JSON written by Jackson has no raw newlines, so one data line holds it.
            b.append("data: ").append(new String(json, StandardCharsets.UTF_8)).append("\n\n");
            response.write(b.toString());
        }

        void end(String status) {
            if (closed) {
                return;
            }
            send(null, "end", Json.bytes(new HistoryResponses.StreamEnd(runId, status)));
            if (response != null && !response.ended()) {
                response.end();
            }
            close();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (response != null) {
                open.decrementAndGet();
            }
            if (keepAlive >= 0) {
                vertx.cancelTimer(keepAlive);
            }
            closeQuietly(subscription);
            closeQuietly(finishSubscription);
        }

        private void closeQuietly(AutoCloseable c) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.debug("unsubscribe failed", e);
                }
            }
        }
    }

    private final class EventStream extends Stream {
        long lastSent;
        final List<LiveFeed.EventItem> held = new ArrayList<>();

        EventStream(RoutingContext ctx, String runId, long after) {
            super(ctx, runId);
            this.lastSent = after;
        }

        @Override
        void subscribe() {
            subscription = stores.feed().onEvents(runId, item -> context.runOnContext(v -> live(item)));
        }

        @Override
        History readHistory(RunView view) {
            // Parsed here, on the worker: a long history must not occupy the event loop.
            List<LiveFeed.EventItem> items = new ArrayList<>();
            for (byte[] json : stores.events(runId, lastSent, MAX_HISTORY)) {
                JsonNode n = Json.tree(json);
                items.add(new LiveFeed.EventItem(runId, n.get("sequence").asLong(), n.get("type").asText(), json, false));
            }
            return new History(items, view.finished(), ApiStatus.run(view.status));
        }

        @Override
        void onHistory(History h) {
            String finalStatus = null;
            for (LiveFeed.EventItem e : h.items()) {
                emit(e.sequence(), e.type(), e.json());
            }
            historyDone = true;
            held.sort(Comparator.comparingLong(LiveFeed.EventItem::sequence));
            for (LiveFeed.EventItem item : held) {
                emit(item.sequence(), item.type(), item.json());
                if (item.runFinished()) {
                    finalStatus = statusOf(item);
                }
            }
            held.clear();
            if (h.finished() || finalStatus != null) {
                end(finalStatus != null ? finalStatus : h.status());
            }
        }

        private void live(LiveFeed.EventItem item) {
            if (closed) {
                return;
            }
            if (!historyDone) {
                held.add(item);
                return;
            }
            emit(item.sequence(), item.type(), item.json());
            if (item.runFinished()) {
                end(statusOf(item));
            }
        }

        private String statusOf(LiveFeed.EventItem item) {
            return switch (item.type()) {
                case "RunSucceeded" -> "SUCCEEDED";
                case "RunFailed" -> "FAILED";
                case "RunCanceled" -> "CANCELED";
                case "RunRequestRejected" -> "REJECTED";
                default -> "FINISHED";
            };
        }

        private void emit(long seq, String type, byte[] json) {
            if (seq <= lastSent && !"RunRequestRejected".equals(type)) {
                return;
            }
            lastSent = Math.max(lastSent, seq);
            send(Long.toString(seq), type, json);
        }
    }

    // ---- logs ----

    void logs(RoutingContext ctx) {
        String runId = ctx.pathParam("id");
        HistoryHandlers.LogRequest q = HistoryHandlers.logRequest(ctx, s.config());
        new LogStream(ctx, runId, q).start();
    }

    /** Live items held back while the history is sent; beyond this the history reads on instead (they are stored). */
    private static final int MAX_HELD = 10_000;

    /**
     * The history is read page by page ({@code gateway.logs.page.default} lines, the next page only once the client
     * took the previous one), so a stream of a million-line run holds one page at a time. Lines are deduplicated by
     * their step attempt's sequence number, which grows with every line of an attempt.
     */
    private final class LogStream extends Stream {
        final HistoryHandlers.LogRequest q;
        final Map<String, Long> lastSeq = new HashMap<>();
        final List<LiveFeed.LogItem> held = new ArrayList<>();
        final int pageSize;
        boolean heldOverflow;
        boolean ending;
        boolean finishedAtStart;
        String position;
        ReadModel.LogPage first;

        LogStream(RoutingContext ctx, String runId, HistoryHandlers.LogRequest q) {
            super(ctx, runId);
            this.q = q;
            this.position = q.after();
            this.pageSize = q.limit();
        }

        @Override
        void subscribe() {
            subscription = stores.feed().onLogs(runId, item -> context.runOnContext(v -> live(item)));
            finishSubscription = stores.feed().onEvents(runId, item -> {
                if (item.runFinished()) {
                    context.runOnContext(v -> finishing());
                }
            });
        }

        @Override
        History readHistory(RunView view) {
            boolean tail = q.tail() != null;
            first = read(tail, tail ? q.tail() : pageSize);
            return new History(List.of(), view.finished(), ApiStatus.run(view.status));
        }

        private ReadModel.LogPage read(boolean tail, int limit) {
            return stores.logs(new ReadModel.LogQuery(runId, q.step(), q.attempt(), position, tail, limit,
                    s.config().getInt(GatewayConfig.LOGS_PAGE_MAX_BYTES)));
        }

        @Override
        void onHistory(History h) {
            finishedAtStart = h.finished();
            consume(first, q.tail() == null);
            first = null;
        }

        private void consume(ReadModel.LogPage page, boolean forward) {
            for (ReadModel.LogEntry e : page.items()) {
                emit(e.key(), e.json());
                position = e.position();
            }
            boolean again = (forward && page.more()) || heldOverflow;
            heldOverflow = false;
            if (again) {
                nextPage();
            } else {
                historyDone();
            }
        }

        private void nextPage() {
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                response.drainHandler(v -> nextPage()); // the client has not taken the last page yet
                return;
            }
            replies.blocking(() -> read(false, pageSize)).onComplete(ar -> {
                if (closed) {
                    return;
                }
                if (ar.failed()) {
                    log.warn("Log stream of run {} cannot read on: {}", runId, ar.cause().toString());
                    end("UNKNOWN");
                    return;
                }
                consume(ar.result(), true);
            });
        }

        private void historyDone() {
            historyDone = true;
            held.sort(Comparator.comparingLong(LiveFeed.LogItem::time).thenComparing(LiveFeed.LogItem::key));
            held.forEach(i -> emit(i.key(), i.json()));
            held.clear();
            if (finishedAtStart) {
                finishing();
            }
        }

        private void live(LiveFeed.LogItem item) {
            if (closed) {
                return;
            }
            if (!historyDone) {
                if (held.size() < MAX_HELD) {
                    held.add(item);
                } else {
                    heldOverflow = true; // stored: the next history page has them
                }
            } else {
                emit(item.key(), item.json());
            }
        }

        private void finishing() {
            if (ending || closed) {
                return;
            }
            if (!historyDone) {
                finishedAtStart = true; // end once the history is out
                return;
            }
            ending = true;
            long linger = s.config().getLong(GatewayConfig.SSE_LOGS_LINGER_MS);
            Runnable done = () -> replies.blocking(() -> runs.runOrPending(runId)).onComplete(ar -> {
                RunView v = ar.succeeded() ? ar.result() : null;
                end(v == null ? "FINISHED" : ApiStatus.run(v.status));
            });
            if (linger == 0) {
                done.run();
            } else {
                vertx.setTimer(linger, id -> done.run());
            }
        }

        private void emit(String key, byte[] json) {
            // runId|time|step|attempt|seq
            int seqAt = key.lastIndexOf('|');
            int attemptAt = key.lastIndexOf('|', seqAt - 1);
            int stepAt = key.lastIndexOf('|', attemptAt - 1);
            String step = key.substring(stepAt + 1, attemptAt);
            if (q.step() != null && !q.step().equals(step)) {
                return;
            }
            String attempt = key.substring(attemptAt + 1, seqAt);
            if (q.attempt() != null && Integer.parseInt(attempt) != q.attempt()) {
                return;
            }
            long seq = Long.parseLong(key.substring(seqAt + 1));
            String group = step + "|" + attempt;
            Long last = lastSeq.get(group);
            if (last == null || seq > last) {
                lastSeq.put(group, seq);
                send(null, "log", json);
            }
        }
    }
}
