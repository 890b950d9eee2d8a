package dev.baton.platform.secrets;

/**
 * A source of named secrets (environment variables, a directory of files, HashiCorp Vault, your own through
 * {@link SecretProviderFactory}). Implementations are thread-safe, never log values and answer each lookup afresh
 * or from a cache that follows rotation, so a rotated secret needs no restart.
 */
public interface SecretProvider extends AutoCloseable {

    /** Short name for messages and metric tags, e.g. {@code env}, {@code file}, {@code vault}. */
    String name();

    /** Looks one secret up. Never throws for an unknown name ({@link SecretLookup.Missing}) or an outage. */
    SecretLookup lookup(String secretName);

    /** Where {@code secretName} is looked up, for error messages (never the value). */
    String describe(String secretName);

    @Override
    default void close() {}
}
