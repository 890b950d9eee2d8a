package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.json.Json;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Request parsing shared by every handler: path and query parameters, page sizes and cursors, JSON bodies. Each
 * refuses bad input with a 400 naming the parameter (and, for body fields, a {@code problems} list with paths).
 */
final class Requests {
    private Requests() {}

    private static final int MAX_TAG_KEY = 100;
    private static final int MAX_TAG_VALUE = 256;

    /** Cursor forms: what each list's nextCursor decodes to. */
    static final Pattern RUN_ORDER = Pattern.compile("\\d{19}\\|[A-Za-z0-9._:-]{1,200}");
    static final Pattern TIME_ORDER = Pattern.compile("\\d{19}\\|[^|\\p{Cntrl}]{1,1000}");
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
    static final Pattern STEP_POSITION = Pattern.compile("\\d{1,9}");
    static final Pattern ASSET_KEY = Pattern.compile("[^|\\p{Cntrl}]{1,1000}");

    // ---- path ----

    /** A path parameter ({@code {name}}, {@code {id}}, ...). */
    static String path(RoutingContext ctx, String name) {
        return ctx.pathParam(name);
    }

    /** The asset key of an asset route: the rest of the path, percent-decoded if it was encoded. */
    static String assetKey(RoutingContext ctx) {
        String raw = ctx.pathParam("key");
        return raw.contains("%") ? URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8) : raw;
    }

    // ---- query ----

    /** A query parameter, or null. */
    static String query(RoutingContext ctx, String name) {
        return ctx.request().getParam(name);
    }

    /** The page size: {@code limit}, 1 to {@code gateway.page.max}, default {@code gateway.page.default}. */
    static int limit(RoutingContext ctx, GatewayConfig config) {
        int max = config.getInt(GatewayConfig.PAGE_MAX);
        return intParam("limit", query(ctx, "limit"), 1, max, Math.min(config.getInt(GatewayConfig.PAGE_DEFAULT), max));
    }

    static int offset(RoutingContext ctx) {
        return intParam("offset", query(ctx, "offset"), 0, Integer.MAX_VALUE, 0);
    }

    /** The decoded cursor, if any: base64url of UTF-8 text without control characters, else 400. */
    static String cursor(RoutingContext ctx) {
        return cursor(ctx, null);
    }

    /** The decoded cursor, if any, which must also have {@code form} (what the list's nextCursor decodes to). */
    static String cursor(RoutingContext ctx, Pattern form) {
        String c = query(ctx, "cursor");
        return c == null || c.isEmpty() ? null : cursorValue(c, form);
    }

    static String cursorValue(String c, Pattern form) {
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Base64.getUrlDecoder().decode(c))).toString();
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw badCursor();
        }
        if (decoded.isEmpty() || decoded.chars().anyMatch(Character::isISOControl) || (form != null && !form.matcher(decoded).matches())) {
            throw badCursor();
        }
        return decoded;
    }

    static ApiError badCursor() {
        return new ApiError(400, ApiError.INVALID_REQUEST, "invalid cursor: pass the nextCursor of the previous page unchanged",
                Map.of("problems", List.of(problem("cursor", "not a cursor of this list"))));
    }

    static int intParam(String name, String value, int min, int max, int dflt) {
        return value == null || value.isEmpty() ? dflt : intParam(name, value, min, max);
    }

    static int intParam(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw ApiError.badRequest(name + " must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer");
        }
    }

    static long longParam(String name, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw ApiError.badRequest(name + " must not be negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer");
        }
    }

    // ---- body ----

    /** One entry of a 400's {@code problems}: where in the request, and what is wrong there. */
    record Problem(String path, String message) {}

    static Problem problem(String path, String message) {
        return new Problem(path, message);
    }

    /** The body as a JSON object (empty when there is none); 415 when it is not JSON, 400 when it is not an object. */
    static JsonNode jsonBody(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
            return Json.MAPPER.createObjectNode();
        }
        String ct = ctx.request().getHeader("Content-Type");
        if (ct != null && !ct.toLowerCase(Locale.ROOT).contains("json")) {
            throw new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(ctx.body().buffer().getBytes());
            if (n == null || n.isNull() || n.isMissingNode()) {
                return Json.MAPPER.createObjectNode();
            }
            if (!n.isObject()) {
                throw ApiError.badRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw ApiError.badRequest("the body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isValueNode() || n.isBinary()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, field + " must be a string",
                    Map.of("problems", List.of(problem(field, "must be a string"))));
        }
        return n.asText();
    }

    static long longValue(JsonNode n, String field) {
        if (!n.canConvertToLong()) {
            throw ApiError.badRequest(field + " must be an integer");
        }
        long v = n.asLong();
        if (v < 0) {
            throw ApiError.badRequest(field + " must not be negative");
        }
        return v;
    }

    /** A JSON object of scalars as strings (numbers and booleans as written); {@code tags} also bounds key and value sizes. */
    static Map<String, String> stringMap(JsonNode body, String field, boolean tags) {
        JsonNode n = body.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, field + " must be an object",
                    Map.of("problems", List.of(problem(field, "must be an object of strings"))));
        }
        List<Problem> problems = new ArrayList<>();
        n.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v == null || v.isNull() || !v.isValueNode()) {
                problems.add(problem(field + "." + e.getKey(), "must be a string, number or boolean"));
            } else if (tags && (e.getKey().isEmpty() || e.getKey().length() > MAX_TAG_KEY || v.asText().length() > MAX_TAG_VALUE)) {
                problems.add(problem(field + "." + e.getKey(), "tag keys have 1-" + MAX_TAG_KEY + " characters, values up to " + MAX_TAG_VALUE));
            } else {
                out.put(e.getKey(), v.asText());
            }
        });
        if (!problems.isEmpty()) {
            throw new ApiError(400, ApiError.INVALID_REQUEST, "invalid " + field, Map.of("problems", problems));
        }
        return out;
    }

    // ---- audit ----

    /** Sets the audited resource once the handler knows it. */
    static void auditResource(RoutingContext ctx, String resource) {
        Http.AuditInfo a = ctx.get(Http.AUDIT);
        if (a != null) {
            a.resource = resource;
        }
    }
}
