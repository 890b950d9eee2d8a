package dev.baton.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times given on the command line: a span ({@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}, {@code 45s}) or an instant. */
final class TimeArgs {
    private static final Pattern SPAN = Pattern.compile("(\\d{1,9})([smhdw])");

    private TimeArgs() {}

    /** A span such as {@code 30d}, or null when {@code s} is not one. */
    static Duration span(String s) {
        Matcher m = SPAN.matcher(s.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> throw new IllegalStateException(m.group(2));
        };
    }

    /**
     * An instant: {@code 2027-01-01T00:00:00Z}, {@code 2027-01-01T00:00Z}, {@code 2027-01-01T00:00+02:00},
     * {@code 2027-01-01T00:00} (UTC) or {@code 2027-01-01} (midnight UTC).
     */
    static Instant instant(String s) {
        String v = s.strip();
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + s + "' is neither a span (30d, 12h, 90m) nor a time (2027-01-01T00:00Z)");
        }
    }

    /** {@code now + span} or the instant given. */
    static Instant future(String s, Instant now) {
        Duration d = span(s);
        return d != null ? now.plus(d) : instant(s);
    }

    /** {@code now - span} or the instant given. */
    static Instant past(String s, Instant now) {
        Duration d = span(s);
        return d != null ? now.minus(d) : instant(s);
    }
}
