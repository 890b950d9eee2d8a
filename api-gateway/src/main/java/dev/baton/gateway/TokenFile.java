package dev.baton.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * The token file the gateway reads ({@code gateway.tokens.file}) and {@code baton tokens} writes. One token per
 * line: {@code name:role:sha256hex}, optionally followed by {@code :key=value;key=value} attributes
 * ({@code created}, {@code expires}, {@code revoked} as ISO-8601 instants, {@code jobs} as comma-separated globs).
 * Blank lines and {@code #} comments are ignored. Only the SHA-256 of a token is stored.
 *
 * <p>Revoking rewrites the token's line with a {@code revoked} attribute instead of deleting it, so the gateway can
 * answer "revoked" rather than "unknown". Writers serialize on {@code <file>.lock}; a rewrite replaces the file
 * atomically (the gateway never reads a half-written file).
 */
public final class TokenFile {
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

    private TokenFile() {}

    /** One line of the file. {@code created}, {@code expires} and {@code revoked} may be null. */
    public record Entry(String name, Role role, String sha256, Instant created, Instant expires, JobScope scope, Instant revoked) {
        public Entry {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(scope, "scope");
            if (!ApiTokens.NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid token name '" + name + "': use 1-100 of [A-Za-z0-9_.@-]");
            }
            if (!HASH.matcher(sha256).matches()) {
                throw new IllegalArgumentException("expected a SHA-256 of 64 hex digits");
            }
            sha256 = sha256.toLowerCase(Locale.ROOT);
        }

        /** Short, stable id shown by {@code baton tokens list}: the first 12 hex digits of the hash (says nothing about the token). */
        public String id() {
            return sha256.substring(0, 12);
        }

        public boolean expiredAt(Instant now) {
            return expires != null && !now.isBefore(expires);
        }

        public String line() {
            Map<String, String> attrs = new LinkedHashMap<>();
            if (created != null) attrs.put("created", created.toString());
            if (expires != null) attrs.put("expires", expires.toString());
            if (!scope.unrestricted()) attrs.put("jobs", scope.csv());
            if (revoked != null) attrs.put("revoked", revoked.toString());
            StringBuilder sb = new StringBuilder(name).append(':').append(role.id()).append(':').append(sha256);
            if (!attrs.isEmpty()) {
                StringJoiner j = new StringJoiner(";", ":", "");
                attrs.forEach((k, v) -> j.add(k + "=" + v));
                sb.append(j);
            }
            return sb.toString();
        }

        Entry revokedAt(Instant at) {
            return new Entry(name, role, sha256, created, expires, scope, at);
        }
    }

    /**
     * Parses {@code role:sha256hex[:attributes]} of token {@code name} (the part after {@code name:} of a file line,
     * or the value of {@code token.<name>} / {@code BATON_TOKEN_<NAME>}).
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static Entry parse(String name, String value) {
        String[] parts = value.strip().split(":", 3);
        if (parts.length < 2 || !HASH.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException("expected role:sha256hex (64 hex digits), e.g. admin:" + "0".repeat(64));
        }
        Role role = Role.parse(parts[0]);
        Instant created = null;
        Instant expires = null;
        Instant revoked = null;
        JobScope scope = JobScope.ALL;
        if (parts.length == 3 && !parts[2].isBlank()) {
            for (String attr : parts[2].split(";")) {
                int eq = attr.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("attribute '" + attr + "' is not key=value");
                }
                String k = attr.substring(0, eq).strip();
                String v = attr.substring(eq + 1).strip();
                switch (k) {
                    case "created" -> created = instant(k, v);
                    case "expires" -> expires = instant(k, v);
                    case "revoked" -> revoked = instant(k, v);
                    case "jobs" -> scope = JobScope.parse(v);
                    default -> throw new IllegalArgumentException("unknown attribute '" + k + "' (created, expires, revoked, jobs)");
                }
            }
        }
        return new Entry(name, role, parts[1], created, expires, scope, revoked);
    }

    /** Parses one whole line ({@code name:role:sha256hex[:attributes]}); null for blank and comment lines. */
    public static Entry parseLine(String line) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
            return null;
        }
        int colon = l.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected name:role:sha256hex");
        }
        return parse(l.substring(0, colon), l.substring(colon + 1));
    }

    private static Instant instant(String key, String v) {
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " '" + v + "' is not an ISO-8601 instant (e.g. 2027-01-01T00:00:00Z)");
        }
    }

    /** Every entry of {@code file} (an empty list when it does not exist). */
    public static List<Entry> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(file);
            List<Entry> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                try {
                    Entry e = parseLine(lines.get(i));
                    if (e != null) {
                        out.add(e);
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A token created by {@link #create}: the secret (shown once) and its stored entry. */
    public record Created(String token, Entry entry) {
        @Override
        public String toString() {
            return "Created[" + entry.name() + ", " + entry.role().id() + "]"; // never the token itself
        }
    }

    /**
     * Generates a token and appends its hashed entry to {@code file} (created owner-only when missing).
     *
     * @throws IllegalArgumentException when an active (not revoked) token already has {@code name}, or {@code expires}
     *                                  is not after {@code now}
     */
    public static Created create(Path file, String name, Role role, Instant expires, JobScope scope, Instant now) {
        if (expires != null && !expires.isAfter(now)) {
            throw new IllegalArgumentException("expiry " + expires + " is not in the future");
        }
        return locked(file, () -> {
            for (Entry e : read(file)) {
                if (e.name().equals(name) && e.revoked() == null) {
                    throw new IllegalArgumentException("a token named '" + name + "' exists already (id " + e.id()
                            + "); revoke it first or pick another --name");
                }
            }
            ApiTokens.NewToken t = ApiTokens.create(name, role);
            Entry entry = new Entry(name, role, t.sha256(), now, expires, scope, null);
            createPrivate(file);
            Files.writeString(file, entry.line() + "\n", StandardOpenOption.APPEND);
            return new Created(t.token(), entry);
        });
    }

    /**
     * Marks every active token whose name or id is {@code nameOrId} as revoked at {@code now}; returns them.
     *
     * @throws IllegalArgumentException when no active token matches
     */
    public static List<Entry> revoke(Path file, String nameOrId, Instant now) {
        return locked(file, () -> {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            List<String> out = new ArrayList<>();
            List<Entry> revoked = new ArrayList<>();
            for (String line : lines) {
                Entry e = parseLine(line);
                if (e != null && e.revoked() == null && (e.name().equals(nameOrId) || e.id().equals(nameOrId))) {
                    e = e.revokedAt(now);
                    revoked.add(e);
                    out.add(e.line());
                } else {
                    out.add(line);
                }
            }
            if (revoked.isEmpty()) {
                throw new IllegalArgumentException("no active token with name or id '" + nameOrId + "' in " + file);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            createPrivate(tmp);
            Files.write(tmp, out, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return revoked;
        });
    }

    private interface IoWork<T> {
        T run() throws IOException;
    }

    private static <T> T locked(Path file, IoWork<T> work) {
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        try {
            createPrivate(lock);
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE); FileLock l = ch.lock()) {
                return work.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot update token file " + file + ": " + e.getMessage(), e);
        }
    }

    static void createPrivate(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        }
    }
}
