package dev.baton.alerting.internal;

import dev.baton.jobs.internal.AlertsReader;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${{ secrets.NAME }}} in a destination's URL and headers by the value of {@code BATON_SECRET_<NAME>}
 * in this process's environment, just before sending (the value never travels on Kafka).
 */
public final class SecretResolver {
    /** The same form the job parser accepts. */
    private static final Pattern SECRET = AlertsReader.SECRET_TEMPLATE;

    private final Function<String, String> env;

    public SecretResolver(Function<String, String> env) {
        this.env = env;
    }

    public static SecretResolver fromEnvironment() {
        return new SecretResolver(System::getenv);
    }

    /** @throws MissingSecret naming the secret (never a value) */
    public String resolve(String text) {
        Matcher m = SECRET.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply("BATON_SECRET_" + m.group(1));
            if (value == null) {
                throw new MissingSecret(m.group(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    public static final class MissingSecret extends RuntimeException {
        public MissingSecret(String name) {
            super("secret " + name + " is not set (environment variable BATON_SECRET_" + name + " of the alerting component)");
        }
    }
}
