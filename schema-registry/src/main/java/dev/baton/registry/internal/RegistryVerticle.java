package dev.baton.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.registry.internal.RegistryService.Canonical;
import dev.baton.registry.internal.RegistryState.StoredSchema;
import dev.baton.registry.internal.RegistryState.Version;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API over {@link RegistryService}. Handlers never block the event
 * loop: reads of the in-memory state answer directly, schema parsing runs in {@code executeBlocking},
 * writes complete from the registry's writer thread.
 */
public final class RegistryVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(RegistryVerticle.class);
    public static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
    private static final Set<String> ACCEPTED_BODY_TYPES = Set.of(V1_JSON, "application/vnd.schemaregistry+json",
            "application/json", "application/octet-stream");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final RegistryService service;
    private final String host;
    private final int requestedPort;
    private volatile HttpServer server;

    public RegistryVerticle(RegistryService service, String host, int port) {
        this.service = service;
        this.host = host;
        this.requestedPort = port;
    }

    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(this::checkContentType);
        router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));

        router.get("/").handler(ctx -> ok(ctx, F.objectNode()));
        router.get("/subjects").handler(ctx -> read(ctx, () -> array(service.subjects(flag(ctx, "deleted"), ctx.queryParams().get("subjectPrefix")))));
        router.get("/subjects/:subject/versions").handler(ctx -> read(ctx, () -> array(service.versions(subject(ctx), flag(ctx, "deleted")))));
        router.get("/subjects/:subject/versions/:version").handler(ctx -> read(ctx,
                () -> versionNode(service.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")))));
        router.get("/subjects/:subject/versions/:version/schema").handler(ctx -> {
            try {
                raw(ctx, service.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")).schema());
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
        });
        router.post("/subjects/:subject/versions").handler(ctx -> withSchema(ctx,
                c -> Future.fromCompletionStage(service.register(subject(ctx), c)).map(id -> F.objectNode().put("id", id))));
        router.post("/subjects/:subject").handler(ctx -> withSchema(ctx,
                c -> Future.succeededFuture(versionNode(service.lookup(subject(ctx), c, flag(ctx, "deleted"))))));
        router.delete("/subjects/:subject").handler(ctx -> respond(ctx,
                Future.fromCompletionStage(service.deleteSubject(subject(ctx), flag(ctx, "permanent"))).map(RegistryVerticle::array)));
        router.delete("/subjects/:subject/versions/:version").handler(ctx -> respond(ctx,
                Future.fromCompletionStage(service.deleteVersion(subject(ctx), ctx.pathParam("version"), flag(ctx, "permanent")))
                        .map(v -> F.numberNode(v))));

        router.get("/schemas/types").handler(ctx -> ok(ctx, F.arrayNode().add(RegistryService.AVRO)));
        router.get("/schemas/ids/:id").handler(ctx -> read(ctx, () -> {
            StoredSchema s = service.schemaById(id(ctx));
            ObjectNode out = F.objectNode();
            if (!RegistryService.AVRO.equals(s.schemaType())) {
                out.put("schemaType", s.schemaType());
            }
            return out.put("schema", s.schema());
        }));
        router.get("/schemas/ids/:id/schema").handler(ctx -> {
            try {
                raw(ctx, service.schemaById(id(ctx)).schema());
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
        });
        router.get("/schemas/ids/:id/versions").handler(ctx -> read(ctx, () -> {
            ArrayNode out = F.arrayNode();
            service.usages(id(ctx)).forEach(v -> out.addObject().put("subject", v.subject()).put("version", v.version()));
            return out;
        }));

        router.post("/compatibility/subjects/:subject/versions/:version").handler(ctx -> compatibility(ctx, ctx.pathParam("version")));
        router.post("/compatibility/subjects/:subject/versions").handler(ctx -> compatibility(ctx, null));

        router.get("/config").handler(ctx -> read(ctx, () -> F.objectNode().put("compatibilityLevel", service.globalLevel().name())));
        router.put("/config").handler(ctx -> setLevel(ctx, null));
        router.delete("/config").handler(ctx -> respond(ctx, Future.fromCompletionStage(
                service.setLevel(null, CompatibilityLevel.DEFAULT)).map(l -> F.objectNode().put("compatibilityLevel", l.name()))));
        router.get("/config/:subject").handler(ctx -> read(ctx, () -> F.objectNode().put("compatibilityLevel",
                service.subjectLevel(subject(ctx), flag(ctx, "defaultToGlobal")).name())));
        router.put("/config/:subject").handler(ctx -> setLevel(ctx, subject(ctx)));
        router.delete("/config/:subject").handler(ctx -> respond(ctx, Future.fromCompletionStage(
                service.deleteSubjectLevel(subject(ctx))).map(l -> F.objectNode().put("compatibilityLevel", l.name()))));

        router.get("/mode").handler(ctx -> ok(ctx, F.objectNode().put("mode", "READWRITE")));
        router.get("/mode/:subject").handler(ctx -> ok(ctx, F.objectNode().put("mode", "READWRITE")));

        router.errorHandler(404, ctx -> error(ctx, 404, 404, "HTTP 404 Not Found"));
        router.errorHandler(405, ctx -> error(ctx, 405, 405, "HTTP 405 Method Not Allowed"));
        router.errorHandler(413, ctx -> error(ctx, 413, 413, "HTTP 413 Request Entity Too Large"));
        router.errorHandler(500, ctx -> fail(ctx, ctx.failure() != null ? ctx.failure() : new IllegalStateException("internal error")));

        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(requestedPort))
                .requestHandler(router)
                .listen()
                .onSuccess(s -> server = s);
    }

    // ---------------------------------------------------------------- handlers

    private void checkContentType(RoutingContext ctx) {
        String method = ctx.request().method().name();
        if ("POST".equals(method) || "PUT".equals(method)) {
            String type = ctx.request().getHeader("Content-Type");
            if (type != null && !type.isBlank()) {
                String bare = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (!ACCEPTED_BODY_TYPES.contains(bare)) {
                    error(ctx, 415, 415, "HTTP 415 Unsupported Media Type");
                    return;
                }
            }
        }
        ctx.next();
    }

    private void withSchema(RoutingContext ctx, java.util.function.Function<Canonical, Future<JsonNode>> then) {
        JsonNode body;
        try {
            body = body(ctx);
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        Future<Canonical> parsed = vertx.executeBlocking(() -> RegistryService.canonical(body.path("schemaType").asText(null),
                body.path("schema").isTextual() ? body.path("schema").asText() : null, body.path("references").size() > 0), false);
        respond(ctx, parsed.compose(then::apply));
    }

    private void compatibility(RoutingContext ctx, String version) {
        boolean verbose = flag(ctx, "verbose");
        withSchema(ctx, c -> vertx.executeBlocking(() -> {
            List<String> messages = service.compatibility(subject(ctx), version, c);
            ObjectNode out = F.objectNode().put("is_compatible", messages.isEmpty());
            if (verbose) {
                out.set("messages", array(messages));
            }
            return out;
        }, false));
    }

    private void setLevel(RoutingContext ctx, String subject) {
        try {
            JsonNode body = body(ctx);
            CompatibilityLevel level = CompatibilityLevel.parse(body.path("compatibility").asText(null));
            respond(ctx, Future.fromCompletionStage(service.setLevel(subject, level)).map(l -> F.objectNode().put("compatibility", l.name())));
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    private static JsonNode body(RoutingContext ctx) {
        Buffer buffer = ctx.body().buffer();
        if (buffer == null || buffer.length() == 0) {
            throw new RegistryError(422, RegistryError.INVALID_SCHEMA, "Request body is empty");
        }
        try {
            JsonNode node = JSON.readTree(buffer.getBytes());
            if (node == null || !node.isObject()) {
                throw new RegistryError(400, 400, "Request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new RegistryError(400, 400, "Unreadable JSON: " + e.getMessage());
        }
    }

    private static String subject(RoutingContext ctx) {
        return ctx.pathParam("subject");
    }

    private static int id(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new RegistryError(404, RegistryError.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
        }
    }

    private static boolean flag(RoutingContext ctx, String name) {
        return Boolean.parseBoolean(ctx.queryParams().get(name));
    }

    private static ArrayNode array(List<?> values) {
        ArrayNode out = F.arrayNode();
        values.forEach(v -> out.add(v instanceof Integer i ? F.numberNode(i) : F.textNode(String.valueOf(v))));
        return out;
    }

    private static ObjectNode versionNode(Version v) {
        ObjectNode out = F.objectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id());
        if (!RegistryService.AVRO.equals(v.schemaType())) {
            out.put("schemaType", v.schemaType());
        }
        return out.put("schema", v.schema());
    }

    // ---------------------------------------------------------------- responses

    private void read(RoutingContext ctx, Supplier<JsonNode> read) {
        try {
            ok(ctx, read.get());
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    private void respond(RoutingContext ctx, Future<? extends JsonNode> result) {
        result.onComplete(ar -> {
            if (ar.succeeded()) {
                ok(ctx, ar.result());
            } else {
                fail(ctx, ar.cause());
            }
        });
    }

    private static void ok(RoutingContext ctx, JsonNode body) {
        send(ctx, 200, body);
    }

    private static void raw(RoutingContext ctx, String json) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", responseType(ctx)).end(json);
    }

    private static void fail(RoutingContext ctx, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RegistryError re) {
            error(ctx, re.status(), re.code(), re.getMessage());
        } else {
            log.error("Schema registry request {} {} failed", ctx.request().method(), ctx.request().path(), cause);
            error(ctx, 500, RegistryError.BACKEND_ERROR, "Error in the backend data store: " + cause);
        }
    }

    private static void error(RoutingContext ctx, int status, int code, String message) {
        send(ctx, status, F.objectNode().put("error_code", code).put("message", message));
    }

    private static void send(RoutingContext ctx, int status, JsonNode body) {
        if (ctx.response().ended()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", responseType(ctx))
                    .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            ctx.response().setStatusCode(500).end();
        }
    }

    /** Confluent answers in its own media type unless the client asked for plain JSON only. */
    private static String responseType(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        if (accept == null || accept.contains("application/vnd.schemaregistry") || accept.contains("*/*")
                || !accept.contains("application/json")) {
            return V1_JSON;
        }
        return "application/json";
    }
}
