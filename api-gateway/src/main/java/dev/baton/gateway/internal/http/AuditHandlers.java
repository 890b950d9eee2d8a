package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.Page;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** {@code GET /api/v1/audit}: the audit topic, filtered by actor, action and time, oldest first, with a cursor. */
final class AuditHandlers {
    private final Replies replies;
    private final Http http;
    private final dev.baton.gateway.GatewayConfig config;
    private final AuditReader reader;

    AuditHandlers(Services s, Replies replies) {
        this.replies = replies;
        this.http = replies.http();
        this.config = s.config();
        this.reader = new AuditReader(s.config().kafkaClient(), s.config().registry(), s.topics().audit(),
                s.config().getInt(GatewayConfig.AUDIT_SCAN_MAX), s.config().requestTimeout());
    }

    void list(RoutingContext ctx) {
        String cursor = ctx.request().getParam("cursor");
        Map<Integer, Long> positions;
        try {
            positions = AuditReader.decode(cursor);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid cursor: pass the nextCursor of the previous page unchanged");
        }
        AuditReader.Query q = new AuditReader.Query(blankToNull(ctx.request().getParam("actor")),
                blankToNull(ctx.request().getParam("action")), instant(ctx, "from"), instant(ctx, "to"), positions, Requests.limit(ctx, config));
        replies.reply(ctx, replies.blocking(() -> reader.read(q)).map(p -> {
            http.json(ctx, 200, new Page<>(p.items(), p.limit(), p.nextCursor())); // the reader's cursor is encoded already
            return null;
        }));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static Instant instant(RoutingContext ctx, String name) {
        String v = blankToNull(ctx.request().getParam(name));
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant such as 2026-12-05T10:00:00Z");
        }
    }
}
