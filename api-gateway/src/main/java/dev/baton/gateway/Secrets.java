package dev.baton.gateway;

import dev.baton.platform.secrets.EnvironmentSecretProvider;
import dev.baton.platform.secrets.SecretProviders;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the gateway finds the values of named secrets (a job's {@code webhook.secret}). Job files only name a
 * secret; the value never leaves the gateway's side. The default reads the process environment; a secrets provider
 * can replace it, for example the platform's providers shared with the agents ({@link #from(SecretProviders)}: files,
 * HashiCorp Vault, or any {@code SecretProviderFactory}).
 */
public interface Secrets {
    /** The environment variable prefix: secret {@code HOOK} is {@code BATON_SECRET_HOOK}. */
    String ENV_PREFIX = EnvironmentSecretProvider.PREFIX;

    /** The secret's value, or empty when this source does not have it. */
    Optional<String> value(String name);

    /** Where {@code name} is looked up, for error messages and logs (never the value). */
    String describe(String name);

    /** Secrets from the process environment ({@code BATON_SECRET_<NAME>}). */
    static Secrets environment() {
        return fromEnvironment(System.getenv());
    }

    /** Secrets from the given environment variables ({@code BATON_SECRET_<NAME>}); for tests and embedding. */
    static Secrets fromEnvironment(Map<String, String> env) {
        return new Environment(Map.copyOf(env));
    }

    /** Secrets from a chain of platform providers (the agents' {@code agent.secrets.*} kinds); the first that has one wins. */
    static Secrets from(SecretProviders providers) {
        Objects.requireNonNull(providers, "providers");
        return new Secrets() {
            @Override
            public Optional<String> value(String name) {
                return providers.resolve(name) instanceof SecretProviders.Resolution.Resolved r
                        ? Optional.of(r.value()) : Optional.empty();
            }

            @Override
            public String describe(String name) {
                return providers.providers().stream().map(p -> p.describe(name))
                        .collect(java.util.stream.Collectors.joining(", "));
            }

            @Override
            public String toString() {
                return "Secrets.from(" + providers.names() + ")"; // never the values
            }
        };
    }

    /** {@code BATON_SECRET_<NAME>} from a map of environment variables; an empty value counts as missing. */
    record Environment(Map<String, String> env) implements Secrets {
        public Environment {
            Objects.requireNonNull(env, "env");
        }

        @Override
        public Optional<String> value(String name) {
            // The same lookup as the agents' env provider: one spelling of BATON_SECRET_<NAME> everywhere.
            return new EnvironmentSecretProvider(env).lookup(name) instanceof dev.baton.platform.secrets.SecretLookup.Found f
                    ? Optional.of(f.value()) : Optional.empty();
        }

        @Override
        public String describe(String name) {
            return new EnvironmentSecretProvider(env).describe(name);
        }

        @Override
        public String toString() {
            return "Secrets.Environment"; // never the values
        }
    }
}
