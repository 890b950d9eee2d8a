package dev.baton.platform.secrets;

/**
 * What one provider answered for one secret name. {@link Found#toString()} never shows the value, so a lookup can
 * be logged or put into an exception message safely.
 */
public sealed interface SecretLookup {

    /** The provider has the secret. */
    record Found(String value) implements SecretLookup {
        public Found {
            if (value == null) {
                throw new IllegalArgumentException("a found secret has a value");
            }
        }

        @Override
        public String toString() {
            return "Found[***]";
        }
    }

    /** The provider works but has no secret of that name; the next provider is asked. */
    record Missing() implements SecretLookup {}

    /**
     * The provider refused (bad or expired credentials, no permission): a credential failure that retrying the same
     * attempt will not fix.
     */
    record Denied(String reason) implements SecretLookup {}

    /** The provider could not be asked (unreachable, a server error): worth another attempt later. */
    record Unavailable(String reason) implements SecretLookup {}

    static SecretLookup found(String value) {
        return new Found(value);
    }

    static SecretLookup missing() {
        return new Missing();
    }
}
