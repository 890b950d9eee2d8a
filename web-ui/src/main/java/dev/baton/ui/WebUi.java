package dev.baton.ui;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Mounts the web UI on a router: the files under {@value #WEBROOT} at {@value #STATIC_PREFIX}, and index.html for
 * every other GET outside {@code /api}, {@code /health} and {@code /metrics}, so a page's URL ({@code /runs/<id>})
 * can be shared and reloaded (history-API routing). Mount it after the API routes.
 */
public final class WebUi {
    /** Classpath folder of the UI's files. */
    public static final String WEBROOT = "dev/baton/ui/webroot";
    /** URL prefix of the UI's static files. */
    public static final String STATIC_PREFIX = "/ui/";
    /** The pages index.html answers for: anything but the API, health, metrics and the static files. */
    static final String PAGES = "^/(?!api(/|$)|health$|metrics$|ui/).*";

    private WebUi() {}

    public static void mount(Router router) {
        // No method on these routes: the gateway's route table (its Api enum) stays the only source of methods.
        StaticHandler files = StaticHandler.create(WEBROOT).setCachingEnabled(false).setDirectoryListing(false)
                .setIncludeHidden(false);
        router.route(STATIC_PREFIX + "*").handler(ctx -> {
            if (isRead(ctx)) {
                ctx.response().putHeader("X-Content-Type-Options", "nosniff");
                files.handle(ctx);
            } else {
                ctx.next();
            }
        });
        router.routeWithRegex(PAGES).handler(ctx -> {
            if (!isRead(ctx)) {
                ctx.next();
                return;
            }
            ctx.response()
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("X-Frame-Options", "DENY")
                    .putHeader("Referrer-Policy", "no-referrer") // a ?token= link must not leak through Referer
                    .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
            ctx.response().sendFile(WEBROOT + "/index.html");
        });
    }

    private static boolean isRead(RoutingContext ctx) {
        return ctx.request().method().equals(HttpMethod.GET) || ctx.request().method().equals(HttpMethod.HEAD);
    }
}
