package dev.baton.platform.secrets;

import java.util.Map;
import java.util.Objects;

/**
 * Secrets from environment variables: secret {@code DB_PASSWORD} is {@code BATON_SECRET_DB_PASSWORD}. The
 * variables are read when the provider is built (a process's environment does not change); an empty value counts
 * as missing.
 */
public final class EnvironmentSecretProvider implements SecretProvider {
    public static final String TYPE = "env";
    /** Secret {@code NAME} is the variable {@code BATON_SECRET_NAME}. */
    public static final String PREFIX = "BATON_SECRET_";

    private final Map<String, String> env;

    public EnvironmentSecretProvider(Map<String, String> env) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    }

    /** The process's own environment. */
    public static EnvironmentSecretProvider ofProcess() {
        return new EnvironmentSecretProvider(System.getenv());
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public SecretLookup lookup(String secretName) {
        String v = env.get(PREFIX + secretName);
        return v == null || v.isEmpty() ? SecretLookup.missing() : SecretLookup.found(v);
    }

    @Override
    public String describe(String secretName) {
        return "environment variable " + PREFIX + secretName;
    }

    @Override
    public String toString() {
        return "EnvironmentSecretProvider"; // never the values
    }

    /** {@code env}: the process environment; no settings. */
    public static final class Factory implements SecretProviderFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SecretProvider create(Map<String, String> settings) {
            return ofProcess();
        }
    }
}
