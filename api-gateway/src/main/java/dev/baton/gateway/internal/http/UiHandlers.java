package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.RunEvent;
import dev.baton.gateway.internal.api.RunResponses;
import dev.baton.gateway.internal.api.UiResponses;
import dev.baton.gateway.internal.json.Json;
import dev.baton.gateway.internal.readmodel.ApiViews;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunFold;
import dev.baton.gateway.internal.readmodel.RunView;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * What the web UI needs beyond the REST API: a browser session (the token in an HttpOnly, SameSite=Strict cookie,
 * so the page's scripts never hold it and the live streams, which cannot send headers, are authenticated), who the
 * caller is, and a run's state after any of its events, replayed with the read model's own fold.
 */
final class UiHandlers {
    /** The session cookie: holds the API token, so revoking the token ends the session at once. */
    static final String COOKIE = "baton_session";
    /** Requests authenticated by the cookie that change state must carry this header (a cross-site form cannot). */
    static final String CSRF_HEADER = "X-Baton-UI";
    /** A script-readable companion of the session cookie (no secret in it): tells the page a session may exist. */
    static final String HINT_COOKIE = "baton_ui";
    private static final int MAX_EVENTS = 100_000;

    private final ReadStores stores;
    private final Replies replies;
    private final Http http;

    UiHandlers(ReadStores stores, Replies replies) {
        this.stores = stores;
        this.replies = replies;
        this.http = replies.http();
    }

    /**
     * The token of the request: the bearer token, else the session cookie. A cookie-authenticated request that is
     * not a read must carry {@link #CSRF_HEADER}.
     */
    static String token(RoutingContext ctx, String authorization) {
        if (authorization != null) {
            return authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : null;
        }
        Cookie c = ctx.request().getCookie(COOKIE);
        if (c == null || c.getValue().isEmpty()) {
            return null;
        }
        HttpMethod m = ctx.request().method();
        if (!m.equals(HttpMethod.GET) && !m.equals(HttpMethod.HEAD) && ctx.request().getHeader(CSRF_HEADER) == null) {
            throw new ApiError(403, ApiError.FORBIDDEN, "a request authenticated by the session cookie that changes state needs the "
                    + CSRF_HEADER + " header");
        }
        return c.getValue();
    }

    /** POST /api/v1/session: the bearer token (already checked) becomes the session cookie. */
    void createSession(RoutingContext ctx) {
        TokenStore.Principal p = ctx.get(Http.PRINCIPAL);
        String token = token(ctx, ctx.request().getHeader("Authorization"));
        Cookie c = Cookie.cookie(COOKIE, token).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setSecure(ctx.request().isSSL());
        ctx.response().addCookie(c);
        ctx.response().addCookie(Cookie.cookie(HINT_COOKIE, "1").setPath("/").setSameSite(CookieSameSite.STRICT)
                .setSecure(ctx.request().isSSL()));
        http.json(ctx, 200, whoami(p));
    }

    /** DELETE /api/v1/session: forgets the cookie. */
    void deleteSession(RoutingContext ctx) {
        ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setMaxAge(0));
        ctx.response().addCookie(Cookie.cookie(HINT_COOKIE, "").setPath("/").setSameSite(CookieSameSite.STRICT).setMaxAge(0));
        http.json(ctx, 200, new UiResponses.SignedOut(true));
    }

    void whoami(RoutingContext ctx) {
        TokenStore.Principal p = ctx.get(Http.PRINCIPAL);
        http.json(ctx, 200, whoami(p));
    }

    private static UiResponses.Whoami whoami(TokenStore.Principal p) {
        return new UiResponses.Whoami(p.name(), p.role().id(), CSRF_HEADER);
    }

    /** GET /api/v1/runs/{id}/state?sequence=N: the run as the read model showed it right after event N. */
    void runState(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String seqParam = ctx.request().getParam("sequence");
        long upTo = seqParam == null ? Long.MAX_VALUE : Requests.longParam("sequence", seqParam);
        if (upTo < 1) {
            throw ApiError.badRequest("sequence must be at least 1");
        }
        replies.ok(ctx, () -> {
            List<byte[]> stored = stores.events(id, 0, MAX_EVENTS);
            if (stored.isEmpty()) {
                throw ApiError.notFound("no events of run " + id);
            }
            RunView view = null;
            JsonNode last = null;
            for (byte[] b : stored) {
                JsonNode n = Json.tree(b);
                if (n.get("sequence").asLong() > upTo) {
                    break;
                }
                RunEvent e = EventTrees.toEvent(n, stores::jobVersion);
                view = RunFold.apply(view == null ? null : Json.read(Json.bytes(view), RunView.class), e);
                last = n;
            }
            return new RunResponses.StateAt(id, last == null ? 0 : last.get("sequence").asLong(),
                    Json.tree(stored.get(stored.size() - 1)).get("sequence").asLong(), last,
                    view == null ? null : ApiViews.runDetail(view));
        });
    }
}
