package dev.baton.jobs.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** "Did you mean" for misspelt keys and names. */
public final class Suggest {
    /** Words users bring from other tools, mapped to Baton's spelling. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("dependson", "needs"),
            Map.entry("depends", "needs"),
            Map.entry("after", "needs"),
            Map.entry("requires", "needs"),
            Map.entry("upstream", "needs"),
            Map.entry("command", "run"),
            Map.entry("cmd", "run"),
            Map.entry("bash", "run"),
            Map.entry("retries", "retry"),
            Map.entry("maxretries", "retry"),
            Map.entry("assets", "produces"),
            Map.entry("outputs", "produces"),
            Map.entry("id", "key"),
            Map.entry("cronexpression", "cron"),
            Map.entry("interval", "every"),
            Map.entry("tz", "timezone"),
            Map.entry("queue", "pool"),
            Map.entry("onerror", "onFailure"),
            Map.entry("onfail", "onFailure"),
            Map.entry("condition", "filter"),
            Map.entry("expression", "expr"),
            Map.entry("attempts", "maxAttempts"),
            Map.entry("delay", "backoff"),
            Map.entry("variables", "env"),
            Map.entry("environment", "env"),
            Map.entry("labels", "tags"));

    private Suggest() {}

    /** The closest candidate, if one is close enough to be a likely typo. */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        String norm = normalise(input);
        for (String c : candidates) {
            if (normalise(c).equals(norm)) {
                return Optional.of(c);
            }
        }
        String alias = ALIASES.get(norm);
        if (alias != null && candidates.contains(alias)) {
            return Optional.of(alias);
        }
        String lower = input.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            String lc = c.toLowerCase(Locale.ROOT);
            if (lc.length() >= 3 && lower.length() >= 3 && (lower.startsWith(lc) || lc.startsWith(lower))) {
                return Optional.of(c); // WARNING -> WARN, max -> maxAttempts
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(input.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = Math.max(1, Math.min(3, input.length() / 3));
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** {@code "; did you mean 'x'?"} or empty. */
    public static String hint(String input, Collection<String> candidates) {
        return closest(input, candidates).map(c -> "; did you mean '" + c + "'?").orElse("");
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
