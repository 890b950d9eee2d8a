package dev.baton.gateway.internal.http;

import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known API tokens, by SHA-256 of the token. Lookups compare hashes, never tokens, so response timing
 * tells nothing about a stored token. The file is re-read when its modification time changes.
 */
public final class TokenStore {
    private static final Logger log = LoggerFactory.getLogger(TokenStore.class);
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

    /** Who called: the token's name and role. */
    public record Principal(String name, Role role) {}

    private final Path file;
    private final Map<String, Principal> fixed;
    private volatile Map<String, Principal> byHash;
    private volatile FileTime fileTime;

    /**
     * @param file       token file or null
     * @param configured {@code name → role:sha256hex} from configuration keys
     * @param env        the environment to read {@code BATON_TOKEN_*} from, or an empty map
     */
    public TokenStore(Path file, Map<String, String> configured, Map<String, String> env) {
        this.file = file;
        Map<String, Principal> m = new HashMap<>();
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
                    + "Create one with ApiTokens.createInFiles or set gateway.tokens.file / BATON_TOKEN_<NAME>.");
        }
    }

    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(ApiTokens.sha256Hex(token)));
    }

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
            if (t.equals(fileTime)) {
                return;
            }
            Map<String, Principal> m = new HashMap<>(fixed);
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
            if (!first) {
                log.info("Reloaded {} API tokens from {}", m.size() - fixed.size(), file);
            }
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

    private static void add(Map<String, Principal> m, String name, String value, String where) {
        String[] parts = value.strip().split(":", -1);
        if (parts.length != 2 || !HASH.matcher(parts[1]).matches()) {
            throw new ConfigException(where + ": expected role:sha256hex (64 hex digits), e.g. admin:" + "0".repeat(64));
        }
        if (!ApiTokens.NAME.matcher(name).matches()) {
            throw new ConfigException(where + ": invalid token name '" + name + "'");
        }
        Role role;
        try {
            role = Role.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
        m.put(parts[1].toLowerCase(Locale.ROOT), new Principal(name, role));
    }
}
