package dev.baton.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.baton.events.RunEvent;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema STRING = Schema.create(Schema.Type.STRING);

    private StubRegistry stub;

    @BeforeEach
    void start() throws Exception {
        stub = new StubRegistry();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private SchemaRegistryClient client(Object... kv) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stub.url());
        for (int i = 0; i < kv.length; i += 2) {
            config.put((String) kv[i], kv[i + 1]);
        }
        return SchemaRegistryClient.create(config);
    }

    @Test
    void sendsTheRegistryMediaTypeAndOmitsSchemaTypeForAvro() throws Exception {
        try (SchemaRegistryClient client = client()) {
            client.register("s-value", RunEvent.getClassSchema());
            client.register("j-value", "{\"type\":\"object\"}", "JSON");
        } catch (SchemaRegistryException expected) {
            // the stub stores Avro only; the request is what this test checks
        }
        StubRegistry.Request avro = stub.requests.get(0);
        assertThat(avro.line()).isEqualTo("POST /subjects/s-value/versions");
        assertThat(avro.headers().getFirst("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(avro.headers().getFirst("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(JSON.readTree(avro.body()).has("schemaType")).isFalse();
        assertThat(new Schema.Parser().parse(JSON.readTree(avro.body()).get("schema").asText())).isEqualTo(RunEvent.getClassSchema());
        StubRegistry.Request json = stub.requests.get(1);
        assertThat(JSON.readTree(json.body()).get("schemaType").asText()).isEqualTo("JSON");
        assertThat(avro.headers().containsKey("Authorization")).isFalse();
    }

    @Test
    void registerLookupFetchLatestCompatibilityAndConfigUseTheDocumentedEndpoints() {
        try (SchemaRegistryClient client = client()) {
            int id = client.register("a b/c", STRING);
            assertThat(client.register("a b/c", STRING)).isEqualTo(id);
            RegisteredSchema found = client.lookup("a b/c", STRING);
            assertThat(found).isEqualTo(new RegisteredSchema("a b/c", id, 1, "AVRO", "\"string\""));
            assertThat(client.latest("a b/c").id()).isEqualTo(id);
            assertThat(client.subjects()).contains("a b/c");
            assertThat(client.testCompatibility("a b/c", Schema.create(Schema.Type.INT)).compatible()).isFalse();
            assertThat(client.testCompatibility("a b/c", STRING)).isEqualTo(new SchemaRegistryClient.Compatibility(true, List.of()));
            assertThat(client.compatibilityLevel(null)).isEqualTo("BACKWARD");
            assertThat(client.updateCompatibilityLevel("a b/c", "FULL")).isEqualTo("FULL");
            assertThat(client.compatibilityLevel("a b/c")).isEqualTo("FULL");
            assertThat(client.updateCompatibilityLevel(null, "NONE")).isEqualTo("NONE");
        }
        assertThat(stub.requests).extracting(StubRegistry.Request::line).containsExactly(
                "POST /subjects/a%20b%2Fc/versions",
                "POST /subjects/a%20b%2Fc",
                "GET /subjects/a%20b%2Fc/versions/latest",
                "GET /subjects",
                "POST /compatibility/subjects/a%20b%2Fc/versions/latest?verbose=true",
                "POST /compatibility/subjects/a%20b%2Fc/versions/latest?verbose=true",
                "GET /config",
                "PUT /config/a%20b%2Fc",
                "GET /config/a%20b%2Fc?defaultToGlobal=true",
                "PUT /config");
    }

    @Test
    void cachesSchemasByIdAndRegisteredIdsButNotFailures() {
        try (SchemaRegistryClient writer = client(); SchemaRegistryClient reader = client()) {
            int id = writer.register("s", STRING);
            for (int i = 0; i < 5; i++) {
                assertThat(writer.register("s", STRING)).isEqualTo(id);
                assertThat(reader.schemaById(id)).isEqualTo(STRING);
                assertThat(writer.schemaById(id)).isEqualTo(STRING); // known from registering it
                catchThrowableOfType(SchemaRegistryException.class, () -> reader.schemaById(999));
            }
        }
        assertThat(stub.count("POST /subjects/s/versions")).isEqualTo(1);
        assertThat(stub.count("GET /schemas/ids/1")).isEqualTo(1);
        assertThat(stub.count("GET /schemas/ids/999")).isEqualTo(5);
    }

    @Test
    void errorsCarryHttpStatusAndConfluentErrorCode() {
        try (SchemaRegistryClient client = client()) {
            SchemaRegistryException notFound = catchThrowableOfType(SchemaRegistryException.class, () -> client.latest("nope"));
            assertThat(notFound.httpStatus()).isEqualTo(404);
            assertThat(notFound.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
            assertThat(notFound.isNotFound()).isTrue();
            assertThat(notFound.isUnavailable()).isFalse();

            client.register("s", STRING);
            SchemaRegistryException incompatible = catchThrowableOfType(SchemaRegistryException.class,
                    () -> client.register("s", Schema.create(Schema.Type.INT)));
            assertThat(incompatible.httpStatus()).isEqualTo(409);
            assertThat(incompatible.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);

            stub.override(r -> new StubRegistry.Response(503, "text/html", "<h1>maintenance</h1>"));
            SchemaRegistryException html = catchThrowableOfType(SchemaRegistryException.class, () -> client.latest("s"));
            assertThat(html.httpStatus()).isEqualTo(503);
            assertThat(html.errorCode()).isEqualTo(503);
            assertThat(html.isUnavailable()).isTrue();
            assertThat(html.getMessage()).contains("maintenance");
        }
    }

    @Test
    void toleratesFieldsItDoesNotKnowInResponses() {
        stub.override(r -> r.path().startsWith("/subjects/s/versions/latest")
                ? new StubRegistry.Response(200, "application/json", "{\"subject\":\"s\",\"version\":3,\"id\":7,"
                        + "\"schema\":\"\\\"string\\\"\",\"metadata\":{\"x\":1},\"ruleSet\":null,\"guid\":\"abc\"}")
                : null);
        try (SchemaRegistryClient client = client()) {
            assertThat(client.latest("s")).isEqualTo(new RegisteredSchema("s", 7, 3, "AVRO", "\"string\""));
        }
    }

    @Test
    void sendsBasicAuthFromUserInfoOrFromTheUrl() {
        try (SchemaRegistryClient client = client(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                AvroSerdeConfig.BASIC_AUTH_USER_INFO, "alice:s3cr:et")) {
            client.subjects();
        }
        String urlWithUser = stub.url().replace("http://", "http://bob:p%40ss@");
        try (SchemaRegistryClient client = SchemaRegistryClient.create(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, urlWithUser))) {
            client.subjects();
        }
        assertThat(stub.requests.get(0).headers().getFirst("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("alice:s3cr:et".getBytes(StandardCharsets.UTF_8)));
        assertThat(stub.requests.get(1).headers().getFirst("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("bob:p@ss".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void failsOverToTheNextUrlOnConnectionFailureAndReportsUnavailableWhenNoneAnswers() throws Exception {
        String dead = "http://127.0.0.1:" + freePort();
        try (SchemaRegistryClient client = SchemaRegistryClient.create(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL,
                dead + "," + stub.url()))) {
            assertThat(client.register("s", STRING)).isEqualTo(1);
            assertThat(client.latest("s").id()).isEqualTo(1);
        }
        try (SchemaRegistryClient client = SchemaRegistryClient.create(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL,
                dead + ",http://127.0.0.1:" + freePort()))) {
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.latest("s"));
            assertThat(e.isUnavailable()).isTrue();
            assertThat(e.httpStatus()).isZero();
            assertThat(e.getMessage()).contains(dead);
        }
    }

    @Test
    void aBaseUrlWithAPathPrefixIsKept() {
        // Apicurio serves the Confluent API under /apis/ccompat/v7.
        stub.override(r -> r.path().startsWith("/apis/ccompat/v7/")
                ? new StubRegistry.Response(200, "application/json", "[\"x\"]") : new StubRegistry.Response(404, "text/plain", "no"));
        try (SchemaRegistryClient client = SchemaRegistryClient.create(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL,
                stub.url() + "/apis/ccompat/v7/"))) {
            assertThat(client.subjects()).containsExactly("x");
        }
        assertThat(stub.requests.get(0).line()).isEqualTo("GET /apis/ccompat/v7/subjects");
    }

    @Test
    void speaksTlsWithTheConfiguredTrustStoreAndClientCertificate(@TempDir Path dir) throws Exception {
        Path server = dir.resolve("server.p12");
        Path client = dir.resolve("client.p12");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", server.toString(), "-storepass", "changeit");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-dname", "CN=baton-client",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", client.toString(), "-storepass", "changeit");
        Path serverCert = dir.resolve("server.crt");
        Path clientCert = dir.resolve("client.crt");
        keytool("-exportcert", "-alias", "server", "-keystore", server.toString(), "-storepass", "changeit", "-file", serverCert.toString());
        keytool("-exportcert", "-alias", "client", "-keystore", client.toString(), "-storepass", "changeit", "-file", clientCert.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", serverCert.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", "changeit");
        Path serverTrust = dir.resolve("server-trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientCert.toString(), "-storetype", "PKCS12",
                "-keystore", serverTrust.toString(), "-storepass", "changeit");

        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        SSLContext serverSsl = SSLContext.getInstance("TLS");
        serverSsl.init(keyManagers(server), trustManagers(serverTrust), null);
        https.setHttpsConfigurator(new HttpsConfigurator(serverSsl) {
            @Override
            public void configure(HttpsParameters params) {
                var p = serverSsl.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        https.createContext("/", ex -> {
            byte[] body = "[\"tls\"]".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        https.start();
        try {
            String url = "https://127.0.0.1:" + https.getAddress().getPort();
            Map<String, Object> config = new HashMap<>(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url,
                    AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION, trust.toString(),
                    AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD, "changeit",
                    AvroSerdeConfig.SSL_TRUSTSTORE_TYPE, "PKCS12"));
            try (SchemaRegistryClient noClientCert = SchemaRegistryClient.create(config)) {
                assertThat(catchThrowableOfType(SchemaRegistryException.class, noClientCert::subjects).isUnavailable()).isTrue();
            }
            config.putAll(Map.of(AvroSerdeConfig.SSL_KEYSTORE_LOCATION, client.toString(),
                    AvroSerdeConfig.SSL_KEYSTORE_PASSWORD, "changeit",
                    AvroSerdeConfig.SSL_KEYSTORE_TYPE, "PKCS12"));
            try (SchemaRegistryClient mutual = SchemaRegistryClient.create(config)) {
                assertThat(mutual.subjects()).containsExactly("tls");
            }
        } finally {
            https.stop(0);
        }
    }

    private static javax.net.ssl.KeyManager[] keyManagers(Path store) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(store), "changeit".toCharArray());
        return kmf.getKeyManagers();
    }

    private static javax.net.ssl.TrustManager[] trustManagers(Path store) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(store));
        return tmf.getTrustManagers();
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
