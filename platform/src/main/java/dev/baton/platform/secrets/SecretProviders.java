package dev.baton.platform.secrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An ordered chain of secret providers: a secret comes from the first provider that has it. Built from provider
 * types ({@code env}, {@code file}, {@code vault} or any {@link SecretProviderFactory} on the classpath).
 */
public final class SecretProviders implements AutoCloseable {

    /** The outcome of resolving one name through the chain. {@link Resolved#toString()} hides the value. */
    public sealed interface Resolution {
        record Resolved(String value, String provider) implements Resolution {
            @Override
            public String toString() {
                return "Resolved[***, provider=" + provider + "]";
            }
        }

        /** No provider has it; {@code where} lists the places looked at. */
        record NotFound(String where) implements Resolution {}

        /**
         * No provider had it and at least one failed (the first failure).
         *
         * @param denied true for a refusal (credentials), false for an outage
         */
        record Failed(String provider, String reason, boolean denied) implements Resolution {}
    }

    private final List<SecretProvider> providers;

    public SecretProviders(List<SecretProvider> providers) {
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("at least one secret provider is needed");
        }
        this.providers = List.copyOf(providers);
    }

    /**
     * Builds the providers of the given types, in order.
     *
     * @param settings the settings of each type (e.g. the {@code agent.secrets.<type>.} keys, prefix removed)
     * @throws IllegalArgumentException for an unknown type (naming the known ones) or bad settings
     */
    public static SecretProviders of(List<String> types, Function<String, Map<String, String>> settings, ClassLoader loader) {
        Map<String, SecretProviderFactory> factories = factories(loader);
        List<SecretProvider> built = new ArrayList<>();
        try {
            for (String type : types) {
                SecretProviderFactory f = factories.get(type);
                if (f == null) {
                    throw new IllegalArgumentException("unknown secret provider '" + type + "'; known: "
                            + String.join(", ", factories.keySet()) + " (more through " + SecretProviderFactory.class.getName() + ")");
                }
                built.add(f.create(settings.apply(type)));
            }
        } catch (RuntimeException e) {
            built.forEach(SecretProvider::close);
            throw e;
        }
        return new SecretProviders(built);
    }

    /** The factories on the class path, by type (the first one of a type wins). */
    public static Map<String, SecretProviderFactory> factories(ClassLoader loader) {
        Map<String, SecretProviderFactory> m = new LinkedHashMap<>();
        for (SecretProviderFactory f : ServiceLoader.load(SecretProviderFactory.class, loader)) {
            m.putIfAbsent(f.type(), f);
        }
        return m;
    }

    public List<SecretProvider> providers() {
        return providers;
    }

    /** The provider names joined with {@code +}, e.g. {@code env+file} (a metric tag for secrets found nowhere). */
    public String names() {
        return providers.stream().map(SecretProvider::name).collect(Collectors.joining("+"));
    }

    public Resolution resolve(String secretName) {
        Resolution.Failed failure = null;
        for (SecretProvider p : providers) {
            SecretLookup l;
            try {
                l = p.lookup(secretName);
            } catch (RuntimeException e) {
                // A custom provider's bug: its message could quote anything, so only its type is kept.
                l = new SecretLookup.Unavailable("provider error " + e.getClass().getName());
            }
            switch (l) {
                case SecretLookup.Found f -> {
                    return new Resolution.Resolved(f.value(), p.name());
                }
                case SecretLookup.Missing m -> { }
                case SecretLookup.Denied d -> failure = failure != null ? failure : new Resolution.Failed(p.name(), d.reason(), true);
                case SecretLookup.Unavailable u -> failure = failure != null ? failure
                        : new Resolution.Failed(p.name(), u.reason(), false);
            }
        }
        if (failure != null) {
            return failure;
        }
        return new Resolution.NotFound(providers.stream().map(p -> p.describe(secretName)).collect(Collectors.joining(", ")));
    }

    @Override
    public void close() {
        providers.forEach(SecretProvider::close);
    }
}
