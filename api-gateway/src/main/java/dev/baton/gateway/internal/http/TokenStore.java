package dev.baton.gateway.internal.http;

import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.JobScope;
import dev.baton.gateway.TokenFile;
import dev.baton.gateway.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known API tokens, by SHA-256 of the token. Lookups compare hashes, never tokens, so response timing
 * tells nothing about a stored token. The file is re-read when its modification time changes.
 */
public final class TokenStore {
    private static final Logger log = LoggerFactory.getLogger(TokenStore.class);

    /** Who called: the token's name, role and job scope. */
    public record Principal(String name, Role role, JobScope scope) {
        public Principal {
            scope = scope == null ? JobScope.ALL : scope;
        }

        public Principal(String name, Role role) {
            this(name, role, JobScope.ALL);
        }
    }

    /** The outcome of presenting a token. */
    public sealed interface Check {
        /** A valid token. */
        record Valid(Principal principal) implements Check {}

        /** No token, or one this gateway does not know. */
        record Unknown() implements Check {}

        /** A known token past its expiry. */
        record Expired(String name, Instant at) implements Check {}

        /** A known token that was revoked. */
        record Revoked(String name, Instant at) implements Check {}
    }

    private final Path file;
    private final Map<String, TokenFile.Entry> fixed;
    private volatile Map<String, TokenFile.Entry> byHash;
    private volatile FileTime fileTime;
    private volatile long fileSize = -1;

    /**
     * @param file       token file or null
     * @param configured {@code name → role:sha256hex} from configuration keys
     * @param env        the environment to read {@code BATON_TOKEN_*} from, or an empty map
     */
    public TokenStore(Path file, Map<String, String> configured, Map<String, String> env) {
        this.file = file;
        Map<String, TokenFile.Entry> m = new HashMap<>();
        configured.forEach((name, value) -> add(m, name, value, "token." + name));
        env.forEach((k, v) -> {
            if (k.startsWith("BATON_TOKEN_") && k.length() > "BATON_TOKEN_".length()) {
                String name = k.substring("BATON_TOKEN_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
                add(m, name, v, k);
            }
        });
        this.fixed = Map.copyOf(m);
        this.byHash = fixed;
        reloadIfChanged();
        if (byHash.isEmpty()) {
            log.warn("No API tokens are configured: every /api call will be refused (401). "
                    + "Create one with `baton tokens create --tokens-file <gateway.tokens.file> --role admin` or set BATON_TOKEN_<NAME>.");
        }
    }

    /** The principal of a valid token (known, not expired at this moment, not revoked). */
    public Optional<Principal> authenticate(String token) {
        return check(token, Instant.now()) instanceof Check.Valid v ? Optional.of(v.principal()) : Optional.empty();
    }

    /** Whether {@code token} is valid at {@code now}, and if not, why. */
    public Check check(String token, Instant now) {
        if (token == null || token.isEmpty()) {
            return new Check.Unknown();
        }
        TokenFile.Entry e = byHash.get(ApiTokens.sha256Hex(token));
        if (e == null) {
            return new Check.Unknown();
        }
        if (e.revoked() != null) {
            return new Check.Revoked(e.name(), e.revoked());
        }
        if (e.expiredAt(now)) {
            return new Check.Expired(e.name(), e.expires());
        }
        return new Check.Valid(new Principal(e.name(), e.role(), e.scope()));
    }

    /** Known tokens, revoked and expired ones included. */
    public int size() {
        return byHash.size();
    }

    /** Re-reads the token file when it changed; keeps the previous tokens when the new file is invalid. Blocking. */
    public void reloadIfChanged() {
        if (file == null) {
            return;
        }
        try {
            FileTime t = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            // Size too: two writes within the file system's timestamp granularity leave the time unchanged.
            if (t.equals(fileTime) && size == fileSize) {
                return;
            }
            Map<String, TokenFile.Entry> m = new HashMap<>(fixed);
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    throw new ConfigException(file + " line " + (i + 1) + ": expected name:role:sha256hex");
                }
                add(m, line.substring(0, colon), line.substring(colon + 1), file + " line " + (i + 1));
            }
            byHash = Map.copyOf(m);
            boolean first = fileTime == null;
            fileTime = t;
            fileSize = size;
            if (!first) {
                log.info("Reloaded {} API tokens from {}", m.size() - fixed.size(), file);
            }
        } catch (NoSuchFileException e) {
            // A missing file is an empty one: the container layout starts the gateway before anyone could run
            // `baton tokens create --tokens-file`; the file is read once it appears.
            if (fileSize != -2) {
                log.warn("Token file {} (gateway.tokens.file) does not exist yet; it will be read once created "
                        + "(baton tokens create --tokens-file {} --role admin)", file, file);
            }
            byHash = fixed;
            fileTime = null;
            fileSize = -2;
        } catch (IOException e) {
            if (fileTime == null) {
                throw new UncheckedIOException("Cannot read token file " + file + " (gateway.tokens.file): " + e.getMessage(), e);
            }
            log.warn("Cannot re-read token file {}: {}; keeping the tokens read before", file, e.getMessage());
        } catch (ConfigException e) {
            if (fileTime == null) {
                throw e;
            }
            log.warn("Invalid token file {}: {}; keeping the tokens read before", file, e.getMessage());
        }
    }

    private static void add(Map<String, TokenFile.Entry> m, String name, String value, String where) {
        if (!ApiTokens.NAME.matcher(name).matches()) {
            throw new ConfigException(where + ": invalid token name '" + name + "'");
        }
        TokenFile.Entry e;
        try {
            e = TokenFile.parse(name, value);
        } catch (IllegalArgumentException x) {
            throw new ConfigException(where + ": " + x.getMessage());
        }
        m.put(e.sha256(), e);
    }
}
