package dev.baton.jobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.TemplateException;
import dev.baton.jobs.TemplateReference;
import dev.baton.jobs.Templates;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Template values in http steps as data: percent-encoded in URL components, JSON-encoded in JSON bodies,
 * percent-encoded in form bodies, and never a line break in a header. {@code ${{ secrets.NAME }}} passes through
 * as written everywhere (the agent resolves it).
 */
public final class HttpValues {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JSON_LITERAL = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null");
    private static final Pattern HOST_PART = Pattern.compile("[A-Za-z0-9._~:\\[\\]-]*");
    private static final Pattern BASE_URL = Pattern.compile("(?i)https?://[^\\s\\u0000-\\u001f\\u007f]*");

    private HttpValues() {}

    private static boolean secret(TemplateReference ref) {
        return ref.namespace().equals(TemplateGrammar.SECRETS);
    }

    /**
     * The URL with values placed as data: a reference at the very start is the base URL (it must be an http(s) URL);
     * one inside the scheme or host must be a host name or port; anywhere after the host (path, query, fragment)
     * the value is percent-encoded (everything but {@code A-Z a-z 0-9 - . _ ~}), so it cannot add path segments,
     * query parameters or change the host.
     */
    public static String resolveUrl(String url, TemplateContext ctx) {
        if (!Templates.containsTemplates(url)) {
            return url;
        }
        StringBuilder out = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int last = 0;
        for (TemplateReference ref : Templates.references(url)) {
            String value = Templates.evaluate(ref, ctx);
            String before = url.substring(last, ref.start());
            out.append(before);
            literal.append(before);
            last = ref.end();
            if (secret(ref)) {
                out.append(value);
                continue;
            }
            if (ref.start() == 0) {
                if (!BASE_URL.matcher(value).matches()) {
                    throw new TemplateException(ref.expression(), "a value at the start of a url must be an http(s) URL"
                            + " without spaces or control characters");
                }
                out.append(value);
                // What the base supplied counts as written: later values land in its path or query.
                literal.append(value.contains("://") && value.indexOf('/', value.indexOf("://") + 3) < 0 ? value + "/" : value);
                continue;
            }
            if (inAuthority(literal)) {
                if (!HOST_PART.matcher(value).matches()) {
                    throw new TemplateException(ref.expression(), "a value in the scheme or host of a url may only"
                            + " contain letters, digits, '.', '-', '_', '~' and ':'");
                }
                out.append(value);
                literal.append(value);
                continue;
            }
            out.append(percentEncode(value));
        }
        return out.append(url, last, url.length()).toString();
    }

    private static boolean inAuthority(CharSequence literal) {
        String text = literal.toString();
        int scheme = text.indexOf("://");
        if (scheme < 0) {
            return true; // still in the scheme
        }
        String rest = text.substring(scheme + 3);
        return rest.indexOf('/') < 0 && rest.indexOf('?') < 0 && rest.indexOf('#') < 0;
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters. */
    public static String percentEncode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A header value must stay one header: no CR, LF or NUL in any value. */
    public static void checkHeader(String name, String template, TemplateContext ctx) {
        if (!Templates.containsTemplates(template)) {
            return;
        }
        for (TemplateReference ref : Templates.references(template)) {
            String value = Templates.evaluate(ref, ctx);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\u0000') >= 0) {
                throw new TemplateException(ref.expression(), "a value in header '" + name + "' must not contain a"
                        + " line break or NUL");
            }
        }
    }

    /**
     * The body with values placed as data. A JSON body (declared by a {@code Content-Type} header containing
     * {@code json}, or a body starting with {@code {} or {@code [}): inside a string a value is JSON-escaped; outside
     * strings it is a JSON number, boolean or null when it reads as one, else a JSON string. A form body
     * ({@code application/x-www-form-urlencoded}): percent-encoded. Any other body: the value as text.
     */
    public static String resolveBody(String body, Map<String, String> headers, TemplateContext ctx) {
        if (!Templates.containsTemplates(body)) {
            return body;
        }
        String contentType = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-type"))
                .map(e -> e.getValue().toLowerCase(Locale.ROOT)).findFirst().orElse("");
        boolean json = contentType.contains("json") || contentType.isEmpty() && startsJson(body);
        boolean form = contentType.contains("x-www-form-urlencoded");
        List<TemplateReference> refs = Templates.references(body);
        StringBuilder out = new StringBuilder(body.length());
        int last = 0;
        boolean inString = false;
        for (TemplateReference ref : refs) {
            if (json) {
                inString = jsonStringState(body, last, ref.start(), inString);
            }
            String value = Templates.evaluate(ref, ctx);
            out.append(body, last, ref.start());
            last = ref.end();
            if (secret(ref)) {
                out.append(value);
            } else if (json) {
                out.append(inString ? jsonEscape(value) : JSON_LITERAL.matcher(value).matches() ? value : jsonString(value));
            } else if (form) {
                out.append(percentEncode(value));
            } else {
                out.append(value);
            }
        }
        return out.append(body, last, body.length()).toString();
    }

    private static boolean startsJson(String body) {
        String t = body.stripLeading();
        return t.startsWith("{") || t.startsWith("[");
    }

    /** Whether the JSON text is inside a string at {@code to}, given the state at {@code from}. */
    private static boolean jsonStringState(String text, int from, int to, boolean inString) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (inString && c == '\\') {
                i++;
            } else if (c == '"') {
                inString = !inString;
            }
        }
        return inString;
    }

    private static String jsonString(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jsonEscape(String value) {
        String quoted = jsonString(value);
        return quoted.substring(1, quoted.length() - 1);
    }
}
