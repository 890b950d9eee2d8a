package dev.baton.platform.secrets;

import java.util.Map;

/**
 * Service-provider interface for secret providers, found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.baton.platform.secrets.SecretProviderFactory} and put the jar on the component's
 * classpath. A component configured with {@code agent.secrets.providers=<type>} gets the provider of that type,
 * built from the settings under {@code agent.secrets.<type>.} (prefix removed).
 */
public interface SecretProviderFactory {

    /** The name used in configuration, e.g. {@code vault}. */
    String type();

    /**
     * Builds the provider.
     *
     * @param settings the provider's settings, keys without the prefix (e.g. {@code address}, {@code token})
     * @throws IllegalArgumentException naming the setting when one is missing or invalid
     */
    SecretProvider create(Map<String, String> settings);
}
