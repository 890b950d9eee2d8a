package dev.baton.jobs.internal;

import java.util.regex.Pattern;

/** JSONPath-like problem paths: {@code steps[1].retry.backoff}, {@code tags['team.name']}; {@code $} is the root. */
public final class Paths {
    public static final String ROOT = "$";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

    private Paths() {}

    public static String key(String parent, String key) {
        String segment = PLAIN.matcher(key).matches() ? key : "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
        if (parent.equals(ROOT)) {
            return segment.startsWith("[") ? ROOT + segment : segment;
        }
        return segment.startsWith("[") ? parent + segment : parent + "." + segment;
    }

    public static String index(String parent, int index) {
        return (parent.equals(ROOT) ? ROOT : parent) + "[" + index + "]";
    }
}
