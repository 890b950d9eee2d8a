package dev.baton.platform.config;

import java.util.Locale;
import java.util.regex.Pattern;

/** Recognises settings whose values must never be written to logs or events. */
public final class Secrets {
    public static final String HIDDEN = "[hidden]";
    private static final Pattern SECRET = Pattern.compile(
            ".*(password|secret|jaas|token|user\\.info|credentials|private\\.key|api\\.key).*");

    private Secrets() {}

    public static boolean isSecretKey(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }
}
