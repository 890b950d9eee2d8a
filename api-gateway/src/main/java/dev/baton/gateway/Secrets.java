package dev.baton.gateway;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the gateway finds the values of named secrets (a job's {@code webhook.secret}). Job files only name a
 * secret; the value never leaves the gateway's side. The default reads the process environment; a secrets provider
 * can replace it.
 */
public interface Secrets {
    /** The environment variable prefix: secret {@code HOOK} is {@code BATON_SECRET_HOOK}. */
    String ENV_PREFIX = "BATON_SECRET_";

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

    /** {@code BATON_SECRET_<NAME>} from a map of environment variables; an empty value counts as missing. */
    record Environment(Map<String, String> env) implements Secrets {
        public Environment {
            Objects.requireNonNull(env, "env");
        }

        @Override
        public Optional<String> value(String name) {
            return Optional.ofNullable(env.get(ENV_PREFIX + name)).filter(v -> !v.isEmpty());
        }

        @Override
        public String describe(String name) {
            return "environment variable " + ENV_PREFIX + name;
        }

        @Override
        public String toString() {
            return "Secrets.Environment"; // never the values
        }
    }
}
