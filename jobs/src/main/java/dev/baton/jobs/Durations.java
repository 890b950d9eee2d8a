package dev.baton.jobs;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as job files spell them: ISO-8601 ({@code PT5M}, {@code P1DT2H}, {@code PT0.5S}) or the short form
 * {@code [<n>d][<n>h][<n>m][<n>s][<n>ms]} with whole numbers and at least one part ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 1h30m}, {@code 2d}). A bare number is rejected because its unit would be a guess.
 * Millisecond precision: anything finer is rejected rather than silently truncated.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile(
            "(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

    private Durations() {}

    /**
     * Parses either spelling.
     *
     * @throws IllegalArgumentException with a message fit for a user, naming the accepted forms
     */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration; use e.g. 30s, 5m, 1h or PT5M");
        }
        Duration d;
        if (s.charAt(0) == 'P' || s.charAt(0) == 'p' || s.startsWith("-P") || s.startsWith("-p")) {
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + s + "' is not an ISO-8601 duration (days, hours, minutes,"
                        + " seconds only, e.g. PT5M or P1DT2H); or use the short form 5m");
            }
        } else {
            Matcher m = SHORT.matcher(s);
            if (!m.matches() || s.isEmpty()) {
                if (s.matches("-?\\d+(\\.\\d+)?")) {
                    throw new IllegalArgumentException("'" + s + "' has no unit; write e.g. " + s + "s or PT" + s + "S");
                }
                throw new IllegalArgumentException("'" + s + "' is not a duration; use ISO-8601 (PT5M, PT1S, P1D)"
                        + " or the short form (500ms, 30s, 5m, 1h, 2d, 1h30m)");
            }
            try {
                d = Duration.ZERO
                        .plusDays(part(m, 1))
                        .plusHours(part(m, 2))
                        .plusMinutes(part(m, 3))
                        .plusSeconds(part(m, 4))
                        .plusMillis(part(m, 5));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is too long a duration");
            }
        }
        if (d.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("'" + s + "' is finer than a millisecond");
        }
        return d;
    }

    /** Parses and converts to milliseconds. */
    public static long parseMillis(String text) {
        try {
            return parse(text).toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
    }

    /** The canonical spelling written by {@link JobWriter}: ISO-8601, e.g. {@code PT5M}, {@code PT0.5S}, {@code PT24H}. */
    public static String format(long millis) {
        return Duration.ofMillis(millis).toString();
    }

    private static long part(Matcher m, int group) {
        String g = m.group(group);
        return g == null ? 0 : Long.parseLong(g);
    }
}
