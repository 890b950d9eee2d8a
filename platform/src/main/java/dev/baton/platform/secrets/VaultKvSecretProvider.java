package dev.baton.platform.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Secrets from a HashiCorp Vault KV version 2 engine over its HTTP API, with token authentication: secret
 * {@code NAME} is the key {@code NAME} of the entry at {@code <path>}, read with
 * {@code GET <address>/v1/<mount>/data/<path>} (answer: {@code data.data.<NAME>}). Every lookup asks Vault, so a
 * new version of the entry is used from the next attempt on; the token file, when used, is re-read each time too
 * (Vault Agent or a sidecar renews it).
 *
 * <p>Answers: 404 or a missing key → missing; 401/403 → denied (a credential failure); other statuses and network
 * errors → unavailable.
 */
public final class VaultKvSecretProvider implements SecretProvider {
    public static final String TYPE = "vault";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param address   Vault's base URL, e.g. {@code https://vault.example.com:8200}
     * @param token     the token, or null when {@code tokenFile} is set
     * @param tokenFile a file holding the token, re-read on each lookup, or null
     * @param mount     the KV v2 engine's mount, e.g. {@code secret}
     * @param path      the entry holding the secrets, e.g. {@code baton} or {@code teams/data/prod}
     * @param namespace a Vault Enterprise namespace (header {@code X-Vault-Namespace}), or null
     */
    public record Settings(URI address, String token, Path tokenFile, String mount, String path, String namespace,
                           Duration timeout) {
        @Override
        public String toString() {
            return "Settings[address=" + address + ", mount=" + mount + ", path=" + path + ", namespace=" + namespace
                    + ", tokenFile=" + tokenFile + "]"; // never the token
        }
    }

    private final Settings settings;
    private final HttpClient http;

    public VaultKvSecretProvider(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    @Override
    public String name() {
        return TYPE;
    }

    URI entryUri() {
        String base = settings.address().toString().replaceAll("/+$", "");
        return URI.create(base + "/v1/" + encodePath(settings.mount()) + "/data/" + encodePath(settings.path()));
    }

    @Override
    public SecretLookup lookup(String secretName) {
        String token;
        try {
            token = settings.tokenFile() != null
                    ? FileSecretProvider.stripLineBreak(Files.readString(settings.tokenFile(), StandardCharsets.UTF_8)).strip()
                    : settings.token();
        } catch (IOException e) {
            return new SecretLookup.Denied("cannot read the Vault token file " + settings.tokenFile() + ": "
                    + e.getClass().getSimpleName());
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(entryUri()).timeout(settings.timeout()).GET()
                .header("X-Vault-Token", token).header("Accept", "application/json");
        if (settings.namespace() != null && !settings.namespace().isBlank()) {
            rb.header("X-Vault-Namespace", settings.namespace());
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new SecretLookup.Unavailable("Vault at " + settings.address() + " did not answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SecretLookup.Unavailable("interrupted while asking Vault");
        }
        int status = resp.statusCode();
        if (status == 404) {
            return SecretLookup.missing();
        }
        if (status == 401 || status == 403) {
            return new SecretLookup.Denied("Vault refused the token for " + settings.mount() + "/" + settings.path()
                    + " (HTTP " + status + ")");
        }
        if (status != 200) {
            return new SecretLookup.Unavailable("Vault answered HTTP " + status + " for " + settings.mount() + "/" + settings.path());
        }
        JsonNode value;
        try {
            value = JSON.readTree(resp.body()).path("data").path("data").path(secretName);
        } catch (IOException e) {
            // The message of a parse error may quote the body, which holds secrets: never pass it on.
            return new SecretLookup.Unavailable("Vault's answer for " + settings.mount() + "/" + settings.path() + " is not JSON");
        }
        if (value.isMissingNode() || value.isNull()) {
            return SecretLookup.missing();
        }
        return SecretLookup.found(value.isValueNode() ? value.asText() : value.toString());
    }

    @Override
    public String describe(String secretName) {
        return "key " + secretName + " of Vault KV entry " + settings.mount() + "/" + settings.path() + " at " + settings.address();
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "VaultKvSecretProvider" + settings;
    }

    private static String encodePath(String p) {
        return Arrays.stream(p.replaceAll("^/+|/+$", "").split("/+"))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }

    /**
     * {@code vault}: settings {@code address} (required), {@code token} or {@code token.file} (one required),
     * {@code mount} (default {@code secret}), {@code path} (default {@code baton}), {@code namespace},
     * {@code timeout.ms} (default 10000).
     */
    public static final class Factory implements SecretProviderFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SecretProvider create(Map<String, String> s) {
            String address = blankToNull(s.get("address"));
            if (address == null) {
                throw new IllegalArgumentException("vault secret provider: 'address' is required (e.g. https://vault:8200)");
            }
            URI uri;
            try {
                uri = URI.create(address);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an absolute http(s) URL");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("vault secret provider: 'address' " + address + " is not a URL: " + e.getMessage());
            }
            String token = blankToNull(s.get("token"));
            String tokenFile = blankToNull(s.get("token.file"));
            if (token == null && tokenFile == null) {
                throw new IllegalArgumentException("vault secret provider: set 'token' or 'token.file'");
            }
            long timeoutMs;
            try {
                timeoutMs = Long.parseLong(s.getOrDefault("timeout.ms", "10000").strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("vault secret provider: 'timeout.ms' must be a number of milliseconds");
            }
            if (timeoutMs <= 0) {
                throw new IllegalArgumentException("vault secret provider: 'timeout.ms' must be positive");
            }
            String mount = blankToNull(s.get("mount"));
            String path = blankToNull(s.get("path"));
            return new VaultKvSecretProvider(new Settings(uri, token, tokenFile == null ? null : Path.of(tokenFile),
                    mount == null ? "secret" : mount, path == null ? "baton" : path, blankToNull(s.get("namespace")),
                    Duration.ofMillis(timeoutMs)));
        }

        private static String blankToNull(String v) {
            return v == null || v.isBlank() ? null : v.strip();
        }
    }
}
