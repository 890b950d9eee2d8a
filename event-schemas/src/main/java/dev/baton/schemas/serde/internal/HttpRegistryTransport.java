package dev.baton.schemas.serde.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.baton.schemas.serde.AvroSerdeConfig;
import dev.baton.schemas.serde.SchemaRegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry REST API over {@link HttpClient}. Requests go to the URL that answered last; on a
 * connection failure (no HTTP response at all) the next URL is tried, each once per request.
 * HTTP error responses are not retried elsewhere: they are answers.
 */
public final class HttpRegistryTransport implements RegistryTransport {
    private static final Logger log = LoggerFactory.getLogger(HttpRegistryTransport.class);
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** Confluent's client sends this Accept header; every compatible registry understands it. */
    static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Endpoint(String base, String authorization) {}

    private final List<Endpoint> endpoints;
    private final HttpClient.Builder clientBuilder;
    /** The key of the JVM's shared client this transport uses; null with its own TLS stores (its own client). */
    private final Duration sharedKey;
    private volatile HttpClient http;
    private final Duration requestTimeout;
    private final AtomicInteger current = new AtomicInteger();

    public HttpRegistryTransport(AvroSerdeConfig config) {
        List<String> urls = config.getList(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        String source = config.getString(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE);
        String userInfo = config.basicAuthUserInfo();
        if ("USER_INFO".equals(source) && (userInfo == null || userInfo.isBlank())) {
            throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_USER_INFO, null,
                    "must be user:password when basic.auth.credentials.source=USER_INFO");
        }
        List<Endpoint> list = new ArrayList<>();
        for (String raw : urls) {
            URI uri = parse(raw.trim());
            String authorization = null;
            if ("USER_INFO".equals(source)) {
                authorization = basic(userInfo);
            } else if (uri.getRawUserInfo() != null) {
                authorization = basic(URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8));
            }
            String base = uri.getScheme() + "://" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
                    + (uri.getRawPath() == null ? "" : uri.getRawPath());
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            list.add(new Endpoint(base, authorization));
        }
        this.endpoints = List.copyOf(list);
        this.requestTimeout = Duration.ofMillis(config.getInt(AvroSerdeConfig.HTTP_READ_TIMEOUT_MS));
        HttpClient.Builder builder = HttpClient.newBuilder()
                // Registries speak HTTP/1.1; HTTP/2 would send an h2c upgrade some of them reject.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.getInt(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS)))
                .followRedirects(HttpClient.Redirect.NORMAL);
        SSLContext ssl = SslContexts.fromConfig(config);
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.clientBuilder = builder;
        // Without TLS stores of its own, every transport of the JVM with this connect timeout uses one client: a
        // process has a serde per event type (eight in a coordinator, dozens in `baton dev`), and each JDK client
        // is a selector thread, a connection pool and, when built, the JDK's default TLS context and selector set-up
        // on the starting thread (a sixth of a restarted coordinator's main-thread samples; docs/benchmarks.md).
        this.sharedKey = ssl == null ? Duration.ofMillis(config.getInt(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS)) : null;
        this.http = open();
    }

    private HttpClient open() {
        return sharedKey == null ? clientBuilder.build() : SharedHttpClients.acquire(sharedKey, clientBuilder::build);
    }


    /**
     * The client requests go through now (tests: which transports share one). After {@link #close()} the next request
     * opens a new client (the owner may still be in use).
     */
    HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                c = http;
                if (c == null) {
                    c = open();
                    http = c;
                }
            }
        }
        return c;
    }

    private static URI parse(String raw) {
        try {
            URI uri = URI.create(raw);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getRawAuthority() == null) {
                throw new IllegalArgumentException("scheme must be http or https");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, raw, "not a registry URL: " + e.getMessage());
        }
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    public List<String> urls() {
        return endpoints.stream().map(Endpoint::base).toList();
    }

    @Override
    public JsonNode call(String method, String pathAndQuery, JsonNode body) {
        byte[] payload;
        try {
            payload = body == null ? null : JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int start = current.get();
        IOException last = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int index = (start + i) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.base() + pathAndQuery))
                    .timeout(requestTimeout)
                    .header("Accept", ACCEPT)
                    .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(payload));
            if (payload != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            if (endpoint.authorization() != null) {
                request.header("Authorization", endpoint.authorization());
            }
            HttpResponse<byte[]> response;
            try {
                response = client().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                last = e;
                log.debug("Schema registry {} failed for {} {}: {}", endpoint.base(), method, pathAndQuery, e.toString());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Interrupted while calling the schema registry at " + endpoint.base(), e);
            }
            if (index != start) {
                current.compareAndSet(start, index);
            }
            return handle(method, endpoint.base() + pathAndQuery, response);
        }
        throw new SchemaRegistryException("No schema registry reachable at " + urls() + " for " + method + " " + pathAndQuery
                + ": " + last, last);
    }

    private static JsonNode handle(String method, String url, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        byte[] bytes = response.body();
        if (status >= 200 && status < 300) {
            if (bytes == null || bytes.length == 0) {
                return NullNode.getInstance();
            }
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new SchemaRegistryException(status, status, "Unreadable JSON from " + method + " " + url + ": " + e.getMessage());
            }
        }
        int code = status;
        String message = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
        try {
            JsonNode error = JSON.readTree(bytes);
            if (error != null && error.isObject()) {
                code = error.path("error_code").asInt(status);
                message = error.path("message").asText(message);
            }
        } catch (IOException | RuntimeException ignored) {
            // not a Confluent error body; keep the raw text
        }
        if (message.length() > 500) {
            message = message.substring(0, 500) + "...";
        }
        throw new SchemaRegistryException(status, code,
                "HTTP " + status + " (error_code " + code + ") from " + method + " " + url + ": " + message);
    }

    /** Closes this transport's client, or gives up its share of the JVM's shared one (closed with the last share). */
    @Override
    public synchronized void close() {
        HttpClient c = http;
        http = null;
        if (c == null) {
            return;
        }
        if (sharedKey == null) {
            c.close();
        } else {
            SharedHttpClients.release(sharedKey, c);
        }
    }
}
