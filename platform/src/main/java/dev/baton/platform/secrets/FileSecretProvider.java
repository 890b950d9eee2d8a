package dev.baton.platform.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Secrets from a directory of files, as Kubernetes mounts a Secret (or Docker its secrets): the file name is the
 * secret name ({@code DB_PASSWORD}, or its lower-case, dashed form {@code db-password}), the content is the value,
 * without one trailing line break. Files are read on every lookup, so a rotated secret (Kubernetes swaps the
 * mount's {@code ..data} link atomically) is used from the next attempt on, without a restart.
 */
public final class FileSecretProvider implements SecretProvider {
    public static final String TYPE = "file";
    /** Names that cannot leave the directory. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,199}");

    private final Path dir;

    public FileSecretProvider(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public SecretLookup lookup(String secretName) {
        if (!SAFE_NAME.matcher(secretName).matches()) {
            return SecretLookup.missing();
        }
        if (!Files.isDirectory(dir)) {
            return new SecretLookup.Unavailable("secrets directory " + dir + " does not exist");
        }
        for (String file : candidates(secretName)) {
            try {
                return SecretLookup.found(stripLineBreak(Files.readString(dir.resolve(file), StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                // try the next spelling
            } catch (AccessDeniedException e) {
                return new SecretLookup.Denied("cannot read " + dir.resolve(file) + ": permission denied");
            } catch (IOException e) {
                return new SecretLookup.Unavailable("cannot read " + dir.resolve(file) + ": " + e.getClass().getSimpleName());
            }
        }
        return SecretLookup.missing();
    }

    @Override
    public String describe(String secretName) {
        return "file " + dir.resolve(secretName) + (candidates(secretName).length > 1 ? " or " + dir.resolve(candidates(secretName)[1]) : "");
    }

    private static String[] candidates(String name) {
        String k8s = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return k8s.equals(name) ? new String[] {name} : new String[] {name, k8s};
    }

    /** {@code echo secret > file} adds a line break that is not part of the secret. */
    static String stripLineBreak(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "FileSecretProvider[" + dir + "]";
    }

    /** {@code file}: setting {@code dir}, the directory. */
    public static final class Factory implements SecretProviderFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SecretProvider create(Map<String, String> settings) {
            String dir = settings.get("dir");
            if (dir == null || dir.isBlank()) {
                throw new IllegalArgumentException("agent.secrets.file.dir: the file secret provider needs a directory");
            }
            return new FileSecretProvider(Path.of(dir));
        }
    }
}
