package dev.baton.schemas.serde.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.schemas.serde.AvroSerdeConfig;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry transports of a JVM share one JDK client per connect timeout, closed with its last transport. */
class SharedHttpClientsTest {
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpRegistryTransport transport(Object... kv) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + server.getAddress().getPort());
        for (int i = 0; i < kv.length; i += 2) {
            config.put((String) kv[i], kv[i + 1]);
        }
        return new HttpRegistryTransport(new AvroSerdeConfig(config));
    }

    @Test
    void transportsShareOneClientUntilTheLastCloses() {
        HttpRegistryTransport a = transport(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 4321);
        HttpRegistryTransport b = transport(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 4321);
        HttpClient shared = a.client();
        assertThat(b.client()).isSameAs(shared);

        a.close();
        assertThat(shared.isTerminated()).isFalse();
        assertThat(b.call("GET", "/subjects", null).path("ok").asBoolean()).isTrue();

        // A closed transport stays usable: its next request takes a share again.
        assertThat(a.call("GET", "/subjects", null).path("ok").asBoolean()).isTrue();
        assertThat(a.client()).isSameAs(shared);
        a.close();
        b.close();
        assertThat(shared.isTerminated()).isTrue();

        HttpRegistryTransport c = transport(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 4321);
        assertThat(c.client()).isNotSameAs(shared);
        assertThat(c.call("GET", "/subjects", null).path("ok").asBoolean()).isTrue();
        c.close();
    }

    @Test
    void anotherConnectTimeoutOrTlsStoresGetTheirOwnClient(@TempDir Path dir) throws Exception {
        Path trust = dir.resolve("trust.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (var out = Files.newOutputStream(trust)) {
            empty.store(out, "secret".toCharArray());
        }
        HttpRegistryTransport a = transport(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 1111);
        HttpRegistryTransport b = transport(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 2222);
        HttpRegistryTransport tls = transport(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 1111,
                AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION, trust.toString(),
                AvroSerdeConfig.SSL_TRUSTSTORE_TYPE, "PKCS12",
                AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD, "secret");
        assertThat(b.client()).isNotSameAs(a.client());
        assertThat(tls.client()).isNotSameAs(a.client());

        HttpClient own = tls.client();
        tls.close();
        assertThat(own.isTerminated()).isTrue();
        assertThat(a.client().isTerminated()).isFalse();
        a.close();
        b.close();
    }
}
