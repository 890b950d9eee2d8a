package dev.baton.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * API tokens: creation and hashing. The gateway stores only the SHA-256 of each token. A plain hash (no salt,
 * no key stretching) is enough because tokens are 256-bit random strings: there is nothing to guess from a
 * dictionary. Never use this for human-chosen passwords.
 *
 * <p>Token file format ({@code gateway.tokens.file}): one token per line, {@code name:role:sha256hex}, optionally
 * followed by {@code :key=value;...} attributes (expiry, job scope, revocation: see {@link TokenFile}, which also
 * creates and revokes tokens as {@code baton tokens} does); blank lines and lines starting with {@code #} are
 * ignored. Environment: {@code BATON_TOKEN_<NAME>=role:sha256hex}.
 */
public final class ApiTokens {
    /** Token names: what audit records show as the actor. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,100}");
    /** Prefix of generated tokens, so leaked ones are easy to find with secret scanners. */
    public static final String PREFIX = "baton_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiTokens() {}

    /** A newly generated token: hand {@code token} to the client, store {@link #fileLine()}. */
    public record NewToken(String name, Role role, String token, String sha256) {
        public NewToken {
            Objects.requireNonNull(role, "role");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid token name '" + name + "': use 1-100 of [A-Za-z0-9_.@-]");
            }
        }

        /** The line for a token file: {@code name:role:sha256hex}. */
        public String fileLine() {
            return name + ":" + role.id() + ":" + sha256;
        }

        /** The value of {@code BATON_TOKEN_<NAME>}: {@code role:sha256hex}. */
        public String envValue() {
            return role.id() + ":" + sha256;
        }

        @Override
        public String toString() {
            return "NewToken[" + name + ", " + role.id() + ", sha256=" + sha256 + "]"; // never the token itself
        }
    }

    /** Generates a random token (32 bytes from {@link SecureRandom}, base64url) for {@code name} with {@code role}. */
    public static NewToken create(String name, Role role) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new NewToken(name, role, token, sha256Hex(token));
    }

    /** Lower-case hex SHA-256 of the token's UTF-8 bytes. */
    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Creates a token, appends its hash line to {@code tokensFile} (created with owner-only permissions where the
     * file system supports them) and, when {@code tokenFile} is not null, writes the token itself there
     * (owner-only too), e.g. {@code <data-dir>/admin.token} for the CLI.
     */
    public static NewToken createInFiles(Path tokensFile, Path tokenFile, String name, Role role) {
        NewToken t = create(name, role);
        try {
            TokenFile.createPrivate(tokensFile);
            Files.writeString(tokensFile, t.fileLine() + "\n", StandardOpenOption.APPEND);
            if (tokenFile != null) {
                TokenFile.createPrivate(tokenFile);
                Files.writeString(tokenFile, t.token() + "\n", StandardOpenOption.TRUNCATE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write token files " + tokensFile + ", " + tokenFile + ": " + e.getMessage(), e);
        }
        return t;
    }
}
